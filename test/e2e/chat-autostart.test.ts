/**
 * E2E: VS Code's chat autostart, in one session. Before VS Code hands a chat request to a participant it starts the
 * MCP servers `chat.mcp.autostart` names (`newAndOutdated`: new and changed ones). A test extension's chat
 * participant (`test/fixtures/extensions/chat-probe`) is the target of the requests; code-server has no language
 * model, so each answer is "Language model unavailable", which VS Code shows only after the autostart is over.
 *
 * A `.vscode/mcp.json` server (the marker fixture: it writes its pid to the file named by its last argument) is
 * approved with the CLI; a chat request starts it. Then another process changes its arguments as a `git pull`
 * would. The guard writes VS Code's own deny entry for the changed launch into the user settings and has the
 * running workbench re-read them; the next chat request is answered while the changed launch never ran (no marker):
 * VS Code itself refused it. After Approve Change the entry is taken out and the next chat request starts it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { closeAll, DEFAULT_SETTINGS, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer, type CodeServerHandle } from './harness';
import { cli, deniesCommand, dismissModal, extensionLog, runCommandUntil, showServers, until, waitForLog, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-chat-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e chat-autostart total: ${Date.now() - started} ms`);
});

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');
const CHAT_PROBE = path.join(REPO_ROOT, 'test', 'fixtures', 'extensions', 'chat-probe');
const entry = (marker: string) => JSON.stringify({ servers: { pidsrv: { type: 'stdio', command: process.execPath, args: [FIXTURE, marker] } } }, null, 2);

const denies = (cs: CodeServerHandle, marker: string) => deniesCommand(cs, [process.execPath, FIXTURE, marker]);

/** Chat answers shown so far. */
function answers(page: Page) {
  return page.locator('.interactive-item-container.interactive-response');
}

/** Sends one chat request to the probe participant and waits until VS Code has answered it (autostart is over by then). */
async function ask(page: Page): Promise<void> {
  const before = await answers(page).count();
  await runCommandUntil(page, 'Chat Probe: Ask', async () => {
    await until('the chat answer', async () => (await answers(page).count()) > before && /Language model unavailable|\bok\b/.test(await answers(page).last().innerText()), 30_000, 100);
  });
}

test('chat autostart: an approved server starts; VS Code itself refuses the changed launch the guard vetoed, in the same session; it starts after Approve Change', { timeout: 300_000, skip: process.platform !== 'linux' }, async () => {
  const workspace = path.join(tmp, 'ws');
  const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
  const store = path.join(tmp, 'store', 'trust-store.json');
  fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
  fs.mkdirSync(path.dirname(store), { recursive: true });
  const approvedMarker = path.join(tmp, 'approved.pid');
  const changedMarker = path.join(tmp, 'changed.pid');
  fs.writeFileSync(mcpJson, entry(approvedMarker));
  cli(['approve', '--all', workspace, '--no-user', '--store', store]);

  const cs = await startCodeServer({
    workspace,
    env: { MCP_TRUST_GUARD_STORE: store },
    extraExtensions: [CHAT_PROBE],
    settings: { ...DEFAULT_SETTINGS, 'mcpTrustGuard.probeOnApprove': false, 'chat.mcp.autostart': 'newAndOutdated' },
  });
  const { page } = await openWorkbench(cs, workspace);
  await showServers(page);
  await waitForServer(page, 'pidsrv', 'approved', 30_000);

  // The approved launch: a chat request starts it.
  await ask(page);
  await until('the approved server to run', () => fs.existsSync(approvedMarker), 30_000, 100).catch(async (e: unknown) => {
    await screenshot(page, 'chat-autostart-0-not-started');
    throw e;
  });

  // Another process changes the arguments; the guard writes the deny entry and the workbench re-reads it.
  const t0 = Date.now();
  writeLikeGit(mcpJson, entry(changedMarker));
  await until('the deny entry of the changed launch', () => denies(cs, changedMarker), 15_000, 10).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  const vetoMs = Date.now() - t0;
  await waitForLog(cs, /host vetoes in force in this editor/);
  await dismissModal(page);
  await ask(page);
  await screenshot(page, 'chat-autostart-1-refused');
  assert.equal(fs.existsSync(changedMarker), false, 'VS Code did not start the changed launch the guard vetoed');
  console.log(`# chat-autostart e2e: change on disk → deny entry ${vetoMs} ms; the chat request after it did not start the changed server`);

  // Approve Change (the CLI writes the same trust store): the entry is taken out and the next request starts it.
  cli(['approve', mcpJson, 'pidsrv', '--store', store]);
  await dismissModal(page);
  await waitForServer(page, 'pidsrv', 'approved', 20_000);
  await until('the deny entry to be taken out', () => !denies(cs, changedMarker), 15_000, 20);
  await ask(page);
  await until('the approved change to run', () => fs.existsSync(changedMarker), 30_000, 100).catch(async (e: unknown) => {
    await screenshot(page, 'chat-autostart-2-not-started');
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  assert.doesNotMatch(extensionLog(cs), /could not (write|tell)/);
});
