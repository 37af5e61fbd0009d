/**
 * E2E: VS Code itself refuses a changed server. A workspace `.vscode/mcp.json` server (the marker fixture, which
 * writes its pid to the file named by its last argument) is approved with the CLI; another process then changes
 * its arguments as a `git pull` would. The guard writes VS Code's own deny entry for the changed launch into the
 * user settings (`chat.mcp.deniedServers`); the time from the change on disk to the entry is printed (p50, max).
 *
 * code-server 1.139.1 reads that list when the workbench starts, not when another writer changes settings.json
 * while it runs (measured: an entry written at run time did not stop a Start in the same session). So VS Code is
 * started again on the same user data, as after a restart: its own "Start" CodeLens (`workbench.mcp.startServer`)
 * is refused and the marker file of the changed launch never appears. Approve Change takes the entry out. Block
 * then offers the quarantine edit as the last resort (saying it edits a tracked file), and when the blocked entry
 * is written back (git stash) the guard asks again within 2 s and the deny entry is back.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'jsonc-parser';
import type { Page } from 'playwright-core';
import { closeAll, DEFAULT_SETTINGS, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer, type CodeServerHandle } from './harness';
import { clickDialogButton, cli, dialog, extensionLog, quickOpen, showServers, until, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-veto-')));
const started = Date.now();
const ROUNDS = 5;

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e host-veto total: ${Date.now() - started} ms`);
});

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');
const entry = (marker: string) => JSON.stringify({ servers: { pidsrv: { type: 'stdio', command: process.execPath, args: [FIXTURE, marker] } } }, null, 2);

function deniedList(cs: CodeServerHandle): unknown[] {
  const text = fs.readFileSync(path.join(cs.userDataDir, 'User', 'settings.json'), 'utf8');
  // read while the editor rewrites the file, it can be empty for a moment: that is "not there yet"
  const v = (parse(text) as Record<string, unknown> | undefined)?.['chat.mcp.deniedServers'];
  return Array.isArray(v) ? v : [];
}

const denies = (cs: CodeServerHandle, marker: string) =>
  deniedList(cs).some((m) => JSON.stringify(m) === JSON.stringify({ serverCommand: [process.execPath, FIXTURE, marker] }));

/** Dismisses the guard's CHANGED modal (Escape = no decision), if it is up. */
async function dismissModal(page: Page): Promise<void> {
  if (await dialog(page).isVisible().catch(() => false)) await page.keyboard.press('Escape');
}

/** The text of VS Code's CodeLenses in the open editor. */
async function lensText(page: Page): Promise<string> {
  return (await page.locator('.contentWidgets .codelens-decoration').allInnerTexts()).join(' ');
}

/** Asks VS Code to start the server from its own CodeLens: "Start", or "Restart" beside an "Error". */
async function clickStart(page: Page): Promise<void> {
  await until("VS Code's CodeLens for the server", async () => /Start|Error/.test(await lensText(page)), 30_000, 200);
  await page.locator('.contentWidgets .codelens-decoration a', { hasText: /^(Start|Restart)$/ }).first().click({ timeout: 10_000 });
}

test('VS Code refuses a changed .vscode/mcp.json server the guard vetoed; Approve takes the veto out; a blocked entry written back is prompted for', { timeout: 400_000 }, async () => {
  const workspace = path.join(tmp, 'ws');
  const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
  const store = path.join(tmp, 'trust-store.json');
  const userDataDir = path.join(tmp, 'user-data');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': false, 'mcpTrustGuard.probeOnApprove': false, 'chat.mcp.autostart': 'never' }, null, 2),
  );
  fs.writeFileSync(mcpJson, entry(path.join(tmp, 'approved.pid')));
  cli(['approve', '--all', workspace, '--no-user', '--store', store]);
  const env = { MCP_TRUST_GUARD_STORE: store };

  // First session: rounds of "another process changes the arguments" → the deny entry of the new launch.
  let cs = await startCodeServer({ workspace, env, userDataDir, home });
  let { page } = await openWorkbench(cs, workspace);
  await showServers(page).catch(async (e: unknown) => {
    await screenshot(page, 'host-veto-0-no-servers-view');
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  await waitForServer(page, 'pidsrv', 'approved', 30_000);
  assert.equal(deniedList(cs).length, 0, 'an approved server is not vetoed');
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
  await closeAll();

  // Second session on the same user data: VS Code's own Start is refused before launch.
  cs = await startCodeServer({ workspace, env, userDataDir, home });
  ({ page } = await openWorkbench(cs, workspace));
  // The guard's modal for the change made while VS Code was closed may take the focus from the command palette.
  await until('the Servers view', async () => {
    await dismissModal(page);
    return showServers(page).then(() => true, () => false);
  }, 120_000, 500);
  await waitForServer(page, 'pidsrv', 'changed', 30_000);
  await dismissModal(page);
  await quickOpen(page, '.vscode/mcp.json', 'mcp.json');
  await dismissModal(page);
  await clickStart(page);
  await until('VS Code to refuse the start (its CodeLens shows Error)', async () => {
    await dismissModal(page);
    return /\bError\b/.test(await lensText(page)) || fs.existsSync(marker);
  }, 30_000, 250).catch(async (e: unknown) => {
    await screenshot(page, 'host-veto-1-no-refusal');
    throw e;
  });
  await screenshot(page, 'host-veto-1-refused');
  assert.equal(fs.existsSync(marker), false, 'the changed launch never ran');

  // Approve the changed launch (the CLI writes the same trust store): the deny entry is taken out.
  cli(['approve', mcpJson, 'pidsrv', '--store', store]);
  await dismissModal(page);
  await waitForServer(page, 'pidsrv', 'approved', 20_000);
  await until('the deny entry to be taken out', () => !denies(cs, marker), 15_000, 20);

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
  await screenshot(page, 'host-veto-2-block-consent');
  await clickDialogButton(page, 'Move to Quarantine');
  await until('the entry to leave servers', () => !('pidsrv' in ((JSON.parse(fs.readFileSync(mcpJson, 'utf8')) as { servers?: Record<string, unknown> }).servers ?? {})), 15_000, 50);
  await waitForServer(page, 'pidsrv', 'blocked', 15_000);
  await dismissModal(page);

  const t0 = Date.now();
  writeLikeGit(mcpJson, entry(marker));
  await until('the "back in its file" modal', async () => /Blocked MCP server "pidsrv" is back in its file/.test(await dialog(page).innerText().catch(() => '')), 10_000, 20).catch(async (e: unknown) => {
    await screenshot(page, 'host-veto-3-no-prompt');
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  const backMs = Date.now() - t0;
  console.log(`# host-veto e2e: blocked entry written back (git stash) → prompt ${backMs} ms`);
  await screenshot(page, 'host-veto-3-returned');
  assert.ok(backMs < 2_000, `prompt after ${backMs} ms`);
  await until('the deny entry of the denied launch', () => denies(cs, marker), 15_000, 20);
  await page.keyboard.press('Escape');
  assert.equal(fs.existsSync(marker), false, 'the denied launch never ran');
  assert.doesNotMatch(extensionLog(cs), /could not write/);
});
