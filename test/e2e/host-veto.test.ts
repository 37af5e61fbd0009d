/**
 * E2E: VS Code itself refuses a changed server. A workspace `.vscode/mcp.json` server (the marker fixture, which
 * writes its pid to the file named by its last argument) is approved with the CLI; another process then changes
 * its arguments as a `git pull` would. The guard writes VS Code's own deny entry for the changed launch into the
 * user settings (`chat.mcp.deniedServers`); starting the server with VS Code's own "Start" CodeLens
 * (`workbench.mcp.startServer`) is then refused by VS Code, and the marker file of the changed launch never
 * appears. After "Approve Change" the entry is taken out and the same Start runs it. The time from the change on
 * disk to the deny entry in settings.json is printed for several rounds (p50, max).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'jsonc-parser';
import type { Page } from 'playwright-core';
import { closeAll, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer, type CodeServerHandle } from './harness';
import { allFramesText, clickDialogButton, cli, dialog, extensionLog, showServers, until, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-veto-')));
const started = Date.now();
const fixturePids: number[] = [];
const ROUNDS = 5;

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
  console.log(`# e2e host-veto total: ${Date.now() - started} ms`);
});

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');
const entry = (marker: string) => JSON.stringify({ servers: { pidsrv: { type: 'stdio', command: process.execPath, args: [FIXTURE, marker] } } }, null, 2);

function deniedList(cs: CodeServerHandle): unknown[] {
  const text = fs.readFileSync(path.join(cs.userDataDir, 'User', 'settings.json'), 'utf8');
  const v = (parse(text) as Record<string, unknown>)['chat.mcp.deniedServers'];
  return Array.isArray(v) ? v : [];
}

const denies = (cs: CodeServerHandle, marker: string) =>
  deniedList(cs).some((m) => JSON.stringify(m) === JSON.stringify({ serverCommand: [process.execPath, FIXTURE, marker] }));

/** Dismisses the guard's CHANGED modal (Escape = no decision), if it is up. */
async function dismissModal(page: Page): Promise<void> {
  if (await dialog(page).isVisible().catch(() => false)) await page.keyboard.press('Escape');
}

async function openMcpJson(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget .quick-input-box input').first();
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('.vscode/mcp.json');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'mcp.json' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Clicks VS Code's own Start CodeLens above the entry, answering its first-start trust question. */
async function clickStart(page: Page): Promise<void> {
  const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: /Start/ }).first();
  await lens.waitFor({ state: 'visible', timeout: 20_000 });
  await lens.click();
}

