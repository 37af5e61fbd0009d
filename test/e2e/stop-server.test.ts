/**
 * E2E: Block stops a server VS Code is running. A workspace `.vscode/mcp.json` server (the marker fixture,
 * which writes its pid to a file) is approved with the CLI, started by VS Code itself (the "Start Server"
 * CodeLens VS Code shows above the entry in `.vscode/mcp.json`, i.e. `workbench.mcp.startServer <id>`), then
 * blocked from the Servers tree. Block asks VS Code to stop it with `workbench.mcp.stopServer` and the id from
 * `vscodeServerIds()` (`mcp.config.ws0.<name>`); the test asserts that the fixture process is gone within a
 * bound, and logs the time from Block to process exit.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { cli, clickDialogButton, dialog, extensionLog, quickOpen, showServers, sleep, until, waitForLog, waitForServer } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-stop-')));
const started = Date.now();
/** Pids of fixture processes this test caused to start (read from their pid file); killed in cleanup if alive. */
const fixturePids: number[] = [];

after(async () => {
  await closeAll();
  for (const pid of fixturePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  removeDir(tmp);
  console.log(`# e2e stop-server total: ${Date.now() - started} ms`);
});

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

test('Block stops the server VS Code runs for a .vscode/mcp.json entry (workbench.mcp.stopServer mcp.config.ws0.<name>)', { timeout: 180_000 }, async () => {
  const workspace = path.join(tmp, 'ws');
  const pidFile = path.join(tmp, 'server.pid');
  const store = path.join(tmp, 'trust-store.json');
  const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
  fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
  const fixture = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');
  fs.writeFileSync(mcpJson, JSON.stringify({ servers: { pidsrv: { type: 'stdio', command: process.execPath, args: [fixture, pidFile] } } }, null, 2));
  cli(['approve', '--all', workspace, '--no-user', '--store', store]);

  const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.probeOnApprove': false } });
  const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
  await showServers(page);
  await waitForServer(page, 'pidsrv', 'approved', 30_000);

  // Open .vscode/mcp.json (Quick Open) so VS Code shows its own CodeLenses above the entry.
  await quickOpen(page, '.vscode/mcp.json', 'mcp.json');
  const startLens = page.locator('.contentWidgets .codelens-decoration a', { hasText: /Start/ }).first();
  await startLens.waitFor({ state: 'visible', timeout: 20_000 }).catch(async (e: unknown) => {
    await screenshot(page, 'stop-server-0-no-lens');
    throw e;
  });
  await screenshot(page, 'stop-server-0-lens');
  await startLens.click();
  // VS Code may ask to trust the server on first start.
  const box = dialog(page);
  const pid = await until('the fixture pid file', async () => {
    if (await box.isVisible().catch(() => false)) {
      const text = await box.innerText().catch(() => '');
      console.log(`# dialog: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
      await screenshot(page, 'stop-server-1-trust');
      await clickDialogButton(page, 'Trust');
    }
    const t = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').trim() : '';
    return /^\d+$/.test(t) ? Number(t) : 0;
  }, 30_000, 200).catch(async (e: unknown) => {
    await screenshot(page, 'stop-server-1-no-pid');
    throw e;
  });
  fixturePids.push(pid);
  assert.ok(alive(pid), `fixture ${pid} not alive after start`);
  // who started it: the parent is code-server's extension host / server process, not this test or our extension's probe
  const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  const parentCmd = fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200);
  console.log(`# fixture pid ${pid}, parent ${ppid}: ${parentCmd}`);
  assert.notEqual(ppid, process.pid);
  assert.doesNotMatch(extensionLog(cs), /reading the tools|probed "/, 'our extension probed the server; the pid would not be VS Code\'s');
  await screenshot(page, 'stop-server-2-running');

  // Block from the Servers tree, and DECLINE the quarantine: the entry stays in .vscode/mcp.json, so VS Code
  // keeps its definition and only workbench.mcp.stopServer (with the right id) can stop the process.
  // (retried, bounded: a right-click while the tree re-renders may open a menu that goes away unclicked)
  const row = page.locator('.monaco-list-row[aria-label^="pidsrv, approved"]').first();
  const menuItem = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Block$/ }).first();
  await until('the Block consent modal', async () => {
    await page.keyboard.press('Escape'); // a menu left open by an earlier attempt would intercept the right-click
    await row.click({ button: 'right', timeout: 10_000 });
    await menuItem.waitFor({ state: 'visible', timeout: 5_000 });
    await sleep(300); // a click right after the menu appears may be ignored
    await menuItem.click({ timeout: 5_000 });
    return box.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
  }, 30_000, 200).catch(async (e: unknown) => {
    await screenshot(page, 'stop-server-3-no-consent');
    throw e;
  });
  assert.match((await box.innerText()).replace(/\u00a0/g, ' '), /"pidsrv" is blocked: VS Code will refuse to start it.* Also move it out of servers/s);
  await screenshot(page, 'stop-server-3-consent');
  const t0 = Date.now();
  await clickDialogButton(page, 'Cancel');
  await until(`fixture ${pid} to exit`, () => !alive(pid), 15_000, 20).catch(async (e: unknown) => {
    await screenshot(page, 'stop-server-4-still-running');
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  const stopMs = Date.now() - t0;
  console.log(`# stop-server e2e: Block (quarantine declined) → fixture process exit ${stopMs} ms`);
  // what the extension reports: the stop command ran with the ws0 id, and the summary says so
  const log = await waitForLog(cs, /Blocked "pidsrv": /, 10_000);
  assert.match(log, /workbench\.mcp\.stopServer mcp\.config\.ws0\.pidsrv: done/);
  assert.match(log, /Blocked "pidsrv": .*VS Code was asked to stop it if running \(workbench\.mcp\.stopServer mcp\.config\.ws0\.pidsrv\)/);
  // the entry is still in the file: it was the stop command, not a vanished definition, that ended the process
  assert.ok('pidsrv' in (JSON.parse(fs.readFileSync(mcpJson, 'utf8')) as { servers: Record<string, unknown> }).servers);
  await waitForServer(page, 'pidsrv', 'denied', 15_000);
  await screenshot(page, 'stop-server-4-stopped');
  assert.deepEqual(nonLoopbackRequests, []);
  assert.doesNotMatch(extensionLog(cs), /\[error\]/);
});
