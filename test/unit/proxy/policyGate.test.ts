import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, type PolicyDocument } from '../../../src/core/policy';
import { Scanner } from '../../../src/core/scan';
import { emptyStore, recordDecisions, TrustStore } from '../../../src/core/trust';
import { checkLaunch, type GuardInvocation } from '../../../src/proxy/gate';

const trustedUids = [...new Set([0, process.getuid?.() ?? 0])];

test('the proxy gate follows the organization policy: approved for an empty store, denied over the user, closed on a corrupt policy', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mtg-policy-gate-'));
  try {
    const ws = join(root, 'ws');
    const home = join(root, 'home');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    mkdirSync(home);
    const configFile = join(ws, '.vscode', 'mcp.json');
    writeFileSync(configFile, JSON.stringify({ servers: { srv: { command: 'mcp-trust-guard', args: ['run', '--config', configFile, '--name', 'srv', '--', 'node', 'server.js'] } } }));
    const store = new TrustStore(join(root, 'store', 'trust-store.json'));
    const inv: GuardInvocation = { configFile, name: 'srv', command: 'node', args: ['server.js'], cwd: ws, env: { PATH: process.env.PATH ?? '' }, home };
    const policyFile = join(root, 'policy.json');
    const policy = async (doc: PolicyDocument | string) => {
      writeFileSync(policyFile, typeof doc === 'string' ? doc : JSON.stringify(doc));
      return loadPolicy({ locations: [{ kind: 'guard', path: policyFile }], trustedUids });
    };
    const [spec] = (await new Scanner({ workspaceFolders: [ws], home, includeUser: false }).scanAll(emptyStore())).servers;
    const fp = spec.fingerprint.fingerprint;

    let gate = await checkLaunch(inv, store, await policy({ allowedMcpServers: [{ serverName: 'srv', fingerprints: [fp] }], requireGuard: true }));
    assert.ok(gate.ok, gate.ok ? '' : gate.reason);

    await recordDecisions(store, [spec], 'approved', new Date());
    gate = await checkLaunch(inv, store, await policy({ deniedMcpServers: [{ serverCommand: ['node', 'server.js'] }] }));
    assert.equal(gate.ok, false);
    assert.match(gate.ok ? '' : gate.reason, /blocked by your organization: deniedMcpServers\[0\] \(command line\) in .*policy\.json/);

    gate = await checkLaunch(inv, store, await policy('{ not json'));
    assert.equal(gate.ok, false);
    assert.match(gate.ok ? '' : gate.reason, /policy\.json not valid JSON.*nothing is approved/);

    gate = await checkLaunch(inv, store, await policy({ allowManagedMcpServersOnly: true }));
    assert.match(gate.ok ? '' : gate.reason, /allowManagedMcpServersOnly/);
    gate = await checkLaunch(inv, store, await policy({}));
    assert.ok(gate.ok, 'no rule: the user decision stands');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
