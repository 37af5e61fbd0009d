/**
 * E2E scenario 4, Restricted Mode: a workspace server that would prove it ran by writing a marker file
 * (test/fixtures/servers/marker.mjs, env MARKER_FILE). In Restricted Mode the new server is still announced;
 * "Approve and read tools" from the review list records the approval but starts no process (no marker), and a
 * later change is still reported (modal). Once the user trusts the folder (the workspace trust editor's Trust
 * button), the tools the read-tools choice asked for are read: the marker appears, the tools are pinned in the
 * store and the Tool Inspector shows them pinned.
 * A control run in a trusted workspace shows the same approval does launch it (the read-tools choice): the
 * marker appears, so the restricted assertion is not vacuous; and a plain approval there (Approve Change)
 * starts nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Page } from 'playwright-core';
import { closeAll, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { chooseInReviewList, clickToastButton, dialog, extensionLog, grantWorkspaceTrust, runCommandAndPick, showServers, sleep, storeRecords, until, waitForLog, waitForServer, webviewFrame, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-restricted-')));
const MARKER_SERVER = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e restricted total: ${Date.now() - started} ms`);
});

/** A workspace whose `.vscode/mcp.json` launches the marker server with `MARKER_FILE=<marker>`. */
function markerWorkspace(name: string, marker: string, extraArg?: string): { workspace: string; config: string; text: (extra?: string) => string } {
  const workspace = path.join(tmp, name);
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  const config = path.join(workspace, '.vscode', 'mcp.json');
  const text = (extra?: string) =>
    `// marker fixture: writes ${path.basename(marker)} when started\n` +
    JSON.stringify({ servers: { marker: { type: 'stdio', command: 'node', args: [MARKER_SERVER, ...(extra ? [extra] : [])], env: { MARKER_FILE: marker } } } }, null, 2);
  fs.writeFileSync(config, text(extraArg));
  return { workspace, config, text };
}

async function approveFromPrompt(restricted: boolean, name: string) {
  const marker = path.join(tmp, `${name}.marker`);
  const store = path.join(tmp, `${name}-store.json`);
  const ws = markerWorkspace(name, marker);
  // the host itself starts no server (chat autostart off): a marker file means the guard started it
  const cs = await startCodeServer({ workspace: ws.workspace, restricted, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'chat.mcp.autostart': 'never' } });
  const { page } = await openWorkbench(cs, ws.workspace);
  await showServers(page);
  await waitForServer(page, 'marker', 'new', 30_000);
  // the explicit choice that starts a server: "Approve and read tools"
  await clickToastButton(page, 'New MCP server "marker"', 'Review…', 20_000);
  await chooseInReviewList(page, ['marker'], /^Approve 1 server and read tools$/);
  await until('the approval in the store', () => Object.values(storeRecords(store)).some((r) => r.name === 'marker' && r.decision === 'approved'), 10_000);
  return { cs, page, marker, store, ws };
}

/** How often the log says the tools of "marker" were read. */
const readsOfMarker = (log: string) => (log.match(/read the tools of "marker"/g) ?? []).length;

/** The tool names pinned for "marker" in the store. */
function pinnedTools(store: string): string[] {
  const rec = Object.values(storeRecords(store)).find((r) => r.name === 'marker');
  return Object.keys((rec?.metadata as { tools?: object } | undefined)?.tools ?? {});
}

/** Answers the "marker changed" modal (written by another process) with Approve Change; resolves once stored. */
async function approveChangeFromModal(page: Page, store: string, ws: ReturnType<typeof markerWorkspace>, arg: string, shot: string): Promise<void> {
  const before = Object.values(storeRecords(store)).find((r) => r.name === 'marker')?.fingerprint;
  writeLikeGit(ws.config, ws.text(arg));
  const box = dialog(page);
  await until('the change modal', async () => /MCP server "marker" changed/.test(await box.innerText().catch(() => '')), 5_000, 50);
  assert.match(await box.innerText(), new RegExp(`argument 2: added "${arg}"`));
  await screenshot(page, shot);
  await box.locator('.dialog-buttons .monaco-button', { hasText: /^Approve Change$/ }).click();
  await until('the changed approval in the store', () => {
    const rec = Object.values(storeRecords(store)).find((r) => r.name === 'marker');
    return rec?.decision === 'approved' && rec.fingerprint !== before;
  }, 10_000);
}

