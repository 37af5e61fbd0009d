/**
 * Commands and settings in a real VS Code: every command contributed in package.json is registered, and every
 * registered `mcpTrustGuard.*` command is contributed (VS Code's own `<viewId>.focus`-style view commands
 * aside). The extension logs the registered ids once at activation ("commands registered: …", read from
 * `vscode.commands.getCommands(true)`), so no test-only command is needed. The `mcpTrustGuard.hosts` user
 * setting (application scope) is honoured: only Cursor's config is read. A CLI approval shows up live (the
 * trust store is watched), and a broken config becomes a Problems diagnostic with its line and column.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, copyFixtureWorkspace, openWorkbench, REPO_ROOT, removeDir, runCommand, screenshot, startCodeServer, waitForText } from './harness';
import { cli, showServers, waitForLog, waitForServer } from './ui';

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
    const store = path.join(path.dirname(workspace), 'trust-store.json');
    const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.hosts': ['cursor'], 'mcpTrustGuard.probeOnApprove': false } });
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

    // An approval made with the CLI while the editor is open shows up (the trust store file is watched).
    const cursorFile = path.join(workspace, '.cursor', 'mcp.json');
    cli(['approve', '--store', store, cursorFile, 'build']);
    await waitForServer(page, 'build', 'approved', 5_000);

    // A hostile (broken) config never crashes the extension: the parse error is a diagnostic with its position.
    fs.writeFileSync(cursorFile, '{"mcpServers": {"build": {"command": "echo" "args": []}}}');
    await waitForLog(cs, /files: .* 1 file error\(s\)/, 10_000);
    await runCommand(page, 'Focus on Problems View', 15_000);
    const problems = await waitForText(page, '[Ln 1, Col', 10_000);
    assert.match(problems, /config-error/);
    await screenshot(page, 'commands-parse-error');
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});
