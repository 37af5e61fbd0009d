/**
 * E2E scenario 1: a workspace with `.cursor/mcp.json` and `.vscode/mcp.json` (comments, trailing commas,
 * `inputs`). The tree shows every server as new, the Problems panel lists them, the status bar counts them;
 * the quick fix of a Problem (Ctrl+. on the Problem's row, "Approve (starts nothing)") approves that one server; approving
 * the others from the one notification's review list turns them approved in the tree and in the trust store file (the
 * same file the CLI reads: `scan` agrees).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, copyFixtureWorkspace, openWorkbench, readChannelLogFile, removeDir, runCommand, screenshot, startCodeServer, waitForText } from './harness';
import { chooseInReviewList, cli, clickDialogButton, clickToastButton, dialog, extensionLog, notificationSource, runCommandAndPick, showServers, storeRecords, until, waitForLog, waitForServer } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-approve-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e approve total: ${Date.now() - started} ms`);
});

test('new servers of two hosts are shown as new and approved by a Problem\'s quick fix and from the review list of the one notification', { timeout: 150_000 }, async () => {
  const workspace = copyFixtureWorkspace('mcpoison');
  const store = path.join(tmp, 'trust-store.json');
  try {
    const cs = await startCodeServer({
      workspace,
      env: { MCP_TRUST_GUARD_STORE: store },
      settings: { 'mcpTrustGuard.probeOnApprove': false },
    });
    const { page } = await openWorkbench(cs, workspace);
    await showServers(page);
    for (const name of ['build', 'notes', 'docs']) await waitForServer(page, name, 'new', 30_000);
    // status bar: 3 to review
    await page.locator('[aria-label="MCP Trust Guard: 3 to review"]').first().waitFor({ state: 'visible', timeout: 10_000 });
    // diagnostics in the Problems panel
    await runCommand(page, 'Focus on Problems View', 15_000);
    await waitForText(page, 'New MCP server "build" is not approved yet', 15_000);
    await screenshot(page, 'approve-1-new');

    // the Problem's quick fix, from the Problems panel: select the row, Ctrl+., pick the guard's Approve
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'New MCP server "build" is not approved yet' }).first();
    const fixes = page.locator('.context-view .monaco-menu .action-label');
    const approved = () => Object.values(storeRecords(store)).some((r) => r.name === 'build' && r.decision === 'approved');
    // under load a click can land while the menu re-renders and run nothing, or the key can open no menu: the menu
    // is opened again (at most 3 times)
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Escape');
      await problem.click();
      await problem.locator('.markers-panel-action-quickfix:not(.disabled)').waitFor({ state: 'visible', timeout: 10_000 }); // the light bulb
      await page.keyboard.press('Control+.');
      // under load the key can reach the list before it has focus and open nothing: the row is selected again
      const opened = await fixes.first().waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, (err: unknown) => {
        if (attempt >= 3) throw err;
        return false;
      });
      if (!opened) {
        console.log(`# Ctrl+. opened no quick fix menu (attempt ${attempt}); again`);
        continue;
      }
      const offered = await fixes.allInnerTexts();
      assert.deepEqual(offered.filter((t) => t.startsWith('MCP Trust Guard')), ['MCP Trust Guard: Approve (starts nothing)', 'MCP Trust Guard: Block']);
      if (attempt === 1) await screenshot(page, 'approve-quick-fix');
      await fixes.filter({ hasText: /^MCP Trust Guard: Approve \(starts nothing\)$/ }).first().click();
      try {
        await until("the quick fix's approval in the store", approved, 10_000);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        console.log(`# the quick fix approved nothing after attempt ${attempt}; again`);
      }
    }
    assert.deepEqual(Object.values(storeRecords(store)).map((r) => r.name), ['build'], 'the quick fix approved another server too');
    await waitForServer(page, 'build', 'approved', 10_000);
    await problem.waitFor({ state: 'detached', timeout: 10_000 }); // its Problem is gone
    await page.locator('[aria-label="MCP Trust Guard: 2 to review"]').first().waitFor({ state: 'visible', timeout: 10_000 });

    // one notification for the three, pointing to the review list; no prompt per server; it says where it comes from
    assert.equal(await notificationSource(page, '3 MCP servers need review'), 'Source: MCP Trust Guard');
    const hostLog = readChannelLogFile(cs, 'exthost'); // the extension host's own log (remoteexthost.log)
    assert.ok(hostLog.length > 0, 'no extension host log');
    assert.doesNotMatch(hostLog, /Could not identify extension/);
    await clickToastButton(page, '3 MCP servers need review', 'Review…', 20_000);
    const follow = await chooseInReviewList(page, ['notes', 'docs'], /^Approve 2 servers$/);
    assert.deepEqual(follow, ['Cancel', 'Approve 2 servers', 'Approve 2 servers and read tools']);
    for (const name of ['notes', 'docs', 'build']) await waitForServer(page, name, 'approved', 15_000);
    assert.equal((extensionLog(cs).match(/notification \d+:/g) ?? []).length, 1, 'exactly one notification');
    await page.locator('[aria-label="MCP Trust Guard: 0 to review"]').first().waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'approve-2-approved');

    const records = await until('3 approved records in the store', () => {
      const r = Object.values(storeRecords(store));
      return r.length === 3 && r.every((x) => x.decision === 'approved') ? r : undefined;
    }, 10_000);
    assert.deepEqual(records.map((r) => r.name).sort(), ['build', 'docs', 'notes']);
    const keys = Object.keys(storeRecords(store));
    assert.ok(keys.includes(`${path.join(workspace, '.cursor', 'mcp.json')}#/mcpServers/build`), keys.join('\n'));
    assert.ok(keys.includes(`${path.join(workspace, '.vscode', 'mcp.json')}#/servers/notes`), keys.join('\n'));
    // The CLI reads the same store and agrees: nothing new or changed (exit status 0).
    const scan = JSON.parse(cli(['scan', '--json', '--no-user', '--store', store, workspace])) as { servers: { name: string; state: string }[] };
    assert.deepEqual(scan.servers.map((s) => `${s.name}:${s.state}`).sort(), ['build:approved', 'docs:approved', 'notes:approved']);
    // probeOnApprove=false (an application-scoped user setting) was honoured: no probe was started
    assert.doesNotMatch(extensionLog(cs), /reading tools|read the tools of/);
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});

test('approving a server whose pin cannot cover what it runs asks once, naming what stays unpinned', { timeout: 150_000 }, async () => {
  const workspace = path.join(tmp, 'incomplete');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const config = path.join(workspace, '.vscode', 'mcp.json');
  // An inline shell script: the guard cannot follow what `bash -c` runs, so the pin is incomplete.
  fs.writeFileSync(config, JSON.stringify({ servers: { inline: { type: 'stdio', command: 'bash', args: ['-c', 'node ./srv.js'] } } }, null, 2));
  const store = path.join(tmp, 'incomplete-store.json');
  try {
    const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.probeOnApprove': false } });
    const { page } = await openWorkbench(cs, workspace);
    await showServers(page);
    await waitForServer(page, 'inline', 'new', 30_000);

    const approve = async () => {
      await runCommandAndPick(page, 'MCP Trust Guard: Approve (pins the launch, starts nothing)', 'inline', 20_000);
      await dialog(page).waitFor({ state: 'visible', timeout: 10_000 });
      return dialog(page).innerText();
    };
    // Escape approves nothing.
    const text = await approve();
    assert.match(text, /does not cover everything it runs/);
    assert.match(text, /inline script/, `the dialog names the gap:\n${text}`);
    await screenshot(page, 'approve-3-incomplete-pin');
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden', timeout: 5_000 });
    await waitForServer(page, 'inline', 'new', 5_000);
    assert.deepEqual(Object.keys(storeRecords(store)), [], 'nothing recorded after Escape');

    // Approve Anyway records the approval; the finding stays.
    await approve();
    await clickDialogButton(page, 'Approve Anyway');
    await waitForServer(page, 'inline', 'approved', 15_000);
    const records = await until('an approved record', () => Object.values(storeRecords(store)).find((r) => r.decision === 'approved'), 10_000);
    assert.equal(records.name, 'inline');
    await waitForLog(cs, /approved with an incomplete pin: inline/, 5_000);
  } finally {
    await closeAll();
  }
});
