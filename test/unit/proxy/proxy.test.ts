/**
 * The guard proxy end to end: real processes (the bundled CLI, fixture servers, the npm reference server), a real
 * trust store and config file in a temp dir, and the SDK client as the host.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { approvePendingMetadata, readPendingReviews, TrustStore } from '../../../src/core/trust';
import { EVERYTHING, FIXTURES, guardSandbox, hostClient, probePins, until, waitGone, type GuardSandbox } from './helpers';

const node = process.execPath;

describe('guard proxy: server-everything from the npm registry', () => {
  let sb: GuardSandbox;
  before(async () => {
    sb = await guardSandbox(node, [EVERYTHING, 'stdio']);
    await sb.approve(await probePins(node, [EVERYTHING, 'stdio']));
  });
  after(() => sb.cleanup());

  test('tools/list is what the server lists, and 1,000 echo calls round-trip correctly', async () => {
    const { client, transport } = await hostClient(sb);
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name).sort();
      const pinned = Object.keys((await probePins(node, [EVERYTHING, 'stdio'])).tools).sort();
      assert.deepEqual(tools, pinned);
      assert.ok(tools.includes('echo'));
      for (let i = 0; i < 1000; i++) {
        const r = (await client.callTool({ name: 'echo', arguments: { message: `m${i}` } })) as { content: { text: string }[] };
        assert.equal(r.content[0].text, `Echo: m${i}`);
      }
    } finally {
      const pid = transport.pid!;
      await client.close();
      await waitGone(pid);
    }
    assert.deepEqual(await readPendingReviews(sb.store), []);
  });
});

describe('guard proxy: launch gate', () => {
  let sb: GuardSandbox;
  const marker = () => join(sb.root, 'marker');
  before(async () => {
    sb = await guardSandbox(node, [join(FIXTURES, 'marker.mjs'), '__MARKER__']);
    // The marker path is only known now: rewrite the placeholder, then approve.
    writeFileSync(sb.configFile, readFileSync(sb.configFile, 'utf8').replace('__MARKER__', marker()));
  });
  after(() => sb.cleanup());

  test('an unapproved entry spawns nothing; the host sees the blocked tool; a launch review is recorded', async () => {
    const { client } = await hostClient(sb);
    try {
      const tools = (await client.listTools()).tools;
      assert.equal(tools.length, 1);
      assert.equal(tools[0].name, 'mcp_trust_guard_blocked');
      assert.match(tools[0].description ?? '', /blocked the MCP server "srv".*never been approved/);
      const r = (await client.callTool({ name: 'mcp_trust_guard_blocked', arguments: {} })) as { isError?: boolean };
      assert.equal(r.isError, true);
    } finally {
      await client.close();
    }
    assert.equal(existsSync(marker()), false, 'the server must not have started');
    const reviews = await readPendingReviews(sb.store);
    assert.equal(reviews.length, 1);
    assert.equal(reviews[0].kind, 'launch');
    assert.equal(reviews[0].pointer, '/servers/srv');
  });

  test('approved: the server starts; different args after "--" spawn nothing', async () => {
    await sb.approve(await probePins(node, [join(FIXTURES, 'marker.mjs')]));
    const args = sb.entryArgs();
    const tampered = [...args.slice(0, -1), join(sb.root, 'other-marker')];
    const { client } = await hostClient(sb, tampered);
    try {
      const tools = (await client.listTools()).tools;
      assert.deepEqual(tools.map((t) => t.name), ['mcp_trust_guard_blocked']);
      assert.match(tools[0].description ?? '', /command after "--"/);
    } finally {
      await client.close();
    }
    assert.equal(existsSync(join(sb.root, 'other-marker')), false);
    assert.equal(existsSync(marker()), false);

    const ok = await hostClient(sb);
    try {
      assert.deepEqual((await ok.client.listTools()).tools.map((t) => t.name), ['add']);
    } finally {
      await ok.client.close();
    }
    await waitGone(Number(readFileSync(marker(), 'utf8')));
  });

  test('a config changed on disk after approval spawns nothing', async () => {
    const text = readFileSync(sb.configFile, 'utf8');
    writeFileSync(sb.configFile, text.replace('"--",', '"--", "--no-warnings",'));
    rmSync(marker(), { force: true });
    const { client } = await hostClient(sb, sb.entryArgs());
    try {
      const tools = (await client.listTools()).tools;
      assert.deepEqual(tools.map((t) => t.name), ['mcp_trust_guard_blocked']);
      assert.match(tools[0].description ?? '', /changed since it was approved/);
    } finally {
      await client.close();
      writeFileSync(sb.configFile, text);
    }
    assert.equal(existsSync(marker()), false);
  });
});

describe('guard proxy: metadata filtering', () => {
  test('a mid-session rug pull is withheld and its call refused; after approval it appears and the host was notified', async () => {
    const server = [join(FIXTURES, 'rug-pull-live.mjs')];
    const sb = await guardSandbox(node, server);
    try {
      await sb.approve(await probePins(node, server));
      const { client, transport } = await hostClient(sb);
      let changed = 0;
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => void changed++);
      try {
        const first = (await client.listTools()).tools;
        assert.deepEqual(first.map((t) => t.name), ['add']);
        assert.equal(first[0].description, 'Adds two numbers.');
        await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }); // triggers the rug pull
        await until(() => changed >= 1, 5_000, 'list_changed after the rug pull');
        assert.deepEqual((await client.listTools()).tools, []);
        await assert.rejects(client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), /withheld pending review/);

        const reviews = await until(async () => (await readPendingReviews(sb.store)).filter((r) => r.kind === 'metadata'), 5_000, 'pending review');
        assert.equal(reviews.length, 1);
        assert.deepEqual(reviews[0].items?.map((i) => [i.kind, i.key, i.state]), [['tool', 'add', 'changed']]);
        assert.match(JSON.stringify(reviews[0].items?.[0].item), /ssh_keys/);

        const before = changed;
        await approvePendingMetadata(new TrustStore(sb.store), reviews[0], new Date());
        await until(() => changed > before, 5_000, 'list_changed after approval');
        const now = (await client.listTools()).tools;
        assert.deepEqual(now.map((t) => t.name), ['add']);
        assert.match(now[0].description ?? '', /<IMPORTANT>/);
        const r = (await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })) as { content: { text: string }[] };
        assert.equal(r.content[0].text, '3');
        assert.deepEqual(await readPendingReviews(sb.store), []);
      } finally {
        const pid = transport.pid!;
        await client.close();
        await waitGone(pid);
      }
    } finally {
      sb.cleanup();
    }
  });

  test('bait-and-switch by clientInfo is caught: the proxy filters what the host is sent', async () => {
    const server = [join(FIXTURES, 'bait-and-switch.mjs')];
    const sb = await guardSandbox(node, server);
    try {
      // The scanner's probe saw the benign face; the host (named like VS Code) is shown another.
      await sb.approve(await probePins(node, server));
      const { client } = await hostClient(sb, undefined, 'Visual Studio Code');
      try {
        assert.deepEqual((await client.listTools()).tools, []);
        await assert.rejects(client.callTool({ name: 'exec', arguments: { cmd: 'id' } }), /withheld pending review/);
      } finally {
        await client.close();
      }
      const reviews = await until(async () => (await readPendingReviews(sb.store)).filter((r) => r.kind === 'metadata'), 5_000, 'pending review');
      assert.deepEqual(reviews[0].items?.map((i) => [i.key, i.state]).sort(), [['add', 'changed'], ['exec', 'new']]);
    } finally {
      sb.cleanup();
    }
  });

  test('a record approved without pins withholds every tool, and says why', async () => {
    const server = [join(FIXTURES, 'marker.mjs')];
    const sb = await guardSandbox(node, server);
    try {
      await sb.approve(undefined);
      const { client } = await hostClient(sb);
      try {
        assert.deepEqual((await client.listTools()).tools, []);
        await assert.rejects(client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }), /no tools of this server were pinned/);
      } finally {
        await client.close();
      }
      const reviews = await until(async () => (await readPendingReviews(sb.store)).filter((r) => r.kind === 'metadata'), 5_000, 'pending review');
      assert.match(reviews[0].reason, /without pinned tools/);
    } finally {
      sb.cleanup();
    }
  });
});

describe('guard proxy: process lifecycle', () => {
  /** Runs the proxy; with `signal`, sends it once `started` (a file the server writes) exists. */
  function runRaw(sb: GuardSandbox, stdinText: string, signal?: NodeJS.Signals, started?: string): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(node, sb.entryArgs(), { cwd: sb.ws, env: sb.env, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (c: Buffer) => (out += c));
      p.stderr.on('data', (c: Buffer) => (err += c));
      const t = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error(`proxy did not exit; stderr: ${err}`));
      }, 15_000);
      p.once('exit', (code) => {
        clearTimeout(t);
        resolve({ code, out, err });
      });
      p.stdin.write(stdinText);
      if (signal) {
        until(() => (started ? existsSync(started) && readFileSync(started, 'utf8').endsWith('\n') : true), 10_000, 'the server to start').then(
          () => p.kill(signal),
          (e: unknown) => reject(e as Error),
        );
      } else p.stdin.end();
    });
  }

  test("the server's exit code becomes the proxy's; stderr passes through; stdout carries nothing else", async () => {
    const sb = await guardSandbox(node, ['-e', 'process.stderr.write("from-server\\n"); setTimeout(() => process.exit(7), 300)']);
    try {
      await sb.approve(undefined);
      const r = await runRaw(sb, '');
      assert.equal(r.code, 7);
      assert.match(r.err, /from-server/);
      assert.equal(r.out, '');
    } finally {
      sb.cleanup();
    }
  });

  test('SIGTERM reaches the server group; no process is left behind', async () => {
    const sb = await guardSandbox(node, [join(FIXTURES, 'marker.mjs'), 'MARK']);
    const marker = join(sb.root, 'm2');
    writeFileSync(sb.configFile, readFileSync(sb.configFile, 'utf8').replace('"MARK"', JSON.stringify(marker)));
    try {
      await sb.approve(undefined);
      const r = await runRaw(sb, '', 'SIGTERM', marker);
      assert.equal(r.code, 128 + 15);
      await waitGone(Number(readFileSync(marker, 'utf8')));
    } finally {
      sb.cleanup();
    }
  });
});
