/**
 * A config change that strips the guard proxy is called out: a server approved as launching through
 * `mcp-trust-guard run --config … --name … -- <cmd>` and rewritten to launch `<cmd>` directly is `changed` with a
 * high-severity `guard-removed` finding. Real files in a temp workspace, a real trust store, the real scanner.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { GUARD_REMOVED_RULE, Scanner } from '../../../../src/core/scan';
import { emptyStore, recordDecisions, TrustStore } from '../../../../src/core/trust';
import { buildDiffViewModel } from '../../../../src/vscode/panels/viewModel';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-guard-removed-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const LAUNCHER = '/home/u/.config/mcp-trust-guard/bin/mcp-trust-guard';

test('guard stripped from an approved guarded entry → changed, finding guard-removed (high); not for other changes', async () => {
  const ws = path.join(tmp, 'ws');
  const cursor = path.join(ws, '.cursor', 'mcp.json');
  fs.mkdirSync(path.dirname(cursor), { recursive: true });
  const guarded = (arg: string) => ({ command: LAUNCHER, args: ['run', '--config', cursor, '--name', 'build', '--', 'node', arg] });
  const write = (entry: unknown) => fs.writeFileSync(cursor, JSON.stringify({ mcpServers: { build: entry } }, null, 2));
  write(guarded('server.js'));

  const store = new TrustStore(path.join(tmp, 'store.json'));
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false });
  const first = await scanner.scanAll(emptyStore());
  assert.equal(first.servers.length, 1);
  assert.ok(!first.servers[0].findings.some((f) => f.ruleId === GUARD_REMOVED_RULE), 'a new server has no record to compare with');
  await recordDecisions(store, first.servers, 'approved', new Date());
  const data = (await store.read()).data;

  // the guard stripped: the same server launched directly
  write({ command: 'node', args: ['server.js'] });
  const stripped = (await scanner.scanAll(data)).servers[0];
  assert.equal(stripped.state, 'changed');
  const f = stripped.findings.filter((x) => x.ruleId === GUARD_REMOVED_RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].severity, 'high');
  assert.match(f[0].message, /^The guard proxy was removed from this entry/);
  // the diff panel's model says so too
  const model = buildDiffViewModel(stripped);
  assert.ok(model.findings.some((x) => x.ruleId === GUARD_REMOVED_RULE && x.severity === 'high' && x.message.startsWith('The guard proxy was removed from this entry')));

  // still guarded but the wrapped args changed: changed, no guard-removed finding
  write(guarded('other.js'));
  const rewrapped = (await scanner.scanAll(data)).servers[0];
  assert.equal(rewrapped.state, 'changed');
  assert.ok(!rewrapped.findings.some((x) => x.ruleId === GUARD_REMOVED_RULE));

  // back as approved: no finding
  write(guarded('server.js'));
  const same = (await scanner.scanAll(data)).servers[0];
  assert.equal(same.state, 'approved');
  assert.ok(!same.findings.some((x) => x.ruleId === GUARD_REMOVED_RULE));
});

test('the committed guarded entry defeated (PATH to a workspace folder, an envFile, another launcher) → changed with a high guard-removed finding that says how', async () => {
  const ws = path.join(tmp, 'ws2');
  const mcp = path.join(ws, '.vscode', 'mcp.json');
  fs.mkdirSync(path.dirname(mcp), { recursive: true });
  const good = { command: 'mcp-trust-guard', args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--', 'node', 'server.js'], env: { API_TOKEN: 'x' } };
  const write = (entry: unknown) => fs.writeFileSync(mcp, JSON.stringify({ servers: { srv: entry } }, null, 2));
  write(good);
  const store = new TrustStore(path.join(tmp, 'store2.json'));
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false });
  await recordDecisions(store, (await scanner.scanAll(emptyStore())).servers, 'approved', new Date());
  const data = (await store.read()).data;
  for (const [entry, how] of [
    [{ ...good, env: { API_TOKEN: 'x', PATH: '${workspaceFolder}/bin' } }, /its env sets PATH/],
    [{ ...good, envFile: '${workspaceFolder}/.env' }, /envFile/],
    [{ ...good, command: '${workspaceFolder}/mcp-trust-guard' }, /not the guard's launcher/],
  ] as const) {
    write(entry);
    const s = (await scanner.scanAll(data)).servers[0];
    assert.equal(s.state, 'changed');
    const f = s.findings.filter((x) => x.ruleId === GUARD_REMOVED_RULE);
    assert.equal(f.length, 1, JSON.stringify(entry));
    assert.equal(f[0].severity, 'high');
    assert.match(f[0].message, /^The guard proxy may no longer hold for this entry: "srv" was approved launching through mcp-trust-guard run, and now /);
    assert.match(f[0].message, how);
  }
  // a change of the wrapped command only: still guarded, no such finding
  write({ ...good, args: [...good.args.slice(0, -1), 'other.js'] });
  const rewrapped = (await scanner.scanAll(data)).servers[0];
  assert.equal(rewrapped.state, 'changed');
  assert.ok(!rewrapped.findings.some((x) => x.ruleId === GUARD_REMOVED_RULE));
});
