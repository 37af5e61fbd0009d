/**
 * The guard proxy's `run --url` bridge end to end, over streamable HTTP and over the deprecated HTTP+SSE
 * transport (fallback): the bundled CLI, the real trust store and a hand-written `run --url` entry in a temp dir,
 * the SDK client as the host, and the HTTP fixture server on 127.0.0.1, whose request log tells what reached it.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isGuarded } from '../../../src/core/edit/guard';
import { pinMetadata, type MetadataPins } from '../../../src/core/pins';
import { emptyProbeResult, probeServer, probeTwice } from '../../../src/core/probe';
import { readPendingReviews } from '../../../src/core/trust';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { FIXTURES, startHttpFixture, stopChild } from '../core/probe/helpers';
import { buildCli, hostClient, sandbox, specOf, until, waitGone, type GuardSandbox } from './helpers';

const node = process.execPath;

/** The benign `add` of test/fixtures/servers/_lib.mjs (the fixture serves the poisoned one). */
const benignAdd = {
  name: 'add',
  description: 'Adds two numbers.',
  inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
};

interface Fixture {
  child: ChildProcess;
  port: number;
  url: string;
  /** Lines of the fixture's request log so far. */
  requests(): string[];
}

async function startFixture(mode: 'streamable' | 'sse', logFile: string): Promise<Fixture> {
  writeFileSync(logFile, '');
  const f = await startHttpFixture(mode, { REQUEST_LOG: logFile });
  const requests = () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  return { ...f, requests };
}

const stopFixture = (f: Fixture | undefined): Promise<void> => stopChild(f?.child);

/**
 * A temp workspace whose `.vscode/mcp.json` has a hand-written bridge entry `remote`:
 * `node <cli> run --config <file> --name remote --url <url>` (remote entries are not guarded automatically).
 */
function remoteSandbox(cli: string, url: string, name = 'remote'): Promise<GuardSandbox> {
  return sandbox(
    name,
    (configFile, _cli, store) => `${JSON.stringify({ servers: { [name]: { command: node, args: [cli, '--store', store, 'run', '--config', configFile, '--name', name, '--url', url] } } }, null, 2)}\n`,
    (raw) => isGuarded(raw)?.url === url,
    { prefix: 'mtg-bridge-', cli, env: { MCP_TRUST_GUARD_LOG: 'debug' } },
  );
}

/** Pins of what the server at `url` serves now, probed directly (transport `http`: streamable, else SSE). */
async function probeHttpPins(url: string): Promise<MetadataPins> {
  const r = await probeServer(specOf({ url }), { clientInfo: { name: 'mcp-trust-guard-scan', version: '1' }, timeoutMs: 10_000 });
  if (!r.ok) throw new Error(`probe failed: ${r.error}`);
  return pinMetadata(r, new Date());
}

/** Pins of a server that serves the benign `add` (not what the fixture serves). */
function benignPins(): MetadataPins {
  return pinMetadata({ ...emptyProbeResult(), tools: [benignAdd] }, new Date());
}

