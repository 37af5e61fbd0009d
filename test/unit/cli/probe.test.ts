import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sandbox } from '../../helpers/cli';

const NM = resolve(__dirname, '../../../node_modules/@modelcontextprotocol');
const FIX = resolve(__dirname, '../../fixtures/servers');

interface ItemJson { name: string; state: string; changedFields: string[]; findings: { ruleId: string; severity: string }[] }
interface ServerJson { name: string; state: string; probe: { ok: boolean; error?: string }; tools?: ItemJson[] }
const serversOf = (out: string) => (JSON.parse(out) as { servers: ServerJson[] }).servers;

test('real reference servers: approve --all --probe, then scan --probe finds every tool pinned and no high finding', async () => {
  const sb = sandbox();
  try {
    const cfg = {
      mcpServers: {
        everything: { command: process.execPath, args: [join(NM, 'server-everything/dist/index.js'), 'stdio'] },
        filesystem: { command: process.execPath, args: [join(NM, 'server-filesystem/dist/index.js'), sb.root] },
        memory: { command: process.execPath, args: [join(NM, 'server-memory/dist/index.js')], env: { MEMORY_FILE_PATH: join(sb.root, 'memory.jsonl') } },
      },
    };
    sb.write('.cursor/mcp.json', JSON.stringify(cfg, null, 2));
    let r = await sb.cli('--json', 'approve', '--all', sb.ws, '--probe');
    assert.equal(r.code, 0, r.err);
    r = await sb.cli('--json', 'scan', '--probe', sb.ws);
    const servers = serversOf(r.out);
    assert.equal(servers.length, 3);
    for (const s of servers) {
      assert.equal(s.probe.ok, true, `${s.name}: ${s.probe.error}`);
      assert.ok((s.tools ?? []).length > 0, s.name);
      assert.deepEqual((s.tools ?? []).filter((t) => t.state !== 'pinned'), [], s.name);
      assert.deepEqual((s.tools ?? []).flatMap((t) => t.findings.filter((f) => f.severity === 'high')), [], s.name);
    }
    assert.equal(r.code, 0, r.out.slice(0, 2000));
  } finally {
    sb.cleanup();
  }
});

test('a rug pull after approval is reported as a changed tool (exit 1) with a description diff', async () => {
  const sb = sandbox();
  try {
    const state = join(sb.root, 'rug-state');
    writeFileSync(state, 'benign');
    const cfg = sb.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { calc: { command: process.execPath, args: [join(FIX, 'rug-pull.mjs'), state] } } }));
    assert.equal((await sb.cli('approve', cfg, 'calc', '--probe')).code, 0);
    let r = await sb.cli('--json', 'scan', '--probe', sb.ws);
    assert.equal(r.code, 0, r.out);
    writeFileSync(state, 'malicious');
    r = await sb.cli('--json', 'scan', '--probe', sb.ws);
    assert.equal(r.code, 1);
    const add = serversOf(r.out)[0].tools?.find((t) => t.name === 'add');
    assert.equal(add?.state, 'changed');
    assert.ok(add?.changedFields.includes('description'));
    assert.ok(add?.findings.some((f) => f.severity === 'high'), 'the new description is poisoned');
    r = await sb.cli('diff', '--probe', cfg, 'calc');
    assert.equal(r.code, 1);
    assert.match(r.out, /tool add: CHANGED \(description\)/);
    assert.match(r.out, /\[\+/);
  } finally {
    sb.cleanup();
  }
});

test('scan --probe never launches a server that is not approved (marker file stays absent)', async () => {
  const sb = sandbox();
  try {
    const marker = join(sb.root, 'started.marker');
    sb.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { m: { command: process.execPath, args: [join(FIX, 'marker.mjs')], env: { MARKER_FILE: marker } } } }));
    const r = await sb.cli('--json', 'scan', '--probe', sb.ws);
    assert.equal(r.code, 1);
    const s = serversOf(r.out)[0];
    assert.equal(s.state, 'new');
    assert.equal(s.probe.ok, false);
    assert.match(s.probe.error ?? '', /only a server whose current launch spec is approved is ever launched/);
    assert.equal(existsSync(marker), false);
  } finally {
    sb.cleanup();
  }
});

test('a poisoned server: approve --probe pins it but scan --probe reports the high findings (exit 1)', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { p: { command: process.execPath, args: [join(FIX, 'poisoned.mjs')] } } }));
    await sb.cli('approve', cfg, 'p', '--probe');
    const r = await sb.cli('--json', 'scan', '--probe', sb.ws);
    assert.equal(r.code, 1);
    const tools = serversOf(r.out)[0].tools ?? [];
    const rules = new Set(tools.flatMap((t) => t.findings.filter((f) => f.severity === 'high').map((f) => f.ruleId)));
    assert.ok(rules.has('exfiltration') || rules.has('hidden-instructions'), [...rules].join());
    assert.ok(rules.has('invisible-unicode'), [...rules].join());
  } finally {
    sb.cleanup();
  }
});

test('a guarded entry is probed at the server it wraps, so approve --probe pins its tools', async () => {
  const sb = sandbox();
  try {
    const cfgPath = join(sb.ws, '.cursor/mcp.json');
    const entry = {
      command: process.execPath,
      args: ['/opt/mcp-trust-guard/cli.js', 'run', '--config', cfgPath, '--name', 'g', '--', process.execPath, join(FIX, 'rug-pull.mjs'), join(sb.root, 'state')],
    };
    sb.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { g: entry } }));
    assert.equal((await sb.cli('approve', cfgPath, 'g', '--probe')).code, 0);
    const r = await sb.cli('--json', 'scan', '--probe', sb.ws);
    const s = serversOf(r.out)[0];
    assert.equal(s.probe.ok, true, s.probe.error);
    assert.deepEqual(s.tools?.map((t) => `${t.name}:${t.state}`), ['add:pinned']);
  } finally {
    sb.cleanup();
  }
});
