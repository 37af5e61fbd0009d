/**
 * E2E scenario 4, Restricted Mode: a workspace server that would prove it ran by writing a marker file
 * (test/fixtures/servers/marker.mjs, env MARKER_FILE). In Restricted Mode the new server is still announced;
 * "Approve and read tools" from the review list records the approval but starts no process (no marker), and a later change is
 * still reported (modal). A control run in a trusted workspace shows the same approval does launch it
 * (the read-tools choice): the marker appears, so the restricted assertion is not vacuous.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { chooseInReviewList, clickToastButton, dialog, extensionLog, showServers, sleep, storeRecords, until, waitForLog, waitForServer, writeLikeGit } from './ui';

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
  const cs = await startCodeServer({ workspace: ws.workspace, restricted, env: { MCP_TRUST_GUARD_STORE: store } });
  const { page } = await openWorkbench(cs, ws.workspace);
  await showServers(page);
  await waitForServer(page, 'marker', 'new', 30_000);
  // the explicit choice that starts a server: "Approve and read tools"
  await clickToastButton(page, 'New MCP server "marker"', 'Review…', 20_000);
  await chooseInReviewList(page, ['marker'], /^Approve 1 server and read tools$/);
  await until('the approval in the store', () => Object.values(storeRecords(store)).some((r) => r.name === 'marker' && r.decision === 'approved'), 10_000);
  return { cs, page, marker, store, ws };
}

test('Restricted Mode: prompted, approved, never launched; changes still reported', { timeout: 150_000 }, async () => {
  const { cs, page, marker, ws } = await approveFromPrompt(true, 'restricted');
  await waitForLog(cs, /activated in \d+ ms \(host: code-server, trusted: false\)/);
  await waitForLog(cs, /marker: needs a trusted folder: Restricted Mode starts no workspace server/, 10_000);
  // give any process that might have been started time to write its marker
  await sleep(3_000);
  assert.equal(fs.existsSync(marker), false, 'the marker server was started in Restricted Mode');
  await waitForServer(page, 'marker', 'error', 10_000); // approved · tools not read yet (needs a trusted folder)

  // a change is still reported in Restricted Mode
  writeLikeGit(ws.config, ws.text('--evil'));
  const box = dialog(page);
  await until('the change modal', async () => /MCP server "marker" changed/.test(await box.innerText().catch(() => '')), 5_000, 50);
  assert.match(await box.innerText(), /argument 2: added "--evil"/);
  await screenshot(page, 'restricted-change');
  // Approve Change from the modal: recorded, still nothing launched
  await box.locator('.dialog-buttons .monaco-button', { hasText: /^Approve Change$/ }).click();
  await waitForServer(page, 'marker', 'approved', 10_000);
  await sleep(2_000);
  assert.equal(fs.existsSync(marker), false, 'the marker server was started in Restricted Mode after Approve Change');
  assert.doesNotMatch(extensionLog(cs), /read the tools of "marker"/);
  await closeAll();
});

test('control: in a trusted workspace the same approval probes the server (marker written, tools pinned)', { timeout: 150_000 }, async () => {
  const { cs, page, marker, store } = await approveFromPrompt(false, 'trusted');
  await until('the marker file', () => fs.existsSync(marker), 20_000, 200);
  await waitForLog(cs, /pinned the tool metadata of "marker"/, 20_000);
  assert.match(extensionLog(cs), /read the tools of "marker"/);
  const rec = Object.values(storeRecords(store)).find((r) => r.name === 'marker');
  assert.ok(rec?.metadata, 'tools pinned in the store');
  assert.ok(Object.keys((rec.metadata as { tools: object }).tools).length >= 1);
  await screenshot(page, 'restricted-control-trusted');
  await closeAll();
});