/** A proxy spawned by hand, spoken to in raw JSON-RPC lines. */
interface RawProxy {
  child: ChildProcess;
  /** Writes the messages as lines, in one write. */
  write(...messages: object[]): void;
  /** The response with `id` (it may have come already); rejects after 20 s. */
  answer(id: number): Promise<Record<string, unknown>>;
  request(id: number, method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  notify(method: string): void;
  /** Every stdout line so far. */
  lines: string[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function rawProxy(sb: GuardSandbox): RawProxy {
  const child = spawn(node, sb.entryArgs(), { cwd: sb.ws, env: sb.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const answers = new Map<number, Record<string, unknown>>();
  const waiters = new Map<number, (m: Record<string, unknown>) => void>();
  let buf = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdout!.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    for (let i = buf.indexOf('\n'); i !== -1; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(line);
      const m = JSON.parse(line) as Record<string, unknown>;
      if (typeof m.id === 'number') {
        answers.set(m.id, m);
        waiters.get(m.id)?.(m);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const write = (...messages: object[]) => void child.stdin!.write(messages.map((m) => `${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`).join(''));
  const answer = (id: number) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const have = answers.get(id);
      if (have) return resolve(have);
      const t = setTimeout(() => reject(new Error(`no answer to request ${id} in 20 s; stderr: ${err}`)), 20_000);
      waiters.set(id, (m) => {
        clearTimeout(t);
        resolve(m);
      });
    });
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    write,
    answer,
    request(id, method, params) {
      write({ id, method, ...(params ? { params } : {}) });
      return answer(id);
    },
    notify(method) {
      write({ method });
    },
  };
}

const INIT_PARAMS = { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-host', version: '1' } };

/** Resolves with the exit, or kills the proxy (by its pid) and rejects after `ms`. */
async function exitWithin(p: RawProxy, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      p.child.kill('SIGKILL');
      reject(new Error(`proxy did not exit within ${ms} ms; stderr: ${p.stderr()}`));
    }, ms);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

let cliDir: string;
let cli: string;
before(async () => {
  cliDir = mkdtempSync(join(tmpdir(), 'mtg-bridge-cli-'));
  cli = await buildCli(cliDir);
});
after(() => rmSync(cliDir, { recursive: true, force: true }));

for (const mode of ['streamable', 'sse'] as const) {
  describe(`guard proxy --url bridge (${mode === 'sse' ? 'HTTP+SSE fallback' : 'streamable HTTP'})`, () => {
    let logDir: string;
    let fx: Fixture;
    before(async () => {
      logDir = mkdtempSync(join(tmpdir(), 'mtg-bridge-log-'));
      fx = await startFixture(mode, join(logDir, 'requests.log'));
    });
    after(async () => {
      await stopFixture(fx);
      rmSync(logDir, { recursive: true, force: true });
    });

    test('an unapproved entry contacts nothing; the host sees the blocked tool; a launch review is recorded', async () => {
      const sb = await remoteSandbox(cli, fx.url);
      try {
        const { client, transport, stderr } = await hostClient(sb);
        const pid = transport.pid!;
        try {
          const tools = (await client.listTools()).tools;
          assert.deepEqual(tools.map((t) => t.name), ['mcp_trust_guard_blocked'], stderr());
          assert.match(tools[0].description ?? '', /blocked the MCP server "remote".*never been approved/);
          const r = (await client.callTool({ name: 'mcp_trust_guard_blocked', arguments: {} })) as { isError?: boolean };
          assert.equal(r.isError, true);
          const r2 = (await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })) as { isError?: boolean; content: { text: string }[] };
          assert.equal(r2.isError, true);
          assert.match(r2.content[0].text, /Nothing was started/);
        } finally {
          await client.close();
          await waitGone(pid, 10_000);
        }
        assert.deepEqual(fx.requests(), [], 'the server must not have been contacted');
        const reviews = await readPendingReviews(sb.store);
        assert.deepEqual(reviews.map((r) => [r.kind, r.pointer]), [['launch', '/servers/remote']]);
      } finally {
        sb.cleanup();
      }
    });

    test('approved with the served tool pinned: tools/list shows it exactly as served; tools/call round-trips', async (t) => {
      const pins = await probeHttpPins(fx.url);
      const served = (pins.tools.add?.item as { description?: string } | undefined)?.description;
      assert.match(served ?? '', /<IMPORTANT>/, 'the probe must have seen the served (poisoned) add');
      const sb = await remoteSandbox(cli, fx.url);
      try {
        await sb.approve(pins);
        const mark = fx.requests().length;
        const { client, transport, stderr } = await hostClient(sb);
        const pid = transport.pid!;
        try {
          assert.equal(client.getServerVersion()?.name, `http-${mode}-fixture`);
          const tools = (await client.listTools()).tools;
          assert.deepEqual(tools.map((x) => x.name), ['add'], stderr());
          assert.equal(tools[0].description, served);
          const r = (await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })) as { content: { type: string; text: string }[] };
          assert.deepEqual(r.content, [{ type: 'text', text: '5' }]);

          const n = 20;
          const t0 = process.hrtime.bigint();
          for (let i = 0; i < n; i++) {
            const x = (await client.callTool({ name: 'add', arguments: { a: i, b: 1 } })) as { content: { text: string }[] };
            assert.equal(x.content[0].text, String(i + 1));
          }
          t.diagnostic(`${mode}: tools/call through the bridge, mean of ${n}: ${(ms(t0) / n).toFixed(1)} ms`);
        } finally {
          await client.close();
          await waitGone(pid, 10_000);
        }
        const seen = fx.requests().slice(mark);
        assert.equal(seen.filter((l) => l.endsWith(' tools/call')).length, 21, seen.join('\n'));
        assert.ok(seen.some((l) => l.endsWith(' initialize')), seen.join('\n'));
        assert.deepEqual(await readPendingReviews(sb.store), []);
      } finally {
        sb.cleanup();
      }
    });

    test('approved, but the server serves another add than was pinned: withheld, its call refused and never sent, a metadata review is recorded', async () => {
      const sb = await remoteSandbox(cli, fx.url);
      try {
        await sb.approve(benignPins());
        const mark = fx.requests().length;
        const { client, transport, stderr } = await hostClient(sb);
        const pid = transport.pid!;
        try {
          assert.deepEqual((await client.listTools()).tools, [], stderr());
          await assert.rejects(client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }), /MCP Trust Guard: .*withheld pending review/);
        } finally {
          await client.close();
          await waitGone(pid, 10_000);
        }
        const seen = fx.requests().slice(mark);
        assert.ok(seen.some((l) => l.endsWith(' tools/list')), `the proxy must have bridged tools/list:\n${seen.join('\n')}`);
        assert.ok(!seen.some((l) => l.includes('tools/call')), `the server must not see the refused call:\n${seen.join('\n')}`);
        const reviews = await until(async () => (await readPendingReviews(sb.store)).filter((r) => r.kind === 'metadata'), 10_000, 'metadata review');
        assert.equal(reviews.length, 1);
        assert.equal(reviews[0].pointer, '/servers/remote');
        assert.deepEqual(reviews[0].items?.map((i) => [i.kind, i.key, i.state]), [['tool', 'add', 'changed']]);
        assert.match(JSON.stringify(reviews[0].items?.[0].item), /ssh_keys/);
      } finally {
        sb.cleanup();
      }
    });

