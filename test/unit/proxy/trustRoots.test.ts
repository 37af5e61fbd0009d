/**
 * Nothing from the workspace decides trust: a forged trust store inside the workspace, `HOME`/`XDG_CONFIG_HOME`/
 * `MCP_TRUST_GUARD_STORE` pointing into it, a workspace `node` first on `PATH`, `NODE_OPTIONS` for the guard, a
 * policy file or an audit collector named in the server's environment.
 * Real files, the bundled CLI run as a host runs it, the SDK client as the host.
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadPolicy } from '../../../src/core/policy';
import { Scanner } from '../../../src/core/scan';
import { emptyStore, forgetRecords, TrustStore } from '../../../src/core/trust';
import { resolveCommand } from '../../../src/core/launch/command';
import { checkStoreLocation, homeStorePath, realHome } from '../../../src/proxy/trustRoots';
import { installLauncher } from '../../../src/vscode/guard/launcher';
import { FIXTURES, guardSandbox, hostClient, type GuardSandbox } from './helpers';

const node = process.execPath;

test('checkStoreLocation: refuses a store inside the workspace, inside a git working tree, or writable by others', () => {
  const sb = { root: join(tmpdir(), `mtg-roots-${process.pid}`) };
  const ws = join(sb.root, 'ws');
  mkdirSync(join(ws, '.git'), { recursive: true });
  mkdirSync(join(sb.root, 'own'), { recursive: true, mode: 0o700 });
  const mine = join(sb.root, 'own', 'trust-store.json');
  writeFileSync(mine, '{}', { mode: 0o600 });
  assert.equal(checkStoreLocation(mine, [ws]), undefined);
  assert.match(checkStoreLocation(join(ws, 'forged.json'), [ws]) ?? '', /inside the workspace folder/);
  assert.match(checkStoreLocation(join(ws, 'sub', 'forged.json'), []) ?? '', /git working tree/);
  assert.match(checkStoreLocation('rel/store.json', []) ?? '', /not absolute/);
  chmodSync(mine, 0o664);
  assert.match(checkStoreLocation(mine, []) ?? '', /writable by other users/);
  chmodSync(mine, 0o666);
  assert.match(checkStoreLocation(mine, []) ?? '', /writable by every user/);
  rmSync(sb.root, { recursive: true, force: true });
  assert.equal(homeStorePath('/home/u', 'linux'), '/home/u/.config/mcp-trust-guard/trust-store.json');
});

test('resolveCommand: PATH entries inside the workspace, a git tree, or relative are skipped', () => {
  const root = join(tmpdir(), `mtg-path-${process.pid}`);
  const wsBin = join(root, 'ws', 'bin');
  mkdirSync(wsBin, { recursive: true });
  writeFileSync(join(wsBin, 'node'), '#!/bin/sh\nexit 3\n', { mode: 0o755 });
  const env = { PATH: ['bin', wsBin, dirname(node)].join(':') };
  assert.deepEqual(resolveCommand('node', env, root, [join(root, 'ws')], realHome()), { path: join(dirname(node), 'node') });
  assert.match((resolveCommand('node', { PATH: wsBin }, root, [join(root, 'ws')], realHome()) as { error: string }).error, /not found on PATH.*skipped/);
  assert.deepEqual(resolveCommand('./x.sh', env, root, [], realHome()), { path: join(root, 'x.sh') });
  rmSync(root, { recursive: true, force: true });
});

describe('guard proxy: a repository cannot choose the trust store, the runtime or the command', () => {
  let sb: GuardSandbox;
  const marker = () => join(sb.root, 'marker');
  const hijack = () => join(sb.root, 'hijacked');
  before(async () => {
    sb = await guardSandbox('node', [join(FIXTURES, 'marker.mjs'), '__MARKER__']);
    writeFileSync(sb.configFile, readFileSync(sb.configFile, 'utf8').replace('__MARKER__', marker()));
    await sb.approve(undefined);
    // The repository ships its own `node` and a forged store that approves whatever it likes.
    mkdirSync(join(sb.ws, 'bin'), { recursive: true });
    writeFileSync(join(sb.ws, 'bin', 'node'), `#!/bin/sh\necho hijacked > ${JSON.stringify(hijack())}\nexit 3\n`, { mode: 0o755 });
    writeFileSync(join(sb.ws, 'evil.cjs'), `require('fs').appendFileSync(${JSON.stringify(hijack())}, process.argv[1] + '\\n')`);
  });
  after(() => sb.cleanup());

  test('an approved entry run with a workspace node first on PATH and NODE_OPTIONS spawns the real node, never the workspace one', async () => {
    const l = await installLauncher(join(sb.root, 'storage'), sb.cli, { runtime: node, store: sb.store });
    const args = sb.entryArgs();
    const run = args.indexOf('run');
    const env = { ...sb.env, PATH: `${join(sb.ws, 'bin')}:${dirname(node)}:/usr/bin:/bin`, NODE_OPTIONS: `--require ${join(sb.ws, 'evil.cjs')}` };
    const { client } = await hostClient({ ...sb, env }, undefined, undefined, { command: l.command, args: args.slice(run) });
    try {
      const tools = (await client.listTools()).tools;
      assert.notEqual(tools[0]?.name, 'mcp_trust_guard_blocked');
    } finally {
      await client.close();
    }
    assert.ok(existsSync(marker()), 'the approved server ran');
    const h = existsSync(hijack()) ? readFileSync(hijack(), 'utf8') : '';
    assert.doesNotMatch(h, /hijacked/, 'the workspace node was not run');
    assert.ok(!h.includes(sb.cli), `NODE_OPTIONS did not reach the guard process: ${h}`);
  });

  test('a forged store inside the workspace (--store, MCP_TRUST_GUARD_STORE, HOME, XDG_CONFIG_HOME) approves nothing', async () => {
    rmSync(marker(), { force: true });
    const forged = join(sb.ws, '.config', 'mcp-trust-guard', 'trust-store.json');
    mkdirSync(dirname(forged), { recursive: true });
    copyFileSync(sb.store, forged); // approves the entry exactly as it is
    const args = sb.entryArgs().map((a) => (a === sb.store ? forged : a));
    const env = { ...sb.env, HOME: sb.ws, XDG_CONFIG_HOME: join(sb.ws, '.config'), MCP_TRUST_GUARD_STORE: forged };
    const { client, stderr } = await hostClient({ ...sb, env }, args);
    try {
      const tools = (await client.listTools()).tools;
      assert.equal(tools.length, 1);
      assert.equal(tools[0].name, 'mcp_trust_guard_blocked');
      assert.match(tools[0].description ?? '', /inside the workspace folder/);
    } finally {
      await client.close();
    }
    assert.match(stderr(), /trust store is not believed/);
    assert.ok(!existsSync(marker()), 'nothing was started');
    assert.ok(!existsSync(join(dirname(forged), 'pending-reviews.json')), 'nothing is written next to a refused store');
  });

  test('a policy file or an audit collector named in the server environment (MCP_TRUST_GUARD_POLICY, OTLP endpoint) approves nothing and receives nothing', async () => {
    rmSync(marker(), { force: true });
    // The entry is not approved any more; the repository ships an organization policy that approves it by its
    // exact fingerprint (this test runs as the file's owner, so only where the path came from can refuse it).
    await forgetRecords(new TrustStore(sb.store), [{ configFile: sb.configFile, pointer: '/servers/srv' }]);
    const [spec] = (await new Scanner({ workspaceFolders: [sb.ws], home: sb.home, includeUser: false }).scanAll(emptyStore())).servers;
    const policyFile = join(sb.ws, 'org-policy.json');
    writeFileSync(policyFile, JSON.stringify({ allowedMcpServers: [{ serverName: 'srv', fingerprints: [spec!.fingerprint.fingerprint] }] }));
    const trusted = await loadPolicy({ locations: [{ kind: 'guard', path: policyFile }], trustedUids: [process.getuid?.() ?? 0] });
    assert.ok(trusted.sources.length === 1 && trusted.problems.length === 0, 'the same file read as a policy would approve the entry');
    // A collector on loopback that counts what reaches it.
    let received = 0;
    const collector = createServer((req, res) => {
      received++;
      req.resume();
      res.end('{}');
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const port = (collector.address() as AddressInfo).port;
    try {
      const env = { ...sb.env, MCP_TRUST_GUARD_POLICY: policyFile, OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `http://127.0.0.1:${port}/v1/logs` };
      const { client } = await hostClient({ ...sb, env });
      try {
        const tools = (await client.listTools()).tools;
        assert.deepEqual(tools.map((t) => t.name), ['mcp_trust_guard_blocked']);
      } finally {
        await client.close();
      }
      assert.ok(!existsSync(marker()), 'nothing was started');
      assert.equal(received, 0, 'no audit record went to the collector the server environment named');
    } finally {
      collector.close();
      await sb.approve(undefined);
    }
  });
});

describe('guard proxy: the binary a bare command resolves to is part of the approval', () => {
  let sb: GuardSandbox;
  let early: string;
  const marker = () => join(sb.root, 'marker');
  const faked = () => join(sb.root, 'fake-ran');
  const pathWith = (first: string) => [first, dirname(node), '/usr/bin', '/bin'].join(':');
  const lines = [
    { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'Visual Studio Code', version: '1.101.0' } } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list' },
  ].map((m) => JSON.stringify(m) + '\n').join('');
  /** Runs the guarded entry as a host does (the bundled CLI, the entry's argv, stdin closed after three messages). */
  const runEntry = (PATH: string) => spawnSync(node, sb.entryArgs(), { cwd: sb.ws, env: { ...sb.env, PATH }, input: lines, encoding: 'utf8', timeout: 30_000 });
  before(async () => {
    sb = await guardSandbox('node', [join(FIXTURES, 'marker.mjs'), '__MARKER__']);
    writeFileSync(sb.configFile, readFileSync(sb.configFile, 'utf8').replace('__MARKER__', marker()));
    // A PATH folder outside any workspace or git tree, empty when the entry is approved.
    early = join(sb.root, 'early-bin');
    mkdirSync(early);
    sb.env.PATH = pathWith(early);
    await sb.approve(undefined);
  });
  after(() => sb.cleanup());

  test('the approval records the absolute path the proxy will spawn', async () => {
    const rec = Object.values((await new TrustStore(sb.store).read()).data.records)[0];
    assert.deepEqual(rec?.command, { name: 'node', path: join(dirname(node), 'node') });
  });

  test('unchanged: the approved binary runs', async () => {
    rmSync(marker(), { force: true });
    const { client } = await hostClient(sb);
    try {
      // Approved without tool pins: the server's tools wait for review, but the launch is not blocked.
      assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'mcp_trust_guard_blocked'));
    } finally {
      await client.close();
    }
    assert.ok(existsSync(marker()), 'the approved server ran');
  });

  test('a node placed earlier on PATH after approval, or another PATH, is refused and never run', async () => {
    rmSync(marker(), { force: true });
    const fake = join(early, 'node');
    writeFileSync(fake, `#!/bin/sh\necho ran > ${JSON.stringify(faked())}\nexec ${JSON.stringify(node)} "$@"\n`, { mode: 0o755 });
    try {
      const r = runEntry(pathWith(early));
      assert.equal(r.status, 0, `the blocked stand-in exits 0 when the host closes stdin: ${r.stderr}`);
      const answers = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id?: number; result?: { tools?: { name: string; description?: string }[] } });
      const tools = answers.find((a) => a.id === 2)?.result?.tools ?? [];
      assert.deepEqual(tools.map((t) => t.name), ['mcp_trust_guard_blocked']);
      const why = `"srv" in ${sb.configFile} changed since it was approved (/$command); the command "node" now resolves to ${fake} (PATH without workspace folders), but ${join(dirname(node), 'node')} was approved`;
      assert.ok(tools[0]?.description?.includes(why), tools[0]?.description);
      assert.ok(r.stderr.includes(why), r.stderr);

      // Another PATH whose first node is not the approved one: refused the same way.
      const other = join(sb.root, 'other-bin');
      mkdirSync(other, { recursive: true });
      copyFileSync(fake, join(other, 'node'));
      chmodSync(join(other, 'node'), 0o755);
      const r2 = runEntry(pathWith(other));
      assert.equal(r2.status, 0);
      assert.match(r2.stderr, /now resolves to .*other-bin\/node .*was approved/);
    } finally {
      rmSync(fake, { force: true });
    }
    assert.ok(!existsSync(faked()), 'the binary that resolved first was never run');
    assert.ok(!existsSync(marker()), 'nothing was started');

    // The scan on the user's machine (the same lookup) calls it a change of /$command.
    writeFileSync(fake, '#!/bin/sh\nexit 3\n', { mode: 0o755 });
    try {
      const scan = spawnSync(node, [sb.cli, 'scan', '--store', sb.store, '--json', sb.ws], { cwd: sb.ws, env: { ...sb.env, PATH: pathWith(early) }, encoding: 'utf8', timeout: 30_000 });
      const srv = (JSON.parse(scan.stdout) as { servers: { name: string; state: string; changes: { pointer: string; before?: unknown; after?: unknown }[] }[] }).servers.find((s) => s.name === 'srv');
      assert.equal(srv?.state, 'changed', scan.stdout.slice(0, 500));
      assert.deepEqual(srv?.changes, [{ pointer: '/$command', before: join(dirname(node), 'node'), after: fake }]);
      const diff = spawnSync(node, [sb.cli, 'diff', '--store', sb.store, sb.configFile, 'srv'], { cwd: sb.ws, env: { ...sb.env, PATH: pathWith(early), NO_COLOR: '1' }, encoding: 'utf8', timeout: 30_000 });
      assert.ok(diff.stdout.includes('/$command (the binary the command after "--" resolves to on PATH)'), diff.stdout);
      assert.ok(diff.stdout.includes(fake), diff.stdout);
    } finally {
      rmSync(fake, { force: true });
    }
  });
});

