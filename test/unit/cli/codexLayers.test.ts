/**
 * Codex's project layers through the real CLI (the bundled `cli.js`) on real files
 * (test/fixtures/merged-hosts/codex-layers, written as Codex documents `.codex/config.toml`): opened at
 * `repo/packages/app`, Codex reads the `.codex/config.toml` of every folder from the repository root (the nearest
 * folder with `.git`) down to it. Each layer's servers are Codex servers of the opened folder, pinned and approved; a
 * change in a layer above the folder is a change; a `.codex/config.toml` above the repository root is not read, and
 * no layer above the opened folder is read when the folder is itself the root.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { builtCli } from '../../helpers/builtCli';

const FIXTURE = resolve(__dirname, '../../fixtures/merged-hosts/codex-layers');
const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'mtg-codex-layers-')));
after(() => rmSync(tmp, { recursive: true, force: true }));
let cli = '';
before(async () => {
  cli = await builtCli();
});

interface ServerOut {
  host: string;
  name: string;
  state: string;
  configFile: string;
  changes: { pointer: string }[];
  files: { ref: string; via: string }[];
}

function sandbox(name: string) {
  const root = join(tmp, name);
  cpSync(FIXTURE, root, { recursive: true });
  mkdirSync(join(root, 'repo', '.git'));
  const home = join(root, 'home');
  mkdirSync(home);
  const env = { PATH: process.env.PATH, HOME: home, MCP_TRUST_GUARD_STORE: join(root, 'store.json') };
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(process.execPath, [cli, ...args], { env, cwd: root, timeout: 60_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }));
    });
  const scan = async (ws: string) => {
    const r = await run('--json', '--no-user', 'scan', ws);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    return (JSON.parse(r.out) as { servers: ServerOut[] }).servers.filter((s) => s.host === 'codex');
  };
  return { root, run, scan };
}

test('opened below the repository root: every layer from the root down is read, pinned and approved; a change in a parent layer is a change', async () => {
  const sb = sandbox('below');
  const app = join(sb.root, 'repo', 'packages', 'app');
  let servers = await sb.scan(app);
  assert.deepEqual(servers.map((s) => [s.name, s.configFile]), [
    ['app-tools', join(app, '.codex', 'config.toml')],
    ['repo-tools', join(sb.root, 'repo', '.codex', 'config.toml')],
    ['packages-tools', join(sb.root, 'repo', 'packages', '.codex', 'config.toml')],
  ]);
  const repoTools = servers.find((s) => s.name === 'repo-tools')!;
  assert.ok(repoTools.files.some((f) => f.ref.endsWith('tools/repo.js')), JSON.stringify(repoTools.files));

  const ok = await sb.run('approve', '--all', app);
  assert.equal(ok.code, 0, ok.err);
  servers = await sb.scan(app);
  assert.deepEqual(servers.map((s) => s.state), ['approved', 'approved', 'approved']);

  const layer = join(sb.root, 'repo', '.codex', 'config.toml');
  writeFileSync(layer, readFileSync(layer, 'utf8').replace('"../../tools/repo.js"', '"../../tools/repo.js", "--debug"'));
  writeFileSync(join(sb.root, 'repo', 'tools', 'repo.js'), 'process.stdin.resume(); // changed\n');
  servers = await sb.scan(app);
  const changed = servers.find((s) => s.name === 'repo-tools')!;
  assert.equal(changed.state, 'changed');
  assert.ok(changed.changes.some((c) => c.pointer === '/args/1'), JSON.stringify(changed.changes));
  assert.ok(changed.changes.some((c) => c.pointer.startsWith('/$files/') && c.pointer.endsWith('repo.js')), JSON.stringify(changed.changes));
  assert.deepEqual(servers.filter((s) => s.name !== 'repo-tools').map((s) => s.state), ['approved', 'approved']);
});

test('opened at the repository root: no layer above it is read (the file above the root never is)', async () => {
  const sb = sandbox('root');
  const servers = await sb.scan(join(sb.root, 'repo'));
  assert.deepEqual(servers.map((s) => s.name), ['repo-tools']);
  // Without a .git anywhere up to home, the opened folder is the project root: only its own layer.
  rmSync(join(sb.root, 'repo', '.git'), { recursive: true });
  assert.deepEqual((await sb.scan(join(sb.root, 'repo', 'packages', 'app'))).map((s) => s.name), ['app-tools']);
});