    test('an entry approved for one URL, invoked with another --url: blocked, nothing contacted', async () => {
      const sb = await remoteSandbox(cli, fx.url);
      try {
        await sb.approve(await probeHttpPins(fx.url));
        const mark = fx.requests().length;
        const other = `http://127.0.0.1:${fx.port}/mcp-other`;
        const args = sb.entryArgs().map((a) => (a === fx.url ? other : a));
        assert.ok(args.includes(other));
        const { client, transport, stderr } = await hostClient(sb, args);
        const pid = transport.pid!;
        try {
          const tools = (await client.listTools()).tools;
          assert.deepEqual(tools.map((x) => x.name), ['mcp_trust_guard_blocked'], stderr());
          assert.match(tools[0].description ?? '', /bridges .*mcp-other/);
        } finally {
          await client.close();
          await waitGone(pid, 10_000);
        }
        assert.deepEqual(fx.requests().slice(mark), [], 'nothing may be contacted');
        const reviews = await readPendingReviews(sb.store);
        assert.deepEqual(reviews.map((r) => r.kind), ['launch']);
      } finally {
        sb.cleanup();
      }
    });

    test('the host closing stdin ends the proxy with exit code 0 and closes the remote connection', async (t) => {
      const sb = await remoteSandbox(cli, fx.url);
      try {
        await sb.approve(await probeHttpPins(fx.url));
        const mark = fx.requests().length;
        const p = rawProxy(sb);
        try {
          const init = await p.request(1, 'initialize', INIT_PARAMS);
          const result = init.result as { serverInfo?: { name?: string }; capabilities?: { tools?: { listChanged?: boolean } } } | undefined;
          assert.equal(result?.serverInfo?.name, `http-${mode}-fixture`, JSON.stringify(init));
          assert.equal(result?.capabilities?.tools?.listChanged, true);
          p.notify('notifications/initialized');
          const list = await p.request(2, 'tools/list');
          assert.deepEqual((list.result as { tools: { name: string }[] }).tools.map((x) => x.name), ['add']);
          const t0 = process.hrtime.bigint();
          const call = await p.request(3, 'tools/call', { name: 'add', arguments: { a: 2, b: 3 } });
          t.diagnostic(`${mode}: first tools/call on a raw session: ${ms(t0).toFixed(1)} ms`);
          assert.deepEqual((call.result as { content: unknown[] }).content, [{ type: 'text', text: '5' }]);
          if (mode === 'sse') assert.ok(fx.requests().slice(mark).includes('GET /mcp'), 'an SSE stream must be open');

          const t1 = process.hrtime.bigint();
          p.child.stdin!.end();
          const { code, signal } = await exitWithin(p, 15_000);
          t.diagnostic(`${mode}: stdin EOF to proxy exit: ${ms(t1).toFixed(0)} ms`);
          assert.equal(signal, null, p.stderr());
          assert.equal(code, 0, p.stderr());
          await waitGone(p.child.pid!, 5_000);
          for (const line of p.lines) assert.doesNotThrow(() => JSON.parse(line), `stdout carries JSON-RPC only: ${line}`);
          if (mode === 'sse') {
            // The bridge closed its event stream; the server saw it go.
            await until(() => fx.requests().slice(mark).includes('CLOSED GET /mcp'), 5_000, 'the SSE stream to close');
          }
        } finally {
          if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        }
      } finally {
        sb.cleanup();
      }
    });

