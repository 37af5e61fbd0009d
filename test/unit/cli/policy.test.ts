import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../../helpers/cli';

const rootOnly = { skip: process.getuid?.() !== 0 && 'a policy file must be owned by root' };
const cfg = '{"mcpServers": {"build": {"command": "echo", "args": ["safe"]}, "other": {"command": "echo", "args": ["other"]}}}';

function servers(out: string) {
  return (JSON.parse(out) as { servers: { name: string; state: string; policy?: { outcome: string; rule: string; file: string } }[] }).servers;
}

test('scan applies the system policy: approved by the organization with an empty store; denied over the user; broken policy exits 2', rootOnly, async () => {
  const sb = sandbox();
  try {
    const file = sb.write('.cursor/mcp.json', cfg);
    const sys = join(sb.root, 'etc');
    mkdirSync(sys);
    const policyFile = join(sys, 'policy.json');
    sb.env.MCP_TRUST_GUARD_POLICY = policyFile;

    let r = await sb.cli('--json', 'scan', sb.ws);
    const fp = (JSON.parse(r.out) as { servers: { name: string; fingerprint: string }[] }).servers.find((s) => s.name === 'build')!.fingerprint;
    await sb.cli('approve', file, 'other');
    writeFileSync(policyFile, JSON.stringify({ allowedMcpServers: [{ serverName: 'build', fingerprints: [fp] }], deniedMcpServers: [{ serverName: 'other' }] }));
    r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 1, 'a denied server needs attention');
    const [build, other] = servers(r.out);
    assert.deepEqual([build.state, build.policy?.outcome, build.policy?.rule], ['approved', 'approved', 'allowedMcpServers[0]']);
    assert.deepEqual([other.state, other.policy?.rule, other.policy?.file], ['denied', 'deniedMcpServers[0]', policyFile]);

    r = await sb.cli('scan', sb.ws);
    assert.match(r.out, /DENIED \(org\)/);
    assert.match(r.out, /blocked by your organization: deniedMcpServers\[0\] \(name "other"\)/);

    r = await sb.cli('policy', 'show');
    assert.equal(r.code, 0);
    assert.match(r.out, new RegExp(`loaded\\s+guard\\s+${policyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(r.out, /allowedMcpServers\[0\]: name "build", 1 fingerprint/);

    chmodSync(policyFile, 0o666);
    r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 2, 'an unusable policy is an error');
    assert.ok(servers(r.out).every((s) => s.state === 'denied' && s.policy?.rule === 'unusable-policy'), 'and nothing is approved');
    assert.match(r.err, /policy\.json is not administrator-only/);
    r = await sb.cli('policy', 'show');
    assert.equal(r.code, 2);
    assert.match(r.out, /UNUSABLE/);
  } finally {
    sb.cleanup();
  }
});

test('scan --policy (CI): only the policy decides — exit 0 when it approves everything, 1 when a change is not approved, 2 when the policy is invalid', async () => {
  const sb = sandbox();
  try {
    const file = sb.write('.cursor/mcp.json', cfg);
    // The developer's own approvals do not count in CI mode.
    await sb.cli('approve', '--all', sb.ws);
    let r = await sb.cli('--json', 'scan', sb.ws);
    assert.equal(r.code, 0);
    r = await sb.cli('policy', 'export', '--output', join(sb.root, 'team-policy.json'));
    assert.equal(r.code, 0, r.err);
    r = await sb.cli('policy', 'check', join(sb.root, 'team-policy.json'));
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /valid \(2 allowed, 0 denied\)/);

    r = await sb.cli('--policy', join(sb.root, 'team-policy.json'), 'scan', sb.ws);
    assert.equal(r.code, 0, r.out + r.err);
    writeFileSync(file, cfg.replace('"safe"', '"unsafe"'));
    r = await sb.cli('--policy', join(sb.root, 'team-policy.json'), '--json', 'scan', sb.ws);
    assert.equal(r.code, 1, 'a changed server is not approved by the policy');
    assert.equal(servers(r.out).find((s) => s.name === 'build')?.state, 'new');

    r = await sb.cli('--policy', join(sb.root, 'team-policy.json'), 'scan', '--sarif', sb.ws);
    assert.equal(r.code, 1);
    assert.match(r.out, /"ruleId": "server-new"/);

    writeFileSync(join(sb.root, 'bad.json'), '{"allowedMcpServers": "all"}');
    r = await sb.cli('policy', 'check', join(sb.root, 'bad.json'));
    assert.equal(r.code, 1);
    assert.match(r.out, /INVALID: does not match the policy schema: \/allowedMcpServers must be array/);
    r = await sb.cli('--policy', join(sb.root, 'bad.json'), 'scan', sb.ws);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.json does not match the policy schema/);
    r = await sb.cli('policy', 'check', join(sb.root, 'missing.json'));
    assert.equal(r.code, 2);
  } finally {
    sb.cleanup();
  }
});
