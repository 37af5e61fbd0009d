/** The organization's verdict in the diff panel header: built from the scan, carried by the validated protocol. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Scanner } from '../../../src/core/scan';
import { emptyStore } from '../../../src/core/trust';
import { serverHeader } from '../../../src/vscode/panels/viewModel';
import { MessageType, parseToWebview } from '../../../src/webview/protocol';

test('the diff panel header says "blocked by your organization (rule, file)" / "approved by your organization", and the page accepts only a string', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mtg-org-view-'));
  try {
    mkdirSync(join(root, '.cursor'));
    writeFileSync(join(root, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { a: { command: 'echo', args: ['a'] }, b: { command: 'echo', args: ['b'] } } }));
    const scanner = new Scanner({ workspaceFolders: [root], home: root, includeUser: false });
    const plain = await scanner.scanAll(emptyStore());
    const fpB = plain.servers.find((s) => s.spec.name === 'b')!.fingerprint.fingerprint;
    scanner.policy = {
      sources: [{ kind: 'guard', path: '/etc/mcp-trust-guard/policy.json', sha256: '0'.repeat(64), policy: { deniedMcpServers: [{ serverName: 'a' }], allowedMcpServers: [{ serverName: 'b', fingerprints: [fpB] }] } }],
      problems: [],
      checked: [],
    };
    const r = await scanner.reevaluate(emptyStore());
    const a = serverHeader(r.servers.find((s) => s.spec.name === 'a')!);
    const b = serverHeader(r.servers.find((s) => s.spec.name === 'b')!);
    assert.equal(a.organization, 'blocked by your organization (deniedMcpServers[0], /etc/mcp-trust-guard/policy.json)');
    assert.equal(a.organizationBlocks, true);
    assert.equal(b.organization, 'approved by your organization');
    assert.equal(b.organizationBlocks, false);
    assert.equal(serverHeader(plain.servers[0]).organization, undefined);

    const model = { server: a, cosmetic: false, fields: [], specDiff: [], items: [], findings: [], omitted: 0 };
    assert.equal(parseToWebview({ type: 'showDiff', revision: 1, model })?.type, MessageType.ShowDiff);
    assert.equal(parseToWebview({ type: 'showDiff', revision: 1, model: { ...model, server: { ...a, organization: 5 } } }), undefined);
    assert.equal(parseToWebview({ type: 'showDiff', revision: 1, model: { ...model, server: { ...a, organizationBlocks: 'yes' } } }), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