    test('messages sent before the first is answered wait for the transport: one connection, in the host\'s order', async () => {
      const sb = await remoteSandbox(cli, fx.url);
      try {
        await sb.approve(await probeHttpPins(fx.url));
        const mark = fx.requests().length;
        const p = rawProxy(sb);
        try {
          // A ping may be sent before the initialize result (MCP spec 2025-06-18, "Lifecycle").
          p.write({ id: 1, method: 'initialize', params: INIT_PARAMS }, { id: 2, method: 'ping' });
          const [init, ping] = await Promise.all([p.answer(1), p.answer(2)]);
          assert.ok(init.result, JSON.stringify(init));
          assert.deepEqual(ping.result, {}, JSON.stringify(ping));
          p.write({ method: 'notifications/initialized' }, { id: 3, method: 'tools/list' });
          const list = await p.answer(3);
          assert.deepEqual((list.result as { tools: { name: string }[] }).tools.map((x) => x.name), ['add']);
          const seen = fx.requests().slice(mark);
          const rpc = seen.filter((l) => l.startsWith('POST ') && !l.endsWith(' -')).map((l) => l.split(' ').slice(2).join(' '));
          assert.deepEqual(rpc, ['initialize', 'ping', 'notifications/initialized', 'tools/list'], seen.join('\n'));
          if (mode === 'sse') {
            assert.equal(seen.filter((l) => l === 'POST /mcp -').length, 1, `one streamable attempt:\n${seen.join('\n')}`);
            assert.equal(seen.filter((l) => l === 'GET /mcp').length, 1, `one SSE stream:\n${seen.join('\n')}`);
          }
          p.child.stdin!.end();
          assert.deepEqual(await exitWithin(p, 15_000), { code: 0, signal: null }, p.stderr());
        } finally {
          if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        }
      } finally {
        sb.cleanup();
      }
    });

