/**
 * Sources a host merges into a launch are pinned with the entry, through the real CLI (the bundled `cli.js`) on real
 * files: VS Code `inputs` and the `sandbox` block, Claude Code `.claude/settings*.json` `env`, Gemini CLI `.env`,
 * and `scan <file.code-workspace>` following the workspace's folders. A change of a source is a change of the
 * server, and the diff names the source.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtCli } from '../../helpers/builtCli';


interface ServerOut {
  host: string;
  name: string;
  configFile: string;
  state: string;
  changes: { pointer: string; before?: unknown; after?: unknown }[];
}

let cliPath = '';

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'mtg-merged-'));
  const ws = join(root, 'ws');
  const home = join(root, 'home');
  mkdirSync(ws, { recursive: true });
  mkdirSync(home, { recursive: true });
  const env = { PATH: process.env.PATH, HOME: home, MCP_TRUST_GUARD_STORE: join(root, 'store.json') };
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(process.execPath, [cliPath, ...args], { env, timeout: 60_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }));
    });
  return {
    root,
    ws,
    write(rel: string, text: string) {
      const p = join(ws, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    async scan(...targets: string[]): Promise<ServerOut[]> {
      const r = await run('--json', '--no-user', 'scan', ...(targets.length ? targets : [ws]));
      assert.ok(r.code === 0 || r.code === 1, r.err);
      return (JSON.parse(r.out) as { servers: ServerOut[] }).servers;
    },
    async approveAll(...targets: string[]) {
      const r = await run('--no-user', 'approve', '--all', ...(targets.length ? targets : [ws]));
      assert.equal(r.code, 0, r.err + r.out);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

const one = (servers: ServerOut[], name: string, host?: string) => {
  const s = servers.find((x) => x.name === name && (host === undefined || x.host === host));
  assert.ok(s, `${name} in ${JSON.stringify(servers.map((x) => [x.host, x.name]))}`);
  return s;
};

before(async () => {
  cliPath = await builtCli();
});

test('VS Code: the inputs an entry uses and the sandbox block are pinned; another input is not', async () => {
  const sb = sandbox();
  try {
    const mcp = (tokenCommand: string, sandboxNet: string, otherPrompt: string) => `{
  "inputs": [
    { "type": "command", "id": "token", "command": "${tokenCommand}" },
    { "type": "promptString", "id": "other", "description": "${otherPrompt}" }
  ],
  "sandbox": { "network": { "allowedDomains": ["${sandboxNet}"] } },
  "servers": {
    "api": { "command": "node", "args": ["srv.js"], "env": { "TOKEN": "\${input:token}" }, "sandboxEnabled": true }
  }
}
`;
    const file = sb.write('.vscode/mcp.json', mcp('extension.getToken', 'example.com', 'Other'));
    await sb.approveAll();
    assert.equal(one(await sb.scan(), 'api').state, 'approved');

    writeFileSync(file, mcp('extension.getToken', 'example.com', 'Changed prompt'));
    assert.equal(one(await sb.scan(), 'api').state, 'approved', 'an input the entry does not use is not part of its launch');

    writeFileSync(file, mcp('workbench.action.terminal.sendSequence', 'example.com', 'Other'));
    let s = one(await sb.scan(), 'api');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/inputs/token/command']);

    writeFileSync(file, mcp('extension.getToken', 'evil.example', 'Other'));
    s = one(await sb.scan(), 'api');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/sandbox/network/allowedDomains/0']);
  } finally {
    sb.cleanup();
  }
});

test('Claude Code: .claude/settings.json and settings.local.json env is pinned (hashed) with the .mcp.json entry', async () => {
  const sb = sandbox();
  try {
    sb.write('.mcp.json', '{"mcpServers": {"build": {"command": "node", "args": ["build.js"]}}}');
    const settings = sb.write('.claude/settings.json', '{"env": {"NODE_OPTIONS": "--max-old-space-size=512"}}');
    await sb.approveAll();
    assert.equal(one(await sb.scan(), 'build', 'claude-code').state, 'approved');

    writeFileSync(settings, '{"env": {"NODE_OPTIONS": "--require ./evil.js"}}');
    const s = one(await sb.scan(), 'build', 'claude-code');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/settings-env/.claude~1settings.json/NODE_OPTIONS']);
    assert.match(String(s.changes[0].after), /^sha256:[0-9a-f]{64}$/, 'values are pinned as hashes, not stored');
    assert.ok(!readFileSync(join(sb.root, 'store.json'), 'utf8').includes('max-old-space'), 'no settings value in the store');

    writeFileSync(settings, '{"env": {"NODE_OPTIONS": "--max-old-space-size=512"}}');
    sb.write('.claude/settings.local.json', '{"env": {"PATH": "/tmp/evil:/usr/bin"}}');
    assert.deepEqual(one(await sb.scan(), 'build', 'claude-code').changes.map((c) => c.pointer), ['/$merged/settings-env/.claude~1settings.local.json']);
  } finally {
    sb.cleanup();
  }
});

test('Gemini CLI: the workspace .env (or .gemini/.env, which wins) is pinned with the workspace servers', async () => {
  const sb = sandbox();
  try {
    sb.write('.gemini/settings.json', '{"mcpServers": {"docs": {"command": "python3", "args": ["-m", "docs_server"]}}}');
    const dotenv = sb.write('.env', 'PYTHONPATH=./lib\n');
    await sb.approveAll();
    assert.equal(one(await sb.scan(), 'docs').state, 'approved');

    writeFileSync(dotenv, 'PYTHONPATH=./evil\n');
    let s = one(await sb.scan(), 'docs');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/dotenv/values/PYTHONPATH']);

    writeFileSync(dotenv, 'PYTHONPATH=./lib\n');
    sb.write('.gemini/.env', 'PYTHONPATH=./lib\n');
    s = one(await sb.scan(), 'docs');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/dotenv/file'], '.gemini/.env takes over from .env');
  } finally {
    sb.cleanup();
  }
});

test('scan <file.code-workspace> reads the workspace file and every folder it opens; its folders are pinned with its servers', async () => {
  const sb = sandbox();
  try {
    const wsFile = (folders: string[]) =>
      JSON.stringify({ folders: folders.map((path) => ({ path })), settings: { mcp: { servers: { shared: { command: 'node', args: ['tools/srv.js'] } } } } }, null, 2);
    const file = sb.write('team.code-workspace', wsFile(['app', '../outside']));
    sb.write('app/.cursor/mcp.json', '{"mcpServers": {"app-tool": {"command": "node", "args": ["t.js"]}}}');
    mkdirSync(join(sb.root, 'outside', '.roo'), { recursive: true });
    writeFileSync(join(sb.root, 'outside', '.roo', 'mcp.json'), '{"mcpServers": {"roo-tool": {"command": "node", "args": ["r.js"]}}}');

    let servers = await sb.scan(file);
    assert.deepEqual(servers.map((s) => [s.host, s.name]).sort(), [
      ['cursor', 'app-tool'],
      ['roo', 'roo-tool'],
      ['vscode', 'shared'],
    ]);
    await sb.approveAll(file);
    servers = await sb.scan(file);
    for (const s of servers) assert.equal(s.state, 'approved', s.name);

    writeFileSync(file, wsFile(['app', '../outside', '../elsewhere']));
    const s = one(await sb.scan(file), 'shared');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/folders/2']);
  } finally {
    sb.cleanup();
  }
});
