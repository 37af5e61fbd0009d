import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_FLUSH_BOUND_MS, AuditTransitions, JsonlAuditLog, redactRecord, type AuditRecord } from '../../../../src/core/audit';
import { Scanner } from '../../../../src/core/scan';
import { emptyStore, recordDecisions, TrustStore } from '../../../../src/core/trust';
import { auditStory, STORY_TOKEN } from '../../../helpers/auditStory';
import { sandbox, type Sandbox } from '../../../helpers/cli';
import { startOtlpReceiver } from '../../../helpers/otlpReceiver';

const TOKEN = STORY_TOKEN;
const story = auditStory;

function jsonl(sb: Sandbox): AuditRecord[] {
  return readFileSync(join(sb.root, 'store', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
}

test('a loopback OTLP receiver gets the approve → change → block story with the documented attributes; the JSONL log holds it too', async () => {
  const rx = await startOtlpReceiver();
  const sb = sandbox();
  try {
    sb.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = rx.url;
    await story(sb);
    await rx.waitFor(3, 5000);
    assert.deepEqual(rx.logs.map((l) => l.eventName), ['mcp_trust_guard.server.approved', 'mcp_trust_guard.server.changed', 'mcp_trust_guard.server.blocked']);
    const [approved, changed, blocked] = rx.logs;
    for (const l of rx.logs) {
      assert.equal(l.attributes['mcp_trust_guard.server.name'], 'build');
      assert.equal(l.attributes['mcp_trust_guard.host'], 'cursor');
      assert.equal(l.attributes['file.path'], join(sb.ws, '.cursor', 'mcp.json'));
      assert.equal(l.attributes['network.transport'], 'pipe');
      assert.match(l.attributes['mcp_trust_guard.fingerprint'], /^[0-9a-f]{64}$/);
      assert.ok(l.attributes['user.name']);
      assert.equal(l.attributes['mcp_trust_guard.actor'], 'cli');
      assert.equal(l.resource['service.name'], 'mcp-trust-guard');
      assert.ok(l.resource['host.name']);
    }
    assert.equal(approved.attributes['mcp_trust_guard.outcome'], 'approved');
    assert.equal(approved.attributes['mcp_trust_guard.lever'], 'user');
    assert.equal(changed.attributes['mcp_trust_guard.outcome'], 'changed');
    assert.match(changed.attributes['mcp_trust_guard.reason'], /\/command/);
    assert.notEqual(changed.attributes['mcp_trust_guard.fingerprint'], approved.attributes['mcp_trust_guard.fingerprint']);
    assert.equal(blocked.attributes['mcp_trust_guard.outcome'], 'blocked');
    assert.equal(blocked.attributes['mcp_trust_guard.lever'], 'policy');
    assert.equal(blocked.attributes['mcp_trust_guard.rule'], 'deniedMcpServers[0]');
    assert.equal(blocked.attributes['mcp_trust_guard.policy.file'], join(sb.root, 'team-policy.json'));
    assert.equal(blocked.severityText, 'WARN');

    const lines = jsonl(sb);
    assert.deepEqual(lines.map((r) => r.event), ['server.approved', 'server.changed', 'server.blocked']);
    assert.ok(!JSON.stringify(rx.logs).includes(TOKEN) && !readFileSync(join(sb.root, 'store', 'audit.jsonl'), 'utf8').includes('ghp_0123'), 'no secret in any record');
  } finally {
    sb.cleanup();
    await rx.close();
  }
});

test('with the collector down the story completes within the flush bound per command, and the JSONL log holds every record', async () => {
  const rx = await startOtlpReceiver();
  await rx.close();
  const sb = sandbox();
  try {
    sb.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = rx.url;
    const times = await story(sb);
    for (const t of times) assert.ok(t < AUDIT_FLUSH_BOUND_MS + 1500, `a command took ${Math.round(t)} ms with the collector down`);
    assert.deepEqual(jsonl(sb).map((r) => r.event), ['server.approved', 'server.changed', 'server.blocked']);
  } finally {
    sb.cleanup();
  }
});

test('redaction masks known-format secrets in every string, nested ones too, and caps length', () => {
  const r = redactRecord({ reason: `token ${TOKEN} here`, item: { kind: 'tool', name: TOKEN }, n: 3, long: 'x'.repeat(10_000) });
  assert.ok(!JSON.stringify(r).includes(TOKEN));
  assert.match(r.reason, /ghp_…\(40 chars\)/);
  assert.equal(r.n, 3);
  assert.ok(r.long.length <= 2001);
});

test('the JSONL log rotates at its size bound and keeps a bounded number of files', async () => {
  const sb = sandbox();
  try {
    const path = join(sb.root, 'audit.jsonl');
    const log = new JsonlAuditLog(path, { maxBytes: 1000, keep: 2 });
    const rec = (i: number): AuditRecord => ({ time: new Date(0).toISOString(), event: 'server.discovered', outcome: 'new', user: 'u', machine: 'm', actor: 'cli', server: `s${i}`.padEnd(100, '.') });
    for (let i = 0; i < 60; i++) log.append(rec(i));
    await log.flushed();
    assert.equal(log.failed, 0);
    for (const p of [path, `${path}.1`, `${path}.2`]) assert.ok(readFileSync(p, 'utf8').length <= 1000, p);
    assert.ok(!existsSync(`${path}.3`));
    const last = readFileSync(path, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as AuditRecord).server);
    assert.match(last.at(-1) ?? '', /^s59/, 'the newest record is in the live file');
  } finally {
    sb.cleanup();
  }
});

test('the extension records transitions only: discovered once, approved when it turns approved, changed, then blocked by policy', async () => {
  const sb = sandbox();
  try {
    const cfg = sb.write('.vscode/mcp.json', JSON.stringify({ servers: { a: { command: 'echo', args: ['1'] } } }));
    const store = new TrustStore(sb.store);
    const scanner = new Scanner({ workspaceFolders: [sb.ws], home: sb.home, includeUser: false });
    const t = new AuditTransitions();
    let r = await scanner.scanAll(emptyStore());
    assert.deepEqual(t.next(r.servers).map((x) => x.event), ['server.discovered']);
    assert.deepEqual(t.next(r.servers), [], 'nothing moved');
    await recordDecisions(store, r.servers, 'approved', new Date());
    r = await scanner.reevaluate((await store.read()).data);
    assert.deepEqual(t.next(r.servers).map((x) => [x.event, x.lever]), [['server.approved', 'user']]);
    writeFileSync(cfg, JSON.stringify({ servers: { a: { command: 'echo', args: ['2'] } } }));
    r = await scanner.scanAll((await store.read()).data);
    assert.deepEqual(t.next(r.servers).map((x) => x.event), ['server.changed']);
    scanner.policy = { sources: [{ kind: 'guard', path: '/etc/p.json', sha256: '0'.repeat(64), policy: { deniedMcpServers: [{ serverName: 'a' }] } }], problems: [], checked: [] };
    r = await scanner.reevaluate((await store.read()).data);
    assert.deepEqual(t.next(r.servers).map((x) => [x.event, x.lever, x.rule, x.policyFile]), [['server.blocked', 'policy', 'deniedMcpServers[0]', '/etc/p.json']]);
    // Block moves the entry into quarantine (it leaves the servers); Restore brings it back.
    const q = [{ configFile: cfg, pointer: '/servers/a', name: 'a', host: 'vscode' as const }];
    assert.deepEqual(t.next([], q).map((x) => [x.event, x.lever]), [['server.blocked', 'quarantine']]);
    assert.deepEqual(t.next([], q), []);
    scanner.policy = { sources: [], problems: [], checked: [] };
    r = await scanner.reevaluate((await store.read()).data);
    assert.deepEqual(t.next(r.servers).map((x) => [x.event, x.outcome]), [['server.restored', 'restored'], ['server.changed', 'changed']]);
  } finally {
    sb.cleanup();
  }
});
