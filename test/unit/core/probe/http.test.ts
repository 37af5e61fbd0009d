import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeServer } from '../../../../src/core/probe';
import type { ServerSpec } from '../../../../src/core/types';
import { startHttpFixture, stdioSpec, stopChild as stop } from './helpers';

// Remote servers on loopback: streamable HTTP, and the fallback to the deprecated HTTP+SSE transport.

const remote = (transport: 'http' | 'sse', url: string): ServerSpec => ({
  ...stdioSpec('unused', []),
  transport,
  command: undefined,
  args: undefined,
  url,
  headers: { 'X-Test': '1' },
});

test('streamable HTTP server on loopback: probed, raw tools kept', async () => {
  const { child, port } = await startHttpFixture('streamable');
  try {
    const r = await probeServer(remote('http', `http://127.0.0.1:${port}/mcp`), { timeoutMs: 3_000 });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.serverInfo?.name, 'http-streamable-fixture');
    assert.match(String((r.tools[0] as { description: string }).description), /ssh_keys/);
    assert.equal(r.stderr, '');
  } finally {
    await stop(child);
  }
});

test('an http server that only speaks HTTP+SSE: the probe falls back to SSE', async () => {
  const { child, port } = await startHttpFixture('sse');
  try {
    const r = await probeServer(remote('http', `http://127.0.0.1:${port}/mcp`), { timeoutMs: 3_000 });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.serverInfo?.name, 'http-sse-fixture');
    assert.equal(r.tools.length, 1);
  } finally {
    await stop(child);
  }
});

test('an HTTP response over maxResponseBytes is refused', async () => {
  const { child, port } = await startHttpFixture('streamable');
  try {
    const r = await probeServer(remote('http', `http://127.0.0.1:${port}/mcp`), { timeoutMs: 3_000, maxResponseBytes: 300 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /larger than 300 bytes|over the 300-byte limit/);
  } finally {
    await stop(child);
  }
});

test('nothing listening: clear error within the timeout', async () => {
  const r = await probeServer(remote('http', 'http://127.0.0.1:9/mcp'), { timeoutMs: 1_000 });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /streamable HTTP: .*HTTP\+SSE fallback: /);
  assert.ok(r.ms < 5_000);
});
