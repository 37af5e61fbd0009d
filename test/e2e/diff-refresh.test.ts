/**
 * An open diff panel follows the server in a real VS Code (code-server): `build` in the MCPoison fixture's
 * `.cursor/mcp.json` is approved (CLI) as `echo safe`, then rewritten to `cmd.exe /c shell1.bat`; the
 * "changed" modal → Show Diff opens the panel. While it stays open:
 *
 * 1. the file changes again (`shell2.bat`) → the panel shows `shell2.bat`; the new modal's Approve Change →
 *    the panel shows `build` approved;
 * 2. the file changes again (`shell3.bat`) → the panel shows it changed; Block from the command palette
 *    (Move to Quarantine) → the panel says plainly that `build` is blocked, and shows no button;
 * 3. Restore from the command palette → the panel shows the diff again, `build` denied;
 * 4. the entry is deleted from the file → the panel says `build` is no longer in the file.
 *
 * Each step's latency (the action → the panel's new content) is measured and logged. Needs
 * `scripts/setup-e2e.sh` and `node scripts/build.mjs` first. Screenshots: `test-results/e2e/diff-refresh-*.png`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { closeAll, copyFixtureWorkspace, openWorkbench, removeDir, screenshot, startCodeServer } from './harness';
import { cli, clickDialogButton, dialog, extensionLog, runCommandAndPick, showServers, storeRecords, until, waitForLog, waitForServer, webviewFrame, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-diffrefresh-')));
const started = Date.now();
/** Bound of one action → panel re-rendered latency, ms. */
const MAX_REFRESH_MS = 5_000;

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e diff-refresh total: ${Date.now() - started} ms`);
});

const poisoned = (i: number) => JSON.stringify({ mcpServers: { build: { command: 'cmd.exe', args: ['/c', `shell${i}.bat`] } } });

/** The panel's visible text (heading, notices, tables), spaces normalized. */
async function panelText(frame: Frame): Promise<string> {
  return (await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '')).replace(/\u00a0/g, ' ');
}

/** Waits until the panel's text passes `check`; returns ms since `t0` and the text. */
async function panelChange(frame: Frame, what: string, check: (text: string) => boolean, t0: number): Promise<{ ms: number; text: string }> {
  const text = await until(what, async () => {
    const t = await panelText(frame);
    return check(t) ? t : '';
  }, MAX_REFRESH_MS * 3, 25);
  return { ms: Date.now() - t0, text };
}

/** Waits for the "changed" modal naming `shell<i>.bat`. */
async function changedModal(page: Page, i: number): Promise<void> {
  const box = dialog(page);
  await until(`the change modal for shell${i}.bat`, async () => (await box.isVisible().catch(() => false)) && (await box.innerText().catch(() => '')).includes(`shell${i}.bat`), 15_000, 50);
}

test('the diff panel follows its server: edited, approved from the modal, blocked, restored, removed', { timeout: 240_000 }, async () => {
  const workspace = copyFixtureWorkspace('mcpoison');
  const cursorFile = path.join(workspace, '.cursor', 'mcp.json');
  const store = path.join(tmp, 'trust-store.json');
  const latencies: Record<string, number> = {};
  try {
    cli(['approve', '--all', workspace, '--no-user', '--store', store]);
    const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.probeOnApprove': false } });
    const { page } = await openWorkbench(cs, workspace);
    await showServers(page);
    await waitForServer(page, 'build', 'approved', 30_000);
    await waitForLog(cs, /start: 3 server\(s\)/);

    // the change → modal → Show Diff
    writeLikeGit(cursorFile, poisoned(1));
    await changedModal(page, 1);
    await clickDialogButton(page, 'Show Diff');
    const frame = await webviewFrame(page, 'diff', 'h1');
    let seen = await panelChange(frame, 'the first diff', (t) => t.includes('shell1.bat'), Date.now());
    assert.match(seen.text, /Diff: build\s+changed/);
    assert.equal(await frame.locator('#approve').isEnabled(), true);

    // 1a. edited again while the panel is open → the panel shows the new spec
    let t0 = Date.now();
    writeLikeGit(cursorFile, poisoned(2));
    seen = await panelChange(frame, 'shell2.bat in the panel', (t) => t.includes('shell2.bat'), t0);
    latencies.edited = seen.ms;
    assert.doesNotMatch(seen.text, /shell1\.bat/);
    // 1b. Approve Change in the new modal → the panel shows it approved
    await changedModal(page, 2);
    t0 = Date.now();
    await clickDialogButton(page, 'Approve Change');
    seen = await panelChange(frame, 'the panel to show build approved', (t) => /Diff: build\s+approved/.test(t), t0);
    latencies.approvedFromModal = seen.ms;
    assert.match(seen.text, /Approved: the current launch spec is the one on record\./);
    assert.equal(await frame.locator('tr.field-changed, tr.field-added, tr.field-removed').count(), 0);
    assert.equal(await frame.locator('#approve').isDisabled(), true, 'nothing left to approve');
    assert.equal(storeRecords(store)[`${cursorFile}#/mcpServers/build`]?.decision, 'approved');
    await waitForServer(page, 'build', 'approved', 10_000);
    await screenshot(page, 'diff-refresh-1-approved');

    // 2. changed again, then Block from the command palette (not the panel) → the panel says it is blocked
    writeLikeGit(cursorFile, poisoned(3));
    await changedModal(page, 3);
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden', timeout: 5_000 });
    await panelChange(frame, 'shell3.bat in the panel', (t) => t.includes('shell3.bat') && /Diff: build\s+changed/.test(t), Date.now());
    await runCommandAndPick(page, 'MCP Trust Guard: Block', 'build', 15_000);
    t0 = Date.now();
    await clickDialogButton(page, 'Move to Quarantine');
    seen = await panelChange(frame, 'the panel to say build is blocked', (t) => t.includes('is blocked'), t0);
    latencies.blocked = seen.ms;
    assert.match(seen.text, /Diff: build\s+blocked/);
    assert.match(seen.text, /"build" is blocked: its entry \/mcpServers\/build was moved out of the servers of .*mcp\.json into "mcpTrustGuard\.quarantine", where no host reads it/);
    assert.doesNotMatch(seen.text, /shell3\.bat/, 'the stale diff is gone');
    assert.equal(await frame.locator('button').count(), 0);
    const blockedFile = JSON.parse(fs.readFileSync(cursorFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(blockedFile.mcpServers, {});
    await waitForServer(page, 'build', 'blocked', 10_000);
    await screenshot(page, 'diff-refresh-2-blocked');

    // 3. Restore from the command palette → the diff again, denied
    await runCommandAndPick(page, 'MCP Trust Guard: Restore', 'build', 15_000);
    t0 = Date.now();
    await clickDialogButton(page, 'Restore');
    seen = await panelChange(frame, 'the panel to show build denied', (t) => /Diff: build\s+denied/.test(t), t0);
    latencies.restored = seen.ms;
    assert.match(seen.text, /shell3\.bat/);
    assert.match(seen.text, /Decision on record: denied/);
    assert.equal(await frame.locator('#block').isEnabled(), true);

    // 4. the entry is deleted from the file → the panel says so
    t0 = Date.now();
    writeLikeGit(cursorFile, JSON.stringify({ mcpServers: {} }));
    seen = await panelChange(frame, 'the panel to say build is gone', (t) => t.includes('is no longer in'), t0);
    latencies.removed = seen.ms;
    assert.match(seen.text, /Diff: build\s+removed/);
    await screenshot(page, 'diff-refresh-3-removed');

    console.log(`# action → diff panel re-rendered (ms): ${Object.entries(latencies).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const [k, v] of Object.entries(latencies)) assert.ok(v < MAX_REFRESH_MS, `${k}: ${v} ms`);
    assert.doesNotMatch(extensionLog(cs), /\[error\]/);
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});
