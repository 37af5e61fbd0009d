/**
 * A user-level entry that runs code from the open workspace (`node ${workspaceFolder}/tools/mcp.js` in
 * `~/.cursor/mcp.json` or a VS Code user `mcp.json`) is resolved per workspace, through the real CLI (the bundled
 * `cli.js`) on real files: approving it in one repository approves nothing in another, its code closure is pinned
 * per workspace, and its decision is keyed by the workspace's real path.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtCli } from '../../helpers/builtCli';

interface ServerOut {
  host: string;
  name: string;
  state: string;
  resolvedIn?: string;
  changes: { pointer: string }[];
  findings: { ruleId: string; severity: string }[];
  files: { ref: string; via: string }[];
}

let cliPath = '';

before(async () => {
  cliPath = await builtCli();
});

function sandbox() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mtg-perws-')));
  const home = join(root, 'home');
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), MCP_TRUST_GUARD_STORE: join(root, 'store.json') };
  const write = (p: string, text: string) => {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(process.execPath, [cliPath, ...args], { env, cwd: root, timeout: 60_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }));
    });
  /** A repository with `tools/mcp.js` importing `tools/lib.js`. */
  const repo = (name: string, lib: string) => {
    const ws = join(root, name);
    mkdirSync(join(ws, '.git'), { recursive: true });
    write(join(ws, 'tools', 'mcp.js'), "require('./lib.js');\n");
    write(join(ws, 'tools', 'lib.js'), lib);
    return ws;
  };
  const scan = async (...dirs: string[]): Promise<ServerOut[]> => {
    const r = await run('--json', 'scan', ...dirs);
    assert.ok(r.code === 0 || r.code === 1, r.err);
    return (JSON.parse(r.out) as { servers: ServerOut[] }).servers;
  };
  return { root, home, write, run, repo, scan, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const CURSOR = JSON.stringify({ mcpServers: { tools: { command: 'node', args: ['${workspaceFolder}/tools/mcp.js'] } } }, null, 2);
const VSCODE = `{
  // user-level: every window's workspace supplies tools/mcp.js
  "servers": { "wstools": { "type": "stdio", "command": "node", "args": ["\${workspaceFolder}\${/}tools\${/}mcp.js"] } }
}`;

const only = (servers: ServerOut[], name: string) => servers.filter((s) => s.name === name);

test('a user-level ${workspaceFolder} entry approved in one workspace is new in another and changed when its code changes', async () => {
  const sb = sandbox();
  try {
    sb.write(join(sb.home, '.cursor', 'mcp.json'), CURSOR);
    sb.write(join(sb.home, '.config', 'Code', 'User', 'mcp.json'), VSCODE);
    const a = sb.repo('repo-a', 'module.exports = 1;\n');
    const b = sb.repo('repo-b', 'module.exports = 2;\n');
    const same = sb.repo('repo-same', 'module.exports = 1;\n');

    // Resolved in A: pinned (the script and what it requires), no unresolved-variable finding.
    let inA = await sb.scan(a);
    for (const name of ['tools', 'wstools']) {
      const [s] = only(inA, name);
      assert.ok(s, `${name} listed`);
      assert.equal(s.state, 'new');
      assert.equal(s.resolvedIn, a);
      assert.ok(!s.findings.some((f) => f.ruleId === 'unresolved-variable'), JSON.stringify(s.findings));
      assert.deepEqual(s.files.map((f) => f.ref).sort(), ['tools/lib.js', 'tools/mcp.js']);
    }
    const approve = await sb.run('approve', '--all', a);
    assert.equal(approve.code, 0, approve.err + approve.out);
    assert.match(approve.out, new RegExp(`"tools" \\(cursor\\) in .*mcp\\.json in workspace ${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    inA = await sb.scan(a);
    assert.deepEqual(['tools', 'wstools'].map((n) => only(inA, n)[0].state), ['approved', 'approved']);

    // Another repository, with other code or the very same code: nothing is approved there.
    for (const ws of [b, same]) {
      const there = await sb.scan(ws);
      assert.deepEqual(['tools', 'wstools'].map((n) => only(there, n)[0].state), ['new', 'new'], ws);
    }
    // Both open at once: one report per workspace, each with its own decision.
    const both = await sb.scan(a, b);
    assert.deepEqual(only(both, 'tools').map((s) => [s.resolvedIn, s.state]), [[a, 'approved'], [b, 'new']]);

    // The same repository reached through a symlink is the same workspace (keyed by its real path).
    const link = join(sb.root, 'link-to-a');
    symlinkSync(a, link);
    assert.equal(only(await sb.scan(link), 'tools')[0].state, 'approved');

    // A's code changes (a module the script requires): changed, naming the file; B stays new.
    writeFileSync(join(a, 'tools', 'lib.js'), 'module.exports = "evil";\n');
    const changed = only(await sb.scan(a), 'tools')[0];
    assert.equal(changed.state, 'changed');
    assert.deepEqual(changed.changes.map((c) => c.pointer), ['/$files/tools~1lib.js']);
    assert.equal(only(await sb.scan(b), 'tools')[0].state, 'new');
  } finally {
    sb.cleanup();
  }
});

test('approving one per-workspace entry needs --workspace, and binds that workspace only', async () => {
  const sb = sandbox();
  try {
    const file = sb.write(join(sb.home, '.cursor', 'mcp.json'), CURSOR);
    const a = sb.repo('repo-a', 'module.exports = 1;\n');
    const b = sb.repo('repo-b', 'module.exports = 2;\n');
    const refused = await sb.run('approve', file, 'tools');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /per workspace: give --workspace <dir>/);

    const ok = await sb.run('--workspace', b, 'approve', file, 'tools');
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /in workspace .*repo-b/);
    assert.equal(only(await sb.scan(b), 'tools')[0].state, 'approved');
    assert.equal(only(await sb.scan(a), 'tools')[0].state, 'new');

    const forgot = await sb.run('--workspace', b, 'forget', file, 'tools');
    assert.equal(forgot.code, 0, forgot.err);
    assert.equal(only(await sb.scan(b), 'tools')[0].state, 'new');
  } finally {
    sb.cleanup();
  }
});
