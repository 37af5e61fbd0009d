/**
 * The one reader of workspace file content reads regular files only and never waits: a FIFO with no writer, a folder
 * and a character device are refused at once (`ENOTFILE`, `EISDIR`), through every way the core reads (the file
 * system port, the hash cache, the synchronous reader the module tracer uses).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileHashCache } from '../../../../src/core/launch/hash';
import { nodeFileSystem } from '../../../../src/core/ports/nodeFs';
import { readRegular, readRegularSync } from '../../../../src/core/ports/regularFile';

const tmp = mkdtempSync(join(tmpdir(), 'mtg-regular-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('a regular file is read whole or up to its cap; a folder, a FIFO and a device are refused without waiting', { skip: process.platform === 'win32' ? 'no FIFOs in folders' : false }, async () => {
  const file = join(tmp, 'f.txt');
  writeFileSync(file, 'hello world');
  assert.equal((await readRegular(file)).toString(), 'hello world');
  assert.equal((await readRegular(file, 4)).toString(), 'hello', 'at most cap + 1 bytes');
  assert.equal(readRegularSync(file).toString(), 'hello world');
  const dir = join(tmp, 'd');
  mkdirSync(dir);
  const fifo = join(tmp, 'p');
  execFileSync('mkfifo', [fifo]);
  const code = async (f: () => Promise<unknown>) => f().then(() => 'read', (e: NodeJS.ErrnoException) => e.code);
  for (const [p, want] of [[dir, 'EISDIR'], [fifo, 'ENOTFILE'], ['/dev/zero', 'ENOTFILE']] as const) {
    assert.equal(await code(() => readRegular(p)), want, p);
    assert.equal(await code(async () => readRegularSync(p)), want, p);
    assert.equal(await code(() => nodeFileSystem.readFile(p, 1024)), want, p);
    assert.equal(await code(() => new FileHashCache().hash(p)), want, p);
  }
});
