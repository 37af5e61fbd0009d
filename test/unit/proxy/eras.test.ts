/**
 * Both protocol eras through the probe and the guard: 2025-11-25 (SDK 1.x host, server-everything) and 2026-07-28
 * (2.x SDK host, a 2.x SDK server, a raw JSON-RPC modern server that plays bait-and-switch by per-request client
 * identity), and the mixed pairs. Real processes, the bundled CLI, a real trust store.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { probeServer, probeTwice } from '../../../src/core/probe';
import { readPendingReviews } from '../../../src/core/trust';
import { EVERYTHING, FIXTURES, guardSandbox, hostClient, probePins, specOf, until, type GuardSandbox } from './helpers';

const node = process.execPath;
const MODERN_RAW = join(FIXTURES, 'modern-raw.mjs');
const SDK2 = join(FIXTURES, 'sdk2-server.mjs');
type Text = { content: { text: string }[] };

/** A 2.x SDK client (the host), speaking 2026-07-28 (`pin`) or negotiating (`auto`), through the guard. */
async function modernHost(sb: GuardSandbox, name = 'Visual Studio Code', mode: 'auto' | 'pin' = 'pin'): Promise<Client2> {
  const transport = new Stdio2({ command: node, args: sb.entryArgs(), cwd: sb.ws, env: sb.env, stderr: 'pipe' });
  const client = new Client2({ name, version: '1.101.0' }, { versionNegotiation: { mode: mode === 'pin' ? { pin: '2026-07-28' } : 'auto' } });
  await client.connect(transport, { timeout: 20_000 });
  return client;
}

describe('probe: both eras', () => {
  test('a 2026-07-28 server is probed with server/discover and per-request identity; bait-and-switch by identity is caught', async () => {
    const r = await probeServer(specOf({ command: node, args: [MODERN_RAW] }), { clientInfo: { name: 'mcp-trust-guard-scan', version: '1' } });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.protocolVersion, '2026-07-28');
    assert.equal(r.serverInfo?.name, 'modern-raw');
    assert.equal(r.instructions, 'A calculator.');
    assert.deepEqual(r.tools.map((t) => (t as { description: string }).description), ['Adds two numbers.']);
    const twice = await probeTwice(specOf({ command: node, args: [MODERN_RAW] }), { clientInfo: { name: 'mcp-trust-guard-scan', version: '1' } }, { name: 'Visual Studio Code', version: '1' });
    assert.equal(twice.differs, true);
    assert.deepEqual(twice.differing.map((d) => `${d.kind}:${d.key}:${d.state}`).sort(), ['instructions:instructions:changed', 'tool:add:changed']);
  });

  test('a 2.x SDK server is probed in the modern era; server-everything (1.x) falls back to initialize', async () => {
    const m = await probeServer(specOf({ command: node, args: [SDK2] }));
    assert.equal(m.ok, true, m.error);
    assert.equal(m.protocolVersion, '2026-07-28');
    assert.deepEqual(m.tools.map((t) => (t as { name: string }).name), ['echo']);
    const l = await probeServer(specOf({ command: node, args: [EVERYTHING, 'stdio'] }));
    assert.equal(l.ok, true, l.error);
    assert.notEqual(l.protocolVersion, '2026-07-28');
    assert.ok(l.tools.length > 5);
  });
});

describe('guard proxy: a modern server that answers per client identity', () => {
  let sb: GuardSandbox;
  before(async () => {
    sb = await guardSandbox(node, [MODERN_RAW]);
    await sb.approve(await probePins(node, [MODERN_RAW]));
  });
  after(() => sb.cleanup());

  test('the host presenting another identity gets neither the poisoned tool nor the changed instructions; calls are refused with the reason', async () => {
    const client = await modernHost(sb, 'Visual Studio Code');
    try {
      assert.deepEqual((await client.listTools()).tools, []);
      assert.equal(client.getInstructions(), undefined);
      await assert.rejects(client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), /MCP Trust Guard: the tool "add" is new or changed since it was approved/);
    } finally {
      await client.close();
    }
    const reviews = await until(() => readPendingReviews(sb.store), 5_000, 'pending review');
    const items = reviews.flatMap((r) => r.items ?? []).map((i) => `${i.kind}:${i.key}`).sort();
    assert.deepEqual([...new Set(items)], ['instructions:instructions', 'tool:add']);
  });

  test('a host whose identity gets the approved answers sees them and calls work', async () => {
    const client = await modernHost(sb, 'mcp-trust-guard-scan');
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.description), ['Adds two numbers.']);
      assert.equal(client.getInstructions(), 'A calculator.');
      assert.equal(((await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) as Text).content[0].text, '3');
    } finally {
      await client.close();
    }
  });
});

