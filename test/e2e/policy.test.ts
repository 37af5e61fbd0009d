/**
 * E2E: an organization policy in a system-managed place (root-owned, named by `MCP_TRUST_GUARD_POLICY`, which
 * adds a location and never replaces the system ones) decides in the extension as it does in the CLI: the tree
 * shows a server the policy denies as "blocked by your organization (rule, file)" although nobody decided on it,
 * and one the policy approves by fingerprint as "approved by your organization" with an empty trust store.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, copyFixtureWorkspace, openWorkbench, removeDir, screenshot, startCodeServer } from './harness';
import { cli, showServers, storeRecords } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-policy-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e policy total: ${Date.now() - started} ms`);
});

test('the tree shows "blocked by your organization" and "approved by your organization"', { timeout: 150_000, skip: process.getuid?.() !== 0 && 'a policy file must be owned by root' }, async () => {
  const workspace = copyFixtureWorkspace('mcpoison');
  const store = path.join(tmp, 'trust-store.json');
  const policyFile = path.join(tmp, 'etc', 'policy.json');
  try {
    const scan = JSON.parse(cli(['scan', '--json', '--no-user', '--store', store, workspace])) as { servers: { name: string; fingerprint: string }[] };
    const notes = scan.servers.find((s) => s.name === 'notes');
    assert.ok(notes, scan.servers.map((s) => s.name).join(', '));
    fs.mkdirSync(path.dirname(policyFile), { mode: 0o755 });
    fs.writeFileSync(policyFile, JSON.stringify({ deniedMcpServers: [{ serverName: 'build' }], allowedMcpServers: [{ serverName: 'notes', fingerprints: [notes.fingerprint] }] }), { mode: 0o644 });

    const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store, MCP_TRUST_GUARD_POLICY: policyFile }, settings: { 'mcpTrustGuard.probeOnApprove': false } });
    const { page } = await openWorkbench(cs, workspace);
    await showServers(page);
    const blocked = page.locator('.monaco-list-row', { hasText: 'blocked by your organization' }).first();
    await blocked.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await blocked.textContent()) ?? '';
    assert.match(text, /build/);
    assert.match(text, /deniedMcpServers\[0\]/);
    assert.ok(text.includes(policyFile) || text.includes('policy.json'), text);
    const approved = page.locator('.monaco-list-row', { hasText: 'approved by your organization' }).first();
    await approved.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await approved.textContent()) ?? '', /notes/);
    await screenshot(page, 'policy-tree');
    assert.deepEqual(storeRecords(store), {}, 'nobody decided anything: the policy did');
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});