    test(mode === 'sse' ? 'the server gone mid-session: the event stream is lost, so the proxy ends' : 'the server gone mid-session: a request gets a JSON-RPC error naming the URL, not silence', async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'mtg-bridge-gone-'));
      const gone = await startFixture(mode, join(dir, 'requests.log'));
      const sb = await remoteSandbox(cli, gone.url);
      try {
        await sb.approve(await probeHttpPins(gone.url));
        const { client, transport, stderr } = await hostClient(sb);
        const pid = transport.pid!;
        try {
          assert.deepEqual((await client.listTools()).tools.map((x) => x.name), ['add'], stderr());
          await stopFixture(gone);
          const t0 = process.hrtime.bigint();
          if (mode === 'sse') {
            // An HTTP+SSE session lives as long as its event stream: no reconnecting into a new, uninitialized one.
            await waitGone(pid, 10_000);
            t.diagnostic(`${mode}: proxy gone ${ms(t0).toFixed(0)} ms after the server was killed`);
            assert.match(stderr(), /event stream of .* was lost/);
            return;
          }
          await assert.rejects(client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }, undefined, { timeout: 15_000 }), (e: Error) => {
            assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${gone.port}`), `${e.message}\n${stderr()}`);
            return true;
          });
          t.diagnostic(`${mode}: error for a call to a gone server after ${ms(t0).toFixed(0)} ms`);
        } finally {
          await client.close();
          await waitGone(pid, 10_000);
        }
      } finally {
        await stopFixture(gone);
        sb.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('SIGTERM ends the bridge with 128 + 15 and closes the remote connection', async () => {
      const sb = await remoteSandbox(cli, fx.url);
      try {
        await sb.approve(await probeHttpPins(fx.url));
        const mark = fx.requests().length;
        const p = rawProxy(sb);
        try {
          assert.ok((await p.request(1, 'initialize', INIT_PARAMS)).result, p.stderr());
          p.child.kill('SIGTERM');
          assert.deepEqual(await exitWithin(p, 15_000), { code: 128 + 15, signal: null }, p.stderr());
          if (mode === 'sse') await until(() => fx.requests().slice(mark).includes('CLOSED GET /mcp'), 5_000, 'the SSE stream to close');
        } finally {
          if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        }
      } finally {
        sb.cleanup();
      }
    });
  });
}

describe('guard proxy --url bridge: the 2026-07-28 era over streamable HTTP (2.x SDK server)', () => {
  let logDir: string;
  let logFile: string;
  let fx: { child: ChildProcess; url: string };
  let sb: GuardSandbox;
  const SDK2_HTTP = join(FIXTURES, 'sdk2-http-server.mjs');
  const logged = () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, string | null>);
  before(async () => {
    logDir = mkdtempSync(join(tmpdir(), 'mtg-bridge2-log-'));
    logFile = join(logDir, 'requests.log');
    writeFileSync(logFile, '');
    fx = await startHttpFixture('streamable', { REQUEST_LOG: logFile }, SDK2_HTTP);
    sb = await remoteSandbox(cli, fx.url);
    await sb.approve(await probeHttpPins(fx.url));
  });
  after(async () => {
    sb.cleanup();
    await stopChild(fx.child);
    rmSync(logDir, { recursive: true, force: true });
  });

  test('the probe speaks 2026-07-28 over streamable HTTP: server/discover with per-request headers, items and instructions read', async () => {
    writeFileSync(logFile, '');
    const r = await probeServer(specOf({ url: fx.url }), { clientInfo: { name: 'mcp-trust-guard-scan', version: '1' }, timeoutMs: 10_000 });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.protocolVersion, '2026-07-28');
    assert.equal(r.serverInfo?.name, 'sdk2-http-fixture');
    assert.equal(r.instructions, 'Echoes what you send.');
    assert.deepEqual(r.tools.map((t) => (t as { name: string }).name), ['echo']);
    const posts = logged().filter((x) => x.http === 'POST');
    assert.deepEqual(posts.map((x) => [x.method, x['mcp-method'], x['mcp-protocol-version']]).slice(0, 2), [
      ['server/discover', 'server/discover', '2026-07-28'],
      ['tools/list', 'tools/list', '2026-07-28'],
    ]);
    // A server of the legacy era only (the SDK 1.x fixture) is still probed, with initialize.
    const legacy = await startHttpFixture('streamable');
    try {
      const l = await probeServer(specOf({ url: legacy.url }), { clientInfo: { name: 'mcp-trust-guard-scan', version: '1' }, timeoutMs: 10_000 });
      assert.equal(l.ok, true, l.error);
      assert.notEqual(l.protocolVersion, '2026-07-28');
      assert.ok(l.tools.length > 0);
    } finally {
      await stopChild(legacy.child);
    }
  });

  test('a 2.x host speaking 2026-07-28 lists and calls through the bridge, and every request carries Mcp-Method / Mcp-Name', async () => {
    writeFileSync(logFile, '');
    const transport = new Stdio2({ command: node, args: sb.entryArgs(), cwd: sb.ws, env: sb.env, stderr: 'pipe' });
    const client = new Client2({ name: 'Visual Studio Code', version: '1.101.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(transport, { timeout: 20_000 });
    try {
      assert.equal(client.getNegotiatedProtocolVersion(), '2026-07-28');
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
      for (let i = 0; i < 50; i++) {
        const r = (await client.callTool({ name: 'echo', arguments: { message: `m${i}` } })) as { content: { text: string }[] };
        assert.equal(r.content[0].text, `Echo: m${i}`);
      }
    } finally {
      await client.close();
    }
    const posts = logged().filter((r) => r.http === 'POST');
    assert.ok(posts.some((r) => r.method === 'server/discover'), JSON.stringify(posts.slice(0, 3)));
    assert.ok(!posts.some((r) => r.method === 'initialize'), 'no initialize in the modern era');
    for (const r of posts) {
      assert.equal(r['mcp-protocol-version'], '2026-07-28', JSON.stringify(r));
      assert.equal(r['mcp-method'], r.method, JSON.stringify(r));
    }
    const calls = posts.filter((r) => r.method === 'tools/call');
    assert.equal(calls.length, 50);
    assert.ok(calls.every((r) => r['mcp-name'] === 'echo'), JSON.stringify(calls[0]));
  });

  test('a 1.x host (2025-11-25) through the same bridge to the same server: initialize, no modern headers', async () => {
    writeFileSync(logFile, '');
    const { client } = await hostClient(sb);
    try {
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
      const r = (await client.callTool({ name: 'echo', arguments: { message: 'legacy' } })) as { content: { text: string }[] };
      assert.equal(r.content[0].text, 'Echo: legacy');
    } finally {
      await client.close();
    }
    const posts = logged().filter((r) => r.http === 'POST');
    assert.equal(posts[0]?.method, 'initialize');
    assert.ok(posts.every((r) => r['mcp-method'] === null && r['mcp-name'] === null), JSON.stringify(posts));
  });
});

/** The 2.x SDK HTTP fixture (with `env`) behind an approved `run --url` entry, pinned as the scanner's probe read it. */
async function approvedSdk2Remote(env: Record<string, string>): Promise<{ fx: { child: ChildProcess; port: number; url: string }; sb: GuardSandbox }> {
  const fx = await startHttpFixture('streamable', env, join(FIXTURES, 'sdk2-http-server.mjs'));
  const sb = await remoteSandbox(cli, fx.url);
  await sb.approve(await probeHttpPins(fx.url));
  return { fx, sb };
}

describe('guard proxy --url bridge: a rug pull on a 2026-07-28 subscriptions/listen stream over streamable HTTP', () => {
  let fx: { child: ChildProcess; port: number; url: string };
  let sb: GuardSandbox;
  before(async () => ({ fx, sb } = await approvedSdk2Remote({})));
  after(async () => {
    sb.cleanup();
    await stopChild(fx.child);
  });

  test('the list change reaches the host on its listen stream (subscription id mapped); the new tool is withheld, its call refused, and up for review', async () => {
    const transport = new Stdio2({ command: node, args: sb.entryArgs(), cwd: sb.ws, env: sb.env, stderr: 'pipe' });
    const client = new Client2({ name: 'Visual Studio Code', version: '1.101.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(transport, { timeout: 20_000 });
    try {
      const changed = new Promise<void>((resolve) => client.setNotificationHandler('notifications/tools/list_changed', () => resolve()));
      const sub = await client.listen({ toolsListChanged: true });
      assert.equal(sub.honoredFilter.toolsListChanged, true);
      const res = await fetch(`http://127.0.0.1:${fx.port}/change`, { method: 'POST' });
      assert.equal(await res.text(), 'changed');
      await changed;
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name), ['echo']);
      await assert.rejects(client.callTool({ name: 'exfil', arguments: {} }), /MCP Trust Guard/);
      await sub.close();
    } finally {
      await client.close();
    }
    const reviews = await until(() => readPendingReviews(sb.store), 5_000, 'pending review');
    assert.ok(reviews.flatMap((r) => r.items ?? []).some((i) => i.key === 'exfil'), JSON.stringify(reviews));
  });
});

