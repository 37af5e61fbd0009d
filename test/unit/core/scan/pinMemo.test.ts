/**
 * A scanner reuses a server's pin from an earlier pass while everything it was computed from is as it was. Reuse
 * must never hide a change: after each kind of change a workspace's owner can make (a module's bytes with its
 * mtime put back, an envFile, a merged source, a re-pointed symlink, a folder swapped for a symlink, a script that
 * appears where a runtime would look, a deleted file, a binary that appears first on `PATH`), the next scan's pin
 * of every server equals the pin computed alone with fresh caches. Every change is let settle first (so the scan
 * cannot lean on the rule that refuses a path changed moments ago). Real files, the real scanner.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { fingerprintServer, pinMemoOf } from '../../../../src/core/fingerprint/fingerprint';
import { ClosureCache } from '../../../../src/core/launch';
import { FileHashCache } from '../../../../src/core/launch/hash';
import { nodeFileSystem } from '../../../../src/core/ports/nodeFs';
import { Scanner, type ScanReport } from '../../../../src/core/scan';
import { emptyStore } from '../../../../src/core/trust';
import { PIN_SOURCES_SERVERS, settleTree } from '../../../helpers/pinWorkspace';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-pin-memo-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ws = path.join(tmp, 'ws');
const home = path.join(tmp, 'home');
const binA = path.join(tmp, 'binA');
const binB = path.join(tmp, 'binB');
const T = 1_700_000_000;

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** Waits until every change so far has settled (see `settleTree`). */
const settle = () => settleTree(tmp);

function setup(): void {
  fs.mkdirSync(path.join(ws, '.git'), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  write(path.join(ws, 'tools/server.js'), "require('./lib/a.js');\n");
  write(path.join(ws, 'tools/lib/a.js'), 'module.exports = 1;\n');
  write(path.join(ws, 'tools/lib/b.js'), 'module.exports = 22;\n');
  fs.symlinkSync('lib/a.js', path.join(ws, 'tools/link.js'));
  write(path.join(ws, 'other/server.js'), '// another tree\n');
  write(path.join(ws, 'other/lib/a.js'), 'module.exports = 3;\n');
  write(path.join(ws, '.env'), 'A=1\n');
  write(path.join(binB, 'mytool'), '#!/bin/sh\n');
  fs.chmodSync(path.join(binB, 'mytool'), 0o755);
  fs.mkdirSync(binA, { recursive: true });
  write(
    path.join(ws, '.vscode/mcp.json'),
    JSON.stringify({
      inputs: [{ id: 'tok', type: 'promptString' }],
      servers: {
        ...PIN_SOURCES_SERVERS,
        guarded: { command: 'mcp-trust-guard', args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'guarded', '--', 'mytool', '--stdio'] },
      },
    }),
  );
  write(path.join(ws, '.cursor/mcp.json'), JSON.stringify({ mcpServers: { module: { command: 'node', args: ['./tools/server.js'] }, gone: { command: 'node', args: ['./other/lib/a.js'] } } }));
}

const env = { PATH: `${binA}${path.delimiter}${binB}`, HOME: home };
const cache = new ClosureCache(100, new FileHashCache());
const scan = () => new Scanner({ workspaceFolders: [ws], home, includeUser: false, env, closureCache: cache }).scanAll(emptyStore());

/** Asserts that every server's pin in `report` is the one computed alone (no memo, `fs.promises`, fresh caches). */
async function assertPinsAsAlone(report: ScanReport, when: string): Promise<void> {
  for (const s of report.servers) {
    const alone = await fingerprintServer(s.spec, { home, env, roots: [ws], fs: nodeFileSystem, closureCache: new ClosureCache(10, new FileHashCache()) });
    assert.deepEqual(s.fingerprint, alone, `${when}: ${path.basename(path.dirname(s.spec.configFile))} ${s.spec.name} has the pin computed alone`);
  }
}

const pinOf = (r: ScanReport, dir: string, name: string) => r.servers.find((s) => s.spec.configFile.includes(dir) && s.spec.name === name)!.fingerprint.fingerprint;

test('a pin is reused while nothing it was computed from moved, and recomputed after every kind of change', async () => {
  setup();
  await settle();
  const first = await scan();
  assert.equal(first.servers.length, 8);
  await assertPinsAsAlone(first, 'first scan');
  const memo = pinMemoOf(cache);
  assert.ok(memo.size >= 7, `pins are kept (${memo.size})`);

  const hits = memo.hits;
  const again = await scan();
  assert.ok(memo.hits - hits >= 7, `the second scan reuses the kept pins (${memo.hits - hits} reused)`);
  assert.deepEqual(again.servers, first.servers, 'a reused pin is the pin');

  const changes: [what: string, dir: string, name: string, change: () => void][] = [
    [
      "a module's bytes, size and mtime put back",
      '.vscode',
      'module',
      () => {
        const f = path.join(ws, 'tools/lib/a.js');
        const ino = fs.statSync(f).ino;
        fs.writeFileSync(f, 'module.exports = 9;\n');
        fs.utimesSync(f, T, T);
        assert.equal(fs.statSync(f).ino, ino);
      },
    ],
    ['the envFile', '.vscode', 'envfile', () => fs.writeFileSync(path.join(ws, '.env'), 'A=2\n')],
    [
      'a merged source (the file\'s inputs)',
      '.vscode',
      'input',
      () => {
        const f = path.join(ws, '.vscode/mcp.json');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('"promptString"', '"pickString"'));
      },
    ],
    [
      'a re-pointed symlink',
      '.vscode',
      'link',
      () => {
        fs.unlinkSync(path.join(ws, 'tools/link.js'));
        fs.symlinkSync('lib/b.js', path.join(ws, 'tools/link.js'));
      },
    ],
    ['a script that appears where node looks', '.vscode', 'implicit', () => write(path.join(ws, 'tools/late.js'), '// late\n')],
    [
      'a folder swapped for a symlink to another tree',
      '.cursor',
      'module',
      () => {
        fs.renameSync(path.join(ws, 'tools'), path.join(ws, 'tools-old'));
        fs.symlinkSync('other', path.join(ws, 'tools'));
      },
    ],
    ['a deleted file', '.cursor', 'gone', () => fs.rmSync(path.join(ws, 'other/lib/a.js'))],
    [
      'a binary that appears first on PATH',
      '.vscode',
      'guarded',
      () => {
        write(path.join(binA, 'mytool'), '#!/bin/sh\n');
        fs.chmodSync(path.join(binA, 'mytool'), 0o755);
      },
    ],
  ];
  let before = again;
  for (const [what, dir, name, change] of changes) {
    change();
    await settle();
    const now = await scan();
    await assertPinsAsAlone(now, `after ${what}`);
    assert.notEqual(pinOf(now, dir, name), pinOf(before, dir, name), `${what}: the pin of ${dir} ${name} moved`);
    before = now;
  }
  const hitsBefore = memo.hits;
  const last = await scan();
  assert.deepEqual(last.servers, before.servers, 'after the changes, the recomputed pins are kept and reused');
  assert.ok(memo.hits > hitsBefore, 'and reused');
});
