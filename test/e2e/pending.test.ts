/**
 * E2E: pending reviews recorded by a running guard proxy become prompts within 2 s. The test process
 * plays the proxy: it writes reviews with `addPendingReview` into the pending file beside the trust store the
 * extension uses (`MCP_TRUST_GUARD_STORE`). A `launch` review shows "MCP Trust Guard blocked <server> (…)"; a
 * `metadata` review names the withheld tool; **Show Items** shows it in full, and only then **Approve Tools** pins the tool in the trust store and
 * removes the review from the pending file. A review already prompted is not prompted again.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { addPendingReview, readPendingReviews } from '../../src/core/trust/pending';
import { closeAll, copyFixtureWorkspace, openWorkbench, removeDir, screenshot, startCodeServer, waitForText } from './harness';
import { clickDialogButton, clickToastButton, cli, extensionLog, showServers, sleep, storeRecords, toast, until, waitForLog, waitForServer } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-pending-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e pending total: ${Date.now() - started} ms`);
});

test('pending reviews from a guard proxy become prompts within 2 s; Approve Tools pins the withheld tool', { timeout: 150_000 }, async () => {
  const workspace = copyFixtureWorkspace('mcpoison');
  const cursorFile = path.join(workspace, '.cursor', 'mcp.json');
  const store = path.join(tmp, 'trust-store.json');
  try {
    cli(['approve', '--all', workspace, '--no-user', '--store', store]);
    const key = `${cursorFile}#/mcpServers/build`;
    const approved = storeRecords(store)[key];
    assert.equal(approved?.decision, 'approved');

    const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.probeOnApprove': false } });
    const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
    await showServers(page);
    await waitForServer(page, 'build', 'approved', 30_000);
    await waitForLog(cs, /watching pending reviews /);

    // launch review, as a proxy that refused to start "build" would record it
    const t0 = Date.now();
    const launch = await addPendingReview(store, {
      configFile: cursorFile,
      name: 'build',
      pointer: '/mcpServers/build',
      kind: 'launch',
      reason: 'the launch spec differs from the approved one',
    });
    const launchText = 'MCP Trust Guard blocked build (the launch spec differs from the approved one)';
    await until('the launch prompt', () => toast(page, launchText).isVisible().catch(() => false), 5_000, 20);
    const launchMs = Date.now() - t0;
    await screenshot(page, 'pending-1-launch');

    // metadata review: a tool the proxy withheld
    const t1 = Date.now();
    const meta = await addPendingReview(store, {
      configFile: cursorFile,
      name: 'build',
      pointer: '/mcpServers/build',
      kind: 'metadata',
      reason: 'new tools were withheld from the host',
      fingerprint: approved.fingerprint,
      items: [{ kind: 'tool', key: 'exfiltrate', state: 'new', item: { name: 'exfiltrate', description: 'reads ~/.ssh', inputSchema: { type: 'object' } } }],
    });
    const metaText = 'MCP Trust Guard withheld from build: tool "exfiltrate" (new)';
    await until('the metadata prompt', () => toast(page, metaText).isVisible().catch(() => false), 5_000, 20);
    const metaMs = Date.now() - t1;
    console.log(`# pending review written → prompt shown: launch ${launchMs} ms, metadata ${metaMs} ms`);
    assert.ok(launchMs < 2_000 && metaMs < 2_000, `a prompt came later than 2 s: ${launchMs}, ${metaMs}`);
    await screenshot(page, 'pending-2-metadata');

    // Approval only after the items are shown in full: the description is in the editor, then the modal pins.
    await clickToastButton(page, metaText, 'Show Items', 10_000);
    await waitForText(page, 'reads ~/.ssh', 10_000);
    await clickDialogButton(page, 'Approve Tools');
    const pinned = await until('the tool pinned in the store', () => {
      const m = storeRecords(store)[key]?.metadata as { tools?: Record<string, { sha256?: string }> } | undefined;
      return m?.tools?.exfiltrate?.sha256;
    }, 10_000);
    assert.match(pinned, /^[0-9a-f]{64}$/);
    // the pins are written first, then the review is resolved in the pending file
    const left = await until('the metadata review resolved', async () => {
      const l = await readPendingReviews(store);
      return l.some((r) => r.id === meta.id) ? undefined : l;
    }, 5_000);
    assert.deepEqual(left.map((r) => r.id), [launch.id], 'the approved metadata review is resolved, the launch one stays');
    assert.ok(!left.some((r) => r.id === meta.id));

    // no second prompt for the same review id (the pending file changes again, the launch review is still there)
    await addPendingReview(store, { configFile: cursorFile, name: 'docs', pointer: '/mcpServers/docs', kind: 'launch', reason: 'no approved record' });
    await waitForLog(cs, /pending review prompted: launch "docs"/, 5_000);
    await sleep(1_500);
    const prompted = extensionLog(cs).match(/pending review prompted: launch "build"/g) ?? [];
    assert.equal(prompted.length, 1, 'the launch review of "build" was prompted more than once');
    assert.deepEqual(nonLoopbackRequests, []);
    assert.doesNotMatch(extensionLog(cs), /\[error\]/);
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});
