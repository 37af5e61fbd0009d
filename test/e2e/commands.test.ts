/**
 * Commands and settings in a real VS Code: every command contributed in package.json is registered, and every
 * registered `mcpTrustGuard.*` command is contributed (VS Code's own `<viewId>.focus`-style view commands
 * aside). The extension logs the registered ids once at activation ("commands registered: …", read from
 * `vscode.commands.getCommands(true)`), so no test-only command is needed. The `mcpTrustGuard.hosts` user
 * setting (application scope) is honoured: only Cursor's config is read.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, copyFixtureWorkspace, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { showServers, waitForLog, waitForServer } from './ui';

const started = Date.now();
after(async () => {
  await closeAll();
  console.log(`# e2e commands total: ${Date.now() - started} ms`);
});

const VIEW_IDS = ['mcpTrustGuard.servers', 'mcpTrustGuard.inspector'];

test('every contributed command is registered and vice versa; the hosts setting is honoured', { timeout: 150_000 }, async () => {
  const workspace = copyFixtureWorkspace('mcpoison');
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    const cs = await startCodeServer({ workspace, settings: { 'mcpTrustGuard.hosts': ['cursor'], 'mcpTrustGuard.probeOnApprove': false } });
    const { page } = await openWorkbench(cs, workspace);
    const log = await waitForLog(cs, /commands registered: ([^\n]*)/, 30_000);
    const registered = (/commands registered: ([^\n]*)/.exec(log)?.[1] ?? '')
      .trim()
      .split(/\s+/)
      .filter((id) => !VIEW_IDS.some((v) => id.startsWith(`${v}.`)))
      .sort();
    assert.deepEqual(registered, contributed, `registered:\n${registered.join('\n')}\ncontributed:\n${contributed.join('\n')}`);

    // hosts = ["cursor"]: only .cursor/mcp.json is read, the VS Code servers are not listed
    await waitForLog(cs, /start: 1 server\(s\) in 1 file\(s\)/, 20_000);
    await showServers(page);
    await waitForServer(page, 'build', 'new', 20_000);
    assert.equal(await page.locator('.monaco-list-row[aria-label^="notes, "]').count(), 0);
    await screenshot(page, 'commands-hosts-setting');
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});