test('VS Code refuses a changed .vscode/mcp.json server the guard vetoed, and starts it after Approve Change', { timeout: 300_000 }, async () => {
  const workspace = path.join(tmp, 'ws');
  const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
  const store = path.join(tmp, 'trust-store.json');
  fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
  fs.writeFileSync(mcpJson, entry(path.join(tmp, 'approved.pid')));
  cli(['approve', '--all', workspace, '--no-user', '--store', store]);

  const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.probeOnApprove': false } });
  const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
  await showServers(page);
  await waitForServer(page, 'pidsrv', 'approved', 30_000);
  assert.equal(deniedList(cs).length, 0, 'an approved server is not vetoed');

  // Rounds of "another process changes the arguments": the deny entry for the new launch appears in settings.json.
  const latencies: number[] = [];
  let marker = '';
  for (let i = 0; i < ROUNDS; i++) {
    marker = path.join(tmp, `changed-${i}.pid`);
    const t0 = Date.now();
    writeLikeGit(mcpJson, entry(marker));
    await until(`deny entry for round ${i}`, () => denies(cs, marker), 15_000, 10).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
    });
    latencies.push(Date.now() - t0);
    await dismissModal(page);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  console.log(`# host-veto e2e: change on disk → VS Code deny entry in user settings: p50 ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted[sorted.length - 1]} ms (${ROUNDS} rounds: ${latencies.join(', ')})`);
  assert.equal(deniedList(cs).length, 1, 'the entries of earlier rounds were taken out: only the current launch is denied');
  await waitForServer(page, 'pidsrv', 'changed', 15_000);
  await dismissModal(page);
  await screenshot(page, 'host-veto-0-changed');

  // VS Code's own Start: refused before launch.
  await openMcpJson(page);
  await dismissModal(page);
  await clickStart(page);
  const refused = await until('VS Code to say the server is blocked', async () => {
    if (await dialog(page).isVisible().catch(() => false)) {
      const text = await dialog(page).innerText().catch(() => '');
      if (/Trust/.test(text)) await clickDialogButton(page, 'Trust');
      else await page.keyboard.press('Escape');
    }
    const t = await allFramesText(page);
    return /blocked by your organization|not allowed|policy/i.test(t) ? t : '';
  }, 30_000, 250).catch(async (e: unknown) => {
    await screenshot(page, 'host-veto-1-no-refusal');
    throw e;
  });
  console.log(`# VS Code says: ${/[^\n]*(blocked by your organization|not allowed|policy)[^\n]*/i.exec(refused)?.[0]?.slice(0, 200)}`);
  await screenshot(page, 'host-veto-1-refused');
  assert.equal(fs.existsSync(marker), false, 'the changed launch never ran');

  // Approve Change from the tree's context menu → the deny entry goes, and Start runs the server.
  const row = page.locator('.monaco-list-row[aria-label^="pidsrv, changed"]').first();
  await until('Approve Change', async () => {
    await page.keyboard.press('Escape');
    await row.click({ button: 'right', timeout: 10_000 });
    const item = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Approve( Change)?$/ }).first();
    await item.waitFor({ state: 'visible', timeout: 5_000 });
    await item.click({ timeout: 5_000 });
    return true;
  }, 30_000, 300);
  if (await dialog(page).isVisible().catch(() => false)) {
    const text = await dialog(page).innerText();
    const button = /Approve Change/.test(text) ? 'Approve Change' : 'Approve';
    await clickDialogButton(page, button);
  }
  await waitForServer(page, 'pidsrv', 'approved', 20_000);
  await until('the deny entry to be taken out', () => !denies(cs, marker), 15_000, 20);
  await openMcpJson(page);
  const pid = await until('the approved launch to run', async () => {
    if (await dialog(page).isVisible().catch(() => false)) {
      const text = await dialog(page).innerText().catch(() => '');
      if (/Trust/.test(text)) await clickDialogButton(page, 'Trust');
    }
    const lens = page.locator('.contentWidgets .codelens-decoration a', { hasText: /^Start|Restart/ }).first();
    if (await lens.isVisible().catch(() => false)) await lens.click().catch(() => undefined);
    const t = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
    return /^\d+$/.test(t) ? Number(t) : 0;
  }, 40_000, 500).catch(async (e: unknown) => {
    await screenshot(page, 'host-veto-2-not-started');
    throw e;
  });
  fixturePids.push(pid);
  await screenshot(page, 'host-veto-2-started');

  // Block: VS Code's deny entry holds it; the quarantine edit is offered as the last resort, saying it edits a
  // tracked file. Then `git stash`/checkout writes the entry back: the guard asks again within 2 s.
  const approvedRow = page.locator('.monaco-list-row[aria-label^="pidsrv, approved"]').first();
  await until('the Block consent modal', async () => {
    await page.keyboard.press('Escape');
    await approvedRow.click({ button: 'right', timeout: 10_000 });
    const item = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Block$/ }).first();
    await item.waitFor({ state: 'visible', timeout: 5_000 });
    await item.click({ timeout: 5_000 });
    return dialog(page).waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false);
  }, 30_000, 300);
  const consent = (await dialog(page).innerText()).replace(/\u00a0/g, ' ');
  assert.match(consent, /"pidsrv" is blocked: VS Code will refuse to start it/);
  assert.match(consent, /git usually tracks/);
  await screenshot(page, 'host-veto-3-block-consent');
  await clickDialogButton(page, 'Move to Quarantine');
  await until('the entry to leave servers', () => !('pidsrv' in ((JSON.parse(fs.readFileSync(mcpJson, 'utf8')) as { servers?: Record<string, unknown> }).servers ?? {})), 15_000, 50);
  await waitForServer(page, 'pidsrv', 'blocked', 15_000);
  if (await dialog(page).isVisible().catch(() => false)) await page.keyboard.press('Escape');

  const t0 = Date.now();
  writeLikeGit(mcpJson, entry(marker));
  await until('the "back in its file" modal', async () => /Blocked MCP server "pidsrv" is back in its file/.test(await dialog(page).innerText().catch(() => '')), 10_000, 20).catch(async (e: unknown) => {
    await screenshot(page, 'host-veto-4-no-prompt');
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  const backMs = Date.now() - t0;
  console.log(`# host-veto e2e: blocked entry written back (git stash) → prompt ${backMs} ms`);
  await screenshot(page, 'host-veto-4-returned');
  assert.ok(backMs < 2_000, `prompt after ${backMs} ms`);
  await until('the deny entry of the denied launch', () => denies(cs, marker), 15_000, 20);
  await page.keyboard.press('Escape');
  assert.deepEqual(nonLoopbackRequests, []);
  assert.doesNotMatch(extensionLog(cs), /could not write/);
});
