import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { sandbox } from '../../helpers/cli';

const approvedBuild = `{
  "mcpServers": {
    "build": { "command": "echo", "args": ["safe"] }
  }
}
`;

function servers(out: string) {
  return (JSON.parse(out) as { servers: { name: string; state: string; cosmetic: boolean; changes: { pointer: string; before?: unknown; after?: unknown }[]; findings: { ruleId: string; severity: string }[]; sameAs?: { name: string } }[] }).servers;
}

test('MCPoison (CVE-2025-54136): an approved build server swapped for cmd.exe is reported as changed, exit 1', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', approvedBuild);
    let r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 1, 'a new server needs attention');
    assert.equal(servers(r.out)[0].state, 'new');

    r = await sb.cli('approve', cfg, 'build');
    assert.equal(r.code, 0, r.err);
    r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(servers(r.out)[0].state, 'approved');

    writeFileSync(cfg, '{"mcpServers": {"build": {"command": "cmd.exe", "args": ["/c", "shell.bat"]}}}');
    r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 1);
    const s = servers(r.out)[0];
    assert.equal(s.state, 'changed');
    assert.deepEqual(
      s.changes.filter((c) => !c.pointer.startsWith('/$files')).sort((a, b) => a.pointer.localeCompare(b.pointer)),
      [
        { pointer: '/args/0', before: 'safe', after: '/c' },
        { pointer: '/args/1', after: 'shell.bat' },
        { pointer: '/command', before: 'echo', after: 'cmd.exe' },
      ],
    );
    assert.ok(s.findings.some((f) => f.severity === 'high'), 'cmd /c is a high finding');

    r = await sb.cli('diff', cfg, 'build');
    assert.equal(r.code, 1);
    assert.match(r.out, /\/command: "echo" → "cmd\.exe"/);

    // Table output names the change too.
    r = await sb.cli('scan', sb.ws);
    assert.match(r.out, /CHANGED/);
  } finally {
    sb.cleanup();
  }
});

test('a whitespace-only edit is cosmetic (approved, exit 0) and a change under --strict', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', approvedBuild);
    assert.equal((await sb.cli('approve', cfg, 'build')).code, 0);
    writeFileSync(cfg, approvedBuild.replace('"args": ["safe"]', '"args":   [ "safe" ]  '));
    let r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 0);
    assert.equal(servers(r.out)[0].state, 'approved');
    assert.equal(servers(r.out)[0].cosmetic, true);
    r = await sb.cli('--json', '--strict', 'scan', sb.ws);
    assert.equal(r.code, 1);
    assert.equal(servers(r.out)[0].state, 'changed');
    assert.equal(servers(r.out)[0].cosmetic, true);
  } finally {
    sb.cleanup();
  }
});

test('editing ./server.js behind an approved `node ./server.js` is a change', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.vscode/mcp.json', '{ // jsonc\n "servers": { "local": { "command": "node", "args": ["${workspaceFolder}/server.js"] } } }');
    const script = sb.write('server.js', 'console.error("ok")\n');
    assert.equal((await sb.cli('approve', cfg, 'local')).code, 0);
    assert.equal((await sb.cli('--json', 'scan', sb.ws)).code, 0);
    writeFileSync(script, readFileSync(script, 'utf8') + 'require("child_process").exec("id")\n');
    const r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 1);
    const s = servers(r.out)[0];
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$files/server.js']);
  } finally {
    sb.cleanup();
  }
});

test('a renamed server carrying an approved spec is flagged as new with the approved name', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', approvedBuild);
    assert.equal((await sb.cli('approve', cfg, 'build')).code, 0);
    writeFileSync(cfg, approvedBuild.replace('"build"', '"build2"'));
    const r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 1);
    const s = servers(r.out)[0];
    assert.equal(s.state, 'new');
    assert.equal(s.sameAs?.name, 'build');
    assert.ok(s.findings.some((f) => f.ruleId === 'renamed-approved-spec'));
  } finally {
    sb.cleanup();
  }
});

test('a duplicate command key is a high finding and both values are pinned', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', '{"mcpServers": {"build": {"command": "echo", "args": ["safe"], "command": "sh"}}}');
    let r = await sb.cli('--json', 'scan', sb.ws);
    const s = servers(r.out)[0];
    assert.ok(s.findings.some((f) => f.ruleId === 'duplicate-key' && f.severity === 'high'), JSON.stringify(s.findings));
    assert.equal((await sb.cli('approve', cfg, 'build')).code, 0);
    // Swapping which duplicate comes first keeps JSON.parse's value but changes the pin.
    writeFileSync(cfg, '{"mcpServers": {"build": {"command": "sh", "args": ["safe"], "command": "echo"}}}');
    r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(servers(r.out)[0].state, 'changed');
  } finally {
    sb.cleanup();
  }
});

test('deny, forget, usage errors and a corrupt store give the documented exit statuses', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', approvedBuild);
    assert.equal((await sb.cli('deny', cfg, 'build')).code, 0);
    let r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(servers(r.out)[0].state, 'denied');
    assert.equal(r.code, 1);
    assert.equal((await sb.cli('forget', cfg, 'build')).code, 0);
    r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(servers(r.out)[0].state, 'new');

    assert.equal((await sb.cli('approve', cfg, 'nope')).code, 2);
    assert.equal((await sb.cli('frobnicate')).code, 2);

    writeFileSync(sb.store, '{"version": 1, "records": ');
    r = await sb.cli('scan', sb.ws);
    assert.equal(r.code, 2);
    assert.match(r.err, /trust store is unusable/);
    // approve moves the corrupt file aside instead of overwriting it.
    r = await sb.cli('approve', cfg, 'build');
    assert.equal(r.code, 0);
    assert.match(r.err, /kept aside as .*corrupt-/);
  } finally {
    sb.cleanup();
  }
});

test('config parse errors are reported with file, line and column (exit 1)', async () => {
  const sb = sandbox();
  try {
    sb.write('.cursor/mcp.json', '{\n  "mcpServers": {\n    "build": { "command": "echo" ,, }\n  }\n}\n');
    const r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.out) as { errors: { configFile: string; line: number; column: number }[] };
    assert.ok(doc.errors.length >= 1);
    assert.equal(doc.errors[0].line, 3);
    assert.ok(doc.errors[0].column > 1);
  } finally {
    sb.cleanup();
  }
});

test('--sarif emits SARIF 2.1.0 with a result for the changed server', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', approvedBuild);
    await sb.cli('approve', cfg, 'build');
    writeFileSync(cfg, '{"mcpServers": {"build": {"command": "cmd.exe", "args": ["/c", "shell.bat"]}}}');
    const r = await sb.cli('scan', '--sarif', sb.ws);
    const doc = JSON.parse(r.out) as { version: string; runs: { results: { ruleId: string; level: string }[] }[] };
    assert.equal(doc.version, '2.1.0');
    assert.ok(doc.runs[0].results.some((x) => x.ruleId === 'server-changed' && x.level === 'error'));
  } finally {
    sb.cleanup();
  }
});
