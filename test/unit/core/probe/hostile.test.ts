import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeServer } from '../../../../src/core/probe';
import { alive, assertGone, fixtureSpec, stdioSpec } from './helpers';

// Hostile and broken servers: each is refused with a clear reason, and no process is left behind.

test('a server that never answers initialize times out; it, its SIGTERM-ignoring grandchild and its group are killed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-probe-'));
  try {
    const pidFile = join(dir, 'child.pid');
    const t0 = Date.now();
    const r = await probeServer(fixtureSpec('never-initialize', { env: { FIXTURE_CHILD_PID_FILE: pidFile } }), {
      timeoutMs: 2_000,
      killGraceMs: 300,
    });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /did not answer initialize within 2000 ms/);
    assert.ok(Date.now() - t0 < 8_000, 'bounded');
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    assert.ok(grandchild > 0);
    await assertGone(r.pid, 5_000);
    await assertGone(grandchild, 5_000);
    assert.equal(alive(grandchild), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a banner on stdout is skipped and logged as SDK hosts skip it; the server is probed and pinned, process gone', async () => {
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  const r = await probeServer(fixtureSpec('garbage'), { timeoutMs: 5_000, logger: { debug: log, info: log, warn: log, error: log } });
  assert.equal(r.ok, true, r.error);
  assert.deepEqual(r.tools.map((t) => (t as { name: string }).name), ['add']);
  assert.ok(logs.some((l) => /skipped a line on the server's stdout that is not JSON-RPC: "Starting awesome MCP server/.test(l)));
  await assertGone(r.pid);
});

test('a 10 MiB description is refused at the byte cap without being loaded, process gone', async () => {
  const r = await probeServer(fixtureSpec('huge-line'), { timeoutMs: 5_000 });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /larger than 4194304 bytes/);
  assert.deepEqual(r.tools, []);
  assert.equal(r.serverInfo?.name, 'huge-line-fixture', 'initialize itself succeeded');
  await assertGone(r.pid);
});

test('a line that never ends is refused at the byte cap, process gone', async () => {
  const r = await probeServer(fixtureSpec('huge-line', { env: { HUGE_MODE: 'unterminated' } }), { timeoutMs: 5_000, maxResponseBytes: 1024 * 1024 });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /larger than 1048576 bytes/);
  await assertGone(r.pid);
});

test('10,000 tools in pages of 1,000: stops at maxItems with truncated and a warning, process gone', async () => {
  const r = await probeServer(fixtureSpec('many-tools'), { timeoutMs: 5_000 });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.tools.length, 5_000);
  assert.equal(r.truncated, true);
  assert.match(r.warnings.join('\n'), /more than 5000 items/);
  assert.equal((r.tools[4_999] as { name: string }).name, 'tool_4999');
  await assertGone(r.pid);
});

test('10,000 tools in one page with maxItems 100: cut at 100', async () => {
  const r = await probeServer(fixtureSpec('many-tools', { env: { PAGE_SIZE: '0' } }), { timeoutMs: 5_000, maxItems: 100 });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.tools.length, 100);
  assert.equal(r.truncated, true);
  await assertGone(r.pid);
});

test('a command that does not exist: clear error, nothing runs', async () => {
  const r = await probeServer(stdioSpec('/nonexistent/mcp-server-binary', []), { timeoutMs: 2_000 });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /cannot start server command "\/nonexistent\/mcp-server-binary": .*ENOENT/);
});

test('a server that exits at once: clear error with its stderr', async () => {
  const r = await probeServer(stdioSpec(process.execPath, ['-e', 'console.error("boom: missing API key"); process.exit(3)']), { timeoutMs: 2_000 });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /exited \(code 3\)|Connection closed/);
  assert.match(r.stderr, /boom: missing API key/);
  await assertGone(r.pid);
});

test('stderr is kept in a bounded ring buffer (the tail)', async () => {
  const script = 'process.stderr.write("A".repeat(200000) + "TAIL"); setTimeout(() => process.exit(1), 50)';
  const r = await probeServer(stdioSpec(process.execPath, ['-e', script]), { timeoutMs: 2_000, maxStderrBytes: 1_000 });
  assert.equal(r.ok, false);
  assert.ok(r.stderr.length < 1_100, `${r.stderr.length}`);
  assert.match(r.stderr, /earlier bytes dropped/);
  assert.ok(r.stderr.endsWith('TAIL'));
});

test('${input:…} in the launch spec: ok false, nothing spawned (marker file absent)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-probe-'));
  try {
    const marker = join(dir, 'started');
    const r = await probeServer(fixtureSpec('marker', { env: { MARKER_FILE: marker, TOKEN: '${input:api-token}' } }), { timeoutMs: 2_000 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /cannot be resolved, nothing was started: \$\{input:api-token\}/);
    assert.equal(r.pid, undefined);
    assert.equal(existsSync(marker), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('marker server starts with the merged env and resolved variables, process gone afterwards', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-probe-'));
  try {
    const r = await probeServer(fixtureSpec('marker', { env: { MARKER_FILE: '${workspaceFolder}${pathSeparator}started' } }), {
      timeoutMs: 2_000,
      workspaceFolder: dir,
    });
    assert.equal(r.ok, true, r.error);
    const marker = join(dir, 'started');
    assert.equal(Number(readFileSync(marker, 'utf8')), r.pid);
    await assertGone(r.pid);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an aborted probe kills the server', async () => {
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('user cancelled')), 300);
  const r = await probeServer(fixtureSpec('never-initialize'), { timeoutMs: 10_000, signal: ac.signal, killGraceMs: 200 });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /probe aborted during initialize: user cancelled/);
  assert.ok(r.ms < 5_000);
  await assertGone(r.pid, 5_000);
});
