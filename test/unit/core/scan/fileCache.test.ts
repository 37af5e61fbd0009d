/**
 * The scanner's config-file cache is keyed like the watchers (device, inode, size, mtime, ctime): a rewrite that
 * keeps the size and puts the mtime back — in place (same inode) or renamed over — is read again, because the
 * kernel moves ctime on every write and `utimes` and user code cannot set it back; a plain read of the file is
 * served from memory. A file read right after a change (ctime within the clock tick a same-size rewrite could
 * share) is not kept. Real files, the real scanner; reads are counted on the file system port under it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, test } from 'node:test';
import type { FileSystemPort } from '../../../../src/core/ports';
import { nodeFileSystem } from '../../../../src/core/ports/nodeFs';
import { Scanner } from '../../../../src/core/scan';
import { emptyStore } from '../../../../src/core/trust';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-file-cache-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const text = (arg: string) => JSON.stringify({ mcpServers: { s: { command: 'echo', args: [arg] } } });

/** Waits until the file's last change is older than the window in which a cache refuses it (at most ~2 s). */
async function settle(file: string): Promise<void> {
  const c = fs.statSync(file).ctimeMs;
  await delay(Math.max(0, c + (c % 1000 === 0 ? 2000 : 100) - Date.now() + 5));
}

test('config-file cache: a same-size rewrite with the mtime put back (in place or renamed over) is read again; a plain read is not', async () => {
  const ws = path.join(tmp, 'ws');
  const file = path.join(ws, '.cursor', 'mcp.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text('aaaa'));
  const T = 1_700_000_000; // one mtime for every version, whole seconds (exactly representable)
  fs.utimesSync(file, T, T);
  await settle(file);

  let reads = 0;
  const counting: FileSystemPort = {
    ...nodeFileSystem,
    readFile: (p, max) => {
      if (p === file) reads++;
      return nodeFileSystem.readFile(p, max);
    },
  };
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false, fs: counting });
  const store = emptyStore();
  const first = await scanner.scanAll(store);
  assert.deepEqual(first.servers.map((s) => s.spec.args), [['aaaa']]);
  assert.equal(reads, 1);
  const loc = scanner.knownLocations.find((l) => l.path === file)!;
  const recheck = async () => (await scanner.recheckFile(loc, store)).map((s) => s.spec.args);

  // unchanged, then read by someone else (atime only): the stamp stays, the cache answers
  assert.deepEqual(await recheck(), [['aaaa']]);
  fs.readFileSync(file);
  assert.deepEqual(await recheck(), [['aaaa']]);
  assert.equal(reads, 1, 'served from the cache');

  // same size, same mtime, same inode: rewritten in place and the mtime put back, as an attacker would
  const before = fs.statSync(file);
  fs.writeFileSync(file, text('bbbb'));
  fs.utimesSync(file, T, T);
  const inPlace = fs.statSync(file);
  assert.equal(inPlace.ino, before.ino);
  assert.equal(inPlace.size, before.size);
  assert.equal(inPlace.mtimeMs, before.mtimeMs);
  assert.deepEqual(await recheck(), [['bbbb']], 'the in-place rewrite is seen (ctime moved)');
  assert.equal(reads, 2);

  // same size, same mtime, another file renamed over it: a new inode, read again
  await settle(file);
  assert.deepEqual(await recheck(), [['bbbb']]);
  const settledReads = reads;
  const next = `${file}.tmp`;
  fs.writeFileSync(next, text('cccc'));
  fs.utimesSync(next, T, T);
  fs.renameSync(next, file);
  const replaced = fs.statSync(file);
  assert.equal(replaced.size, before.size);
  assert.equal(replaced.mtimeMs, before.mtimeMs);
  assert.deepEqual(await recheck(), [['cccc']], 'the new content is seen');
  assert.equal(reads, settledReads + 1);

  // read right after a change: not kept, so a second same-size rewrite in the same clock tick is still seen
  fs.writeFileSync(file, text('dddd'));
  fs.utimesSync(file, T, T);
  assert.deepEqual(await recheck(), [['dddd']]);
  fs.writeFileSync(file, text('eeee'));
  fs.utimesSync(file, T, T);
  assert.deepEqual(await recheck(), [['eeee']], 'a rewrite in the tick of the previous read is seen');

  // and once settled, a full scan is served from the cache
  await settle(file);
  assert.deepEqual((await scanner.scanAll(store)).servers.map((s) => s.spec.args), [['eeee']]);
  const n = reads;
  assert.deepEqual((await scanner.scanAll(store)).servers.map((s) => s.spec.args), [['eeee']]);
  assert.equal(reads, n);
});

test('one scan pass asks the file system once per path: ten servers of a file share its merged sources and script', async () => {
  const ws = path.join(tmp, 'ws-pass');
  const file = path.join(ws, '.vscode', 'mcp.json');
  const script = path.join(ws, 'tools', 'server.js');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.mkdirSync(path.dirname(script), { recursive: true });
  fs.writeFileSync(script, '// the script\n');
  const servers = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s${i}`, { command: 'node', args: ['${workspaceFolder}/tools/server.js', `--n=${i}`] }]));
  fs.writeFileSync(file, JSON.stringify({ servers }));

  const asked = new Map<string, number>();
  const count = (what: string, p: string) => asked.set(`${what} ${p}`, (asked.get(`${what} ${p}`) ?? 0) + 1);
  const counting: FileSystemPort = {
    ...nodeFileSystem,
    readFile: (p, max) => (count('read', p), nodeFileSystem.readFile(p, max)),
    stat: (p) => (count('stat', p), nodeFileSystem.stat(p)),
    realpath: (p) => (count('realpath', p), nodeFileSystem.realpath(p)),
    readdir: (p) => (count('readdir', p), nodeFileSystem.readdir(p)),
  };
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false, fs: counting });
  const report = await scanner.scanAll(emptyStore());
  assert.equal(report.servers.length, 10);
  assert.ok(report.servers.every((s) => s.fingerprint.files.some((f) => f.ref === 'tools/server.js' && f.sha256 !== null)), 'every server pins the script');
  // the config file is read once (its parse, and VS Code's inputs/sandbox for each server), the script once
  assert.equal(asked.get(`read ${file}`), 1);
  assert.equal(asked.get(`read ${script}`), 1);
  assert.equal(asked.get(`realpath ${script}`), 1);
  // Node's implicit candidates of the script (`server.js.js`, `server.js/index.js`, …) and the other hosts' config
  // names do not exist: the folder's listing answers them, nothing is asked of the file system
  assert.equal(asked.get(`realpath ${script}.js`), undefined);
  assert.equal(asked.get(`stat ${path.join(ws, '.cursor', 'mcp.json')}`), undefined);
  // a second pass asks again: nothing is kept across passes but the (inode, size, mtime)-keyed bytes
  fs.writeFileSync(script, '// the script, changed\n');
  const again = await scanner.scanAll(emptyStore());
  assert.equal(asked.get(`realpath ${script}`), 2);
  assert.notEqual(again.servers[0]!.fingerprint.files[0]!.sha256, report.servers[0]!.fingerprint.files[0]!.sha256, 'the changed script is seen');
});