describe('guard proxy: real servers of both eras, hosts of both eras', () => {
  let sb2: GuardSandbox;
  let sbTelemetry: GuardSandbox;
  let sbEverything: GuardSandbox;
  before(async () => {
    sb2 = await guardSandbox(node, [SDK2]);
    await sb2.approve(await probePins(node, [SDK2]));
    sbTelemetry = await guardSandbox(node, [SDK2], { env: { SDK2_TELEMETRY: '1' } });
    sbTelemetry.env.SDK2_TELEMETRY = '1'; // the host sets the entry's env for the process it launches
    await sbTelemetry.approve(await probePins(node, [SDK2], { ...process.env, SDK2_TELEMETRY: '1' } as Record<string, string>));
    sbEverything = await guardSandbox(node, [EVERYTHING, 'stdio']);
    await sbEverything.approve(await probePins(node, [EVERYTHING, 'stdio']));
  });
  after(() => {
    sb2.cleanup();
    sbTelemetry.cleanup();
    sbEverything.cleanup();
  });

  test('2.x server, 2026-07-28 host: list and 1,000 calls', async () => {
    const client = await modernHost(sb2);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
      assert.equal(client.getInstructions(), 'Echoes what you send.');
      for (let i = 0; i < 1000; i++) assert.equal(((await client.callTool({ name: 'echo', arguments: { message: `m${i}` } })) as Text).content[0].text, `Echo: m${i}`);
    } finally {
      await client.close();
    }
  });

  test('2.x server, 2025-11-25 host (SDK 1.x): list and 1,000 calls', async () => {
    const { client } = await hostClient(sb2);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
      for (let i = 0; i < 1000; i++) assert.equal(((await client.callTool({ name: 'echo', arguments: { message: `m${i}` } })) as Text).content[0].text, `Echo: m${i}`);
    } finally {
      await client.close();
    }
  });

  test('1.x server (server-everything), 2.x host negotiating: falls back to 2025-11-25 through the guard', async () => {
    const client = await modernHost(sbEverything, 'Visual Studio Code', 'auto');
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(tools.includes('echo'));
      assert.equal(((await client.callTool({ name: 'echo', arguments: { message: 'x' } })) as Text).content[0].text, 'Echo: x');
    } finally {
      await client.close();
    }
  });

  test('a server that prints telemetry to stdout is probed, pinned and works through the guard', async () => {
    const { client, stderr } = await hostClient(sbTelemetry);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
      assert.equal(((await client.callTool({ name: 'echo', arguments: { message: 'x' } })) as Text).content[0].text, 'Echo: x');
    } finally {
      await client.close();
    }
    assert.match(stderr(), /skipped a line on the server's stdout that is not JSON-RPC: "telemetry: started"/);
    assert.deepEqual(await readPendingReviews(sbTelemetry.store), []);
  });
});

describe('guard proxy: a raw server trying every message trick, an SDK 1.x host', () => {
  let sb: GuardSandbox;
  before(async () => {
    const fixture = join(FIXTURES, 'legacy-tricks.mjs');
    sb = await guardSandbox(node, [fixture]);
    await sb.approve(await probePins(node, [fixture]));
    sb.env.TRICKS = '1';
  });
  after(() => sb.cleanup());

  test('nothing unapproved reaches the host, through any path; every pinned item still does', async () => {
    const { client, stderr } = await hostClient(sb);
    try {
      assert.equal(client.getInstructions(), undefined, 'changed instructions are withheld');
      const first = await client.listTools();
      assert.deepEqual(first.tools.map((t) => t.name), ['add']);
      assert.deepEqual((await client.listTools({ cursor: first.nextCursor })).tools, []);
      await assert.rejects(client.callTool({ name: 'first_page', arguments: {} }), /MCP Trust Guard/);
      await assert.rejects(client.callTool({ name: 'unsolicited', arguments: {} }), /MCP Trust Guard/);
      const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
      assert.equal(((await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })) as Text).content[0].text, '5');
      await changed;
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['add']);
      await assert.rejects(client.callTool({ name: 'after_change', arguments: {} }), /MCP Trust Guard/);
    } finally {
      await client.close();
    }
    assert.match(stderr(), /answers nothing the guard sent/);
    assert.match(stderr(), /batch/);
    const reviews = await until(() => readPendingReviews(sb.store), 5_000, 'pending review');
    const keys = new Set(reviews.flatMap((r) => r.items ?? []).map((i) => i.key));
    for (const k of ['instructions', 'first_page', 'second_page', 'after_change']) assert.ok(keys.has(k), `${k} is up for review`);
    assert.ok(!keys.has('unsolicited') && !keys.has('batched'), 'unsolicited answers were never read as lists');
  });
});