describe('bait-and-switch by per-request client identity, 2026-07-28 over streamable HTTP', () => {
  let fx: { child: ChildProcess; port: number; url: string };
  let sb: GuardSandbox;
  before(async () => ({ fx, sb } = await approvedSdk2Remote({ BAIT: '1' })));
  after(async () => {
    sb.cleanup();
    await stopChild(fx.child);
  });

  test('the probe catches it, and through run --url the baited host gets no echo tool; the poisoned one is up for review', async () => {
    const twice = await probeTwice(specOf({ url: fx.url }), { clientInfo: { name: 'mcp-trust-guard-scan', version: '1' }, timeoutMs: 10_000 }, { name: 'Visual Studio Code', version: '1' });
    assert.equal(twice.differs, true);
    assert.deepEqual(twice.differing.map((d) => `${d.kind}:${d.key}:${d.state}`), ['tool:echo:changed']);
    const transport = new Stdio2({ command: node, args: sb.entryArgs(), cwd: sb.ws, env: sb.env, stderr: 'pipe' });
    const client = new Client2({ name: 'Visual Studio Code', version: '1.101.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(transport, { timeout: 20_000 });
    try {
      assert.deepEqual((await client.listTools()).tools, []);
      await assert.rejects(client.callTool({ name: 'echo', arguments: { message: 'x' } }), /MCP Trust Guard/);
    } finally {
      await client.close();
    }
    const reviews = await until(() => readPendingReviews(sb.store), 5_000, 'pending review');
    const items = reviews.flatMap((r) => r.items ?? []);
    assert.ok(items.some((i) => i.key === 'echo' && JSON.stringify(i.item).includes('id_rsa')), JSON.stringify(items).slice(0, 500));
  });
});
