/**
 * The scanner's config-file cache is keyed like the watchers (inode, size, mtime): a rewrite that keeps the size and
 * the mtime but renames a new file over the old one (as `git` and atomic saves do) is read again, while an access
 * that changes none of the three (an atime-only touch, a chmod) is served from memory. Real files, the real scanner;
 * reads are counted on the file system port under it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { FileSystemPort } from '../../../../src/core/ports';
import { nodeFileSystem } from '../../../../src/core/ports/nodeFs';
import { Scanner } from '../../../../src/core/scan';
import { emptyStore } from '../../../../src/core/trust';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-file-cache-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const text = (arg: string) => JSON.stringify({ mcpServers: { s: { command: 'echo', args: [arg] } } });

test('config-file cache: a same-size, same-mtime file renamed over is read again; an atime touch or chmod is not', async () => {
  const ws = path.join(tmp, 'ws');
  const file = path.join(ws, '.cursor', 'mcp.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text('aaaa'));
  const T = 1_700_000_000; // one mtime for every version, whole seconds (exactly representable)
  fs.utimesSync(file, T, T);

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

  // unchanged, then an atime-only touch, then a chmod: (inode, size, mtime) stay, the cache answers
  assert.deepEqual(await recheck(), [['aaaa']]);
  fs.utimesSync(file, T + 60, T);
  assert.deepEqual(await recheck(), [['aaaa']]);
  fs.chmodSync(file, 0o600);
  assert.deepEqual(await recheck(), [['aaaa']]);
  assert.equal(reads, 1, 'served from the cache');

  // same size, same mtime, another file renamed over it: a new inode, read again
  const before = fs.statSync(file);
  const next = `${file}.tmp`;
  fs.writeFileSync(next, text('bbbb'));
  fs.utimesSync(next, T, T);
  fs.renameSync(next, file);
  const replaced = fs.statSync(file);
  assert.equal(replaced.size, before.size);
  assert.equal(replaced.mtimeMs, before.mtimeMs);
  assert.notEqual(replaced.ino, before.ino, 'the rename gave the file a new inode');
  assert.deepEqual(await recheck(), [['bbbb']], 'the new content is seen');
  assert.equal(reads, 2);

  // and a full scan sees it too, from the cache this time
  assert.deepEqual((await scanner.scanAll(store)).servers.map((s) => s.spec.args), [['bbbb']]);
  assert.equal(reads, 2);
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
  };
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false, fs: counting });
  const report = await scanner.scanAll(emptyStore());
  assert.equal(report.servers.length, 10);
  assert.ok(report.servers.every((s) => s.fingerprint.files.some((f) => f.ref === 'tools/server.js' && f.sha256 !== null)), 'every server pins the script');
  // the config file is read once (its parse, and VS Code's inputs/sandbox for each server), the script once
  assert.equal(asked.get(`read ${file}`), 1);
  assert.equal(asked.get(`read ${script}`), 1);
  assert.equal(asked.get(`realpath ${script}`), 1);
  // a second pass asks again: nothing is kept across passes but the (inode, size, mtime)-keyed bytes
  fs.writeFileSync(script, '// the script, changed\n');
  const again = await scanner.scanAll(emptyStore());
  assert.equal(asked.get(`realpath ${script}`), 2);
  assert.notEqual(again.servers[0]!.fingerprint.files[0]!.sha256, report.servers[0]!.fingerprint.files[0]!.sha256, 'the changed script is seen');
});
