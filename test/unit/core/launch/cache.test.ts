/**
 * The closure's caches (file hashes, traces, closures) are keyed by device, inode, size, mtime and ctime, and an
 * entry read right after a change is not reused: the workspace's owner controls the files and their mtimes, not
 * their ctimes. Real files; each case fails with the old (inode, size, mtime) key or without the settle rule.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, test } from 'node:test';
import { ClosureCache, computeClosure } from '../../../../src/core/launch';
import { FileHashCache, identityOf } from '../../../../src/core/launch/hash';
import { FsPass } from '../../../../src/core/launch/pass';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-closure-cache-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const T = 1_700_000_000;

/** Waits until the file's last change is older than the window in which a cache refuses it (at most ~2 s). */
async function settle(file: string): Promise<void> {
  const c = fs.statSync(file).ctimeMs;
  await delay(Math.max(0, c + (c % 1000 === 0 ? 2000 : 100) - Date.now() + 5));
}

/** Rewrites `file` in place with same-size `text` and puts its mtime back: inode, size and mtime stay. */
function forge(file: string, text: string): void {
  const before = fs.statSync(file);
  fs.writeFileSync(file, text);
  fs.utimesSync(file, T, T);
  const after = fs.statSync(file);
  assert.equal(after.ino, before.ino);
  assert.equal(after.size, before.size);
  assert.equal(after.mtimeMs, before.mtimeMs);
}

test('file hash cache: same inode, same size, same mtime, other content is hashed again', async () => {
  const file = path.join(tmp, 'same.js');
  fs.writeFileSync(file, 'module.exports = 1;\n');
  fs.utimesSync(file, T, T);
  await settle(file);
  const cache = new FileHashCache();
  assert.equal((await cache.hash(file)).sha256, sha('module.exports = 1;\n'));
  forge(file, 'module.exports = 2;\n');
  assert.equal((await cache.hash(file)).sha256, sha('module.exports = 2;\n'), 'the forged file is read again (ctime moved)');
});

test('file hash cache: an entry is reused only when the file had settled before it was read', async () => {
  const file = path.join(tmp, 'planted.js');
  fs.writeFileSync(file, 'x\n');
  await settle(file);
  const cache = new FileHashCache();
  const id = identityOf(fs.statSync(file));
  // a settled entry for the file's exact identity is trusted: the planted hash comes back (the cache is used)
  cache.remember(file, id, 'planted', true);
  assert.equal((await cache.hash(file)).sha256, 'planted');
  // an unsettled one (read in the clock tick of a change) is not: the file is read again
  cache.remember(file, id, 'planted', false);
  assert.equal((await cache.hash(file)).sha256, sha('x\n'));
  // a file hashed right after its change is unsettled, so the next check reads it again
  fs.writeFileSync(file, 'y\n');
  const pass = new FsPass();
  assert.equal((await cache.hash(file, pass)).sha256, sha('y\n'));
  cache.remember(file, identityOf(fs.statSync(file)), 'stale', false);
  assert.equal((await cache.hash(file)).sha256, sha('y\n'));
});

test('closure cache: a forged module of a traced server (same inode, size, mtime) is a new hash on the warm path', async () => {
  const dir = path.join(tmp, 'srv');
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'srv', version: '1.0.0' }));
  fs.writeFileSync(path.join(dir, 'server.js'), "require('./lib/a.js');\n");
  const mod = path.join(dir, 'lib', 'a.js');
  fs.writeFileSync(mod, "module.exports = 'good';\n");
  const all = [mod, path.join(dir, 'server.js'), path.join(dir, 'package.json')];
  for (const f of all) fs.utimesSync(f, T, T);
  for (const f of [...all, dir, path.join(dir, 'lib')]) await settle(f);
  const launch = { command: 'node', args: ['server.js'], cwd: dir, repoRoot: dir, workspaceFolder: dir };
  const cache = new ClosureCache(10, new FileHashCache());
  const hashOf = async () => (await computeClosure(launch, { cache })).files.find((f) => f.path === mod)?.sha256;
  assert.equal(await hashOf(), sha("module.exports = 'good';\n"));
  assert.equal(await hashOf(), sha("module.exports = 'good';\n"), 'warm');
  forge(mod, "module.exports = 'evil';\n");
  await settle(mod); // settled: only the key (its ctime) can tell
  assert.equal(await hashOf(), sha("module.exports = 'evil';\n"), 'the forged module is seen');
  // the forged module adds a require: the trace is redone, the new module is in the closure
  await settle(mod);
  await hashOf();
  const added = path.join(dir, 'lib', 'b.js');
  fs.writeFileSync(added, "module.exports = 'more';\n");
  fs.writeFileSync(mod, "require('./b.js');\n//////");
  fs.utimesSync(mod, T, T);
  const files = (await computeClosure(launch, { cache })).files.map((f) => f.path);
  assert.ok(files.includes(added), 'the newly required module is pinned');
});

test('a closure computed in one pass is shared by the launches of that pass and recomputed in the next', async () => {
  const dir = path.join(tmp, 'shared');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'server.js'), "module.exports = 1;\n");
  const launch = { command: 'node', args: ['server.js'], cwd: dir, repoRoot: dir, workspaceFolder: dir };
  const cache = new ClosureCache(10, new FileHashCache());
  const pass = new FsPass();
  const [a, b] = await Promise.all([computeClosure(launch, { cache, pass }), computeClosure(launch, { cache, pass })]);
  assert.equal(a, b, 'one computation for two concurrent callers of one pass');
  fs.writeFileSync(path.join(dir, 'server.js'), "module.exports = 2;\n");
  const c = await computeClosure(launch, { cache, pass: new FsPass() });
  assert.equal(c.files.find((f) => f.path.endsWith('server.js'))?.sha256, sha("module.exports = 2;\n"));
});