test('Restricted Mode: prompted, approved, never launched; changes still reported; tools read once the folder is trusted', { timeout: 180_000 }, async () => {
  const { cs, page, marker, store, ws } = await approveFromPrompt(true, 'restricted');
  await waitForLog(cs, /activated in \d+ ms \(host: code-server, trusted: false\)/);
  await waitForLog(cs, /marker: needs a trusted folder: Restricted Mode starts no workspace server/, 10_000);
  // give any process that might have been started time to write its marker
  await sleep(3_000);
  assert.equal(fs.existsSync(marker), false, 'the marker server was started in Restricted Mode');
  await waitForServer(page, 'marker', 'error', 10_000); // approved · tools not read yet (needs a trusted folder)

  // a change is still reported in Restricted Mode; Approve Change from the modal: recorded, still nothing launched
  await approveChangeFromModal(page, store, ws, '--evil', 'restricted-change');
  await waitForServer(page, 'marker', 'approved', 10_000);
  await sleep(2_000);
  assert.equal(fs.existsSync(marker), false, 'the marker server was started in Restricted Mode after Approve Change');
  assert.equal(readsOfMarker(extensionLog(cs)), 0);
  assert.deepEqual(pinnedTools(store), [], 'tools pinned without reading them');

  // the user trusts the folder: the tools the read-tools choice asked for are read now
  const trustedAt = await grantWorkspaceTrust(page);
  await until('the marker file after trust', () => fs.existsSync(marker), 20_000, 100);
  const launchMs = Date.now() - trustedAt;
  await waitForLog(cs, /folder trusted: reading the tools of 1 workspace server\(s\) held back in Restricted Mode/, 10_000);
  await waitForLog(cs, /pinned the tool metadata of "marker"/, 20_000);
  const pinnedMs = Date.now() - trustedAt;
  assert.deepEqual(pinnedTools(store), ['add']);
  assert.equal(readsOfMarker(extensionLog(cs)), 1);
  console.log(`# trust granted → marker server started: ${launchMs} ms, tools pinned: ${pinnedMs} ms`);
  // the tree and the Tool Inspector show the pinned tool
  await waitForServer(page, 'marker', 'approved', 10_000);
  await runCommandAndPick(page, 'MCP Trust Guard: Inspect Tools', 'marker', 15_000);
  const frame = await webviewFrame(page, 'inspector', 'details.item summary .name');
  assert.deepEqual(await frame.locator('details.item summary .name').allInnerTexts(), ['add']);
  assert.equal(await frame.locator('details.item.state-pinned').count(), 1, 'the tool read after trust is not shown pinned');
  await screenshot(page, 'restricted-trusted-pinned');
  await closeAll();
});

test('control: in a trusted workspace the read-tools choice probes the server (marker written, tools pinned); a plain approval starts nothing', { timeout: 150_000 }, async () => {
  const { cs, page, marker, store, ws } = await approveFromPrompt(false, 'trusted');
  await until('the marker file', () => fs.existsSync(marker), 20_000, 200);
  await waitForLog(cs, /pinned the tool metadata of "marker"/, 20_000);
  assert.equal(readsOfMarker(extensionLog(cs)), 1);
  assert.deepEqual(pinnedTools(store), ['add']);
  await screenshot(page, 'restricted-control-trusted');

  // Approve Change (no read-tools choice) in a trusted window: recorded, nothing started
  fs.rmSync(marker);
  await approveChangeFromModal(page, store, ws, '--v2', 'restricted-control-change');
  await waitForServer(page, 'marker', 'approved', 10_000);
  await sleep(2_000);
  assert.equal(fs.existsSync(marker), false, 'a plain approval started the server');
  assert.equal(readsOfMarker(extensionLog(cs)), 1);
  await closeAll();
});