test('a PATH set through the entry\'s envFile is the one the approval resolves with; another binary resolving later is refused', async () => {
  const outside = mkdtempSync(join(tmpdir(), 'mtg-envfile-bin-'));
  const ran = join(outside, 'ran');
  const sb = await guardSandbox('node', [join(FIXTURES, 'marker.mjs'), join(outside, 'marker')], { envFile: '${workspaceFolder}/.env' });
  try {
    const envPath = [outside, dirname(node), '/usr/bin', '/bin'].join(':');
    writeFileSync(join(sb.ws, '.env'), `PATH=${envPath}\n`);
    // The user's own node wrapper, first on the PATH the envFile sets (outside the workspace).
    const mine = join(outside, 'node');
    writeFileSync(mine, `#!/bin/sh\necho ran >> ${JSON.stringify(ran)}\nexec ${JSON.stringify(node)} "$@"\n`, { mode: 0o755 });
    // The CLI that approves has another PATH; the pin lays the envFile over it, as the host will.
    sb.env.PATH = [dirname(node), '/usr/bin', '/bin'].join(':');
    await sb.approve(undefined);
    const rec = Object.values((await new TrustStore(sb.store).read()).data.records)[0];
    assert.deepEqual(rec?.command, { name: 'node', path: mine });
    // The host reads the envFile into the server's environment (the proxy's), as VS Code does.
    const hostEnv = { ...sb.env, PATH: envPath };
    const { client } = await hostClient({ ...sb, env: hostEnv });
    try {
      assert.ok(!(await client.listTools()).tools.some((t) => t.name === 'mcp_trust_guard_blocked'));
    } finally {
      await client.close();
    }
    assert.ok(existsSync(ran), 'the approved binary (the envFile PATH\'s) ran');
    // The wrapper goes away: node now resolves elsewhere, which was not approved.
    rmSync(mine);
    const r = spawnSync(node, sb.entryArgs(), { cwd: sb.ws, env: hostEnv, input: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) + '\n', encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stderr.includes(`now resolves to ${join(dirname(node), 'node')} (PATH without workspace folders), but ${mine} was approved`), r.stderr);
  } finally {
    sb.cleanup();
    rmSync(outside, { recursive: true, force: true });
  }
});
