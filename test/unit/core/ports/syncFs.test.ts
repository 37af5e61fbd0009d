/**
 * The scan's synchronous file system port answers as the `fs.promises` one does (content, caps, stats, real
 * paths, listings, error codes; a FIFO refused without waiting), and lets the event loop run during a long pass.
 * Real files in a temp folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { nodeFileSystem, syncFileSystem } from '../../../../src/core/ports/nodeFs';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-sync-fs-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
}

test('same answers as the fs.promises port: content under and over the cap, stats, real paths, listings, errors', async () => {
  const file = path.join(tmp, 'a.json');
  fs.writeFileSync(file, 'x'.repeat(1000));
  fs.symlinkSync(file, path.join(tmp, 'link.json'));
  fs.mkdirSync(path.join(tmp, 'dir'));
  for (const max of [0, 10, 999, 1000, 1001, 5000, 2 * 1024 * 1024]) {
    assert.deepEqual(Buffer.from(await syncFileSystem.readFile(file, max)), Buffer.from(await nodeFileSystem.readFile(file, max)), `cap ${max}`);
  }
  assert.equal((await syncFileSystem.readFile(file, 10)).length, 11, 'at most maxBytes + 1 bytes');
  assert.deepEqual(await syncFileSystem.stat(file), await nodeFileSystem.stat(file));
  assert.deepEqual(await syncFileSystem.stat(path.join(tmp, 'dir')), await nodeFileSystem.stat(path.join(tmp, 'dir')));
  assert.equal(await syncFileSystem.realpath(path.join(tmp, 'link.json')), await nodeFileSystem.realpath(path.join(tmp, 'link.json')));
  assert.deepEqual((await syncFileSystem.readdir(tmp)).sort(), (await nodeFileSystem.readdir(tmp)).sort());
  const missing = path.join(tmp, 'nope', 'x.json');
  for (const call of ['stat', 'realpath', 'readdir'] as const) {
    assert.equal(await codeOf(syncFileSystem[call](missing)), await codeOf(nodeFileSystem[call](missing)), call);
  }
  assert.equal(await codeOf(syncFileSystem.readFile(missing, 10)), 'ENOENT');
  assert.equal(await codeOf(syncFileSystem.readFile(path.join(tmp, 'dir'), 10)), await codeOf(nodeFileSystem.readFile(path.join(tmp, 'dir'), 10)));
  assert.equal(await codeOf(syncFileSystem.stat(path.join(file, 'below'))), 'ENOTDIR');
  fs.symlinkSync(path.join(tmp, 'gone'), path.join(tmp, 'dangling'));
  assert.equal(await codeOf(syncFileSystem.realpath(path.join(tmp, 'dangling'))), 'ENOENT');
});

test('a FIFO is refused as the fs.promises port refuses it, without waiting for a writer', { skip: process.platform === 'win32' }, async () => {
  const fifo = path.join(tmp, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  assert.equal(await codeOf(syncFileSystem.readFile(fifo, 100)), 'ENOTFILE');
  assert.equal(await codeOf(syncFileSystem.readFile(fifo, 100)), await codeOf(nodeFileSystem.readFile(fifo, 100)));
});

test('a long run of calls lets the event loop run every few milliseconds', async () => {
  const file = path.join(tmp, 'b.json');
  fs.writeFileSync(file, '{}');
  let turns = 0;
  const timer = setInterval(() => turns++, 1);
  const t0 = performance.now();
  let calls = 0;
  while (performance.now() - t0 < 100) {
    await syncFileSystem.stat(file);
    await syncFileSystem.readFile(file, 100);
    calls += 2;
  }
  clearInterval(timer);
  assert.ok(calls > 100, `${calls} calls`);
  // 100 ms of back-to-back calls: the timer ran in between (every 4 ms at most it gets its turn).
  assert.ok(turns >= 5, `the event loop ran ${turns} times in 100 ms`);
});
