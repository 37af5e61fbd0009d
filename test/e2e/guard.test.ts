/**
 * E2E: an approved stdio server guarded from the Servers tree (context menu → Guard
 * Server, modal consent accepted) now launches through the launcher on PATH
 * (`mcp-trust-guard run --config ${workspaceFolder}/.cursor/mcp.json --name build -- echo safe`, no path of this machine)
 * and the trust store holds that guarded spec approved; the tree marks it guarded. The user has turned
 * `mcpTrustGuard.installLauncherOnPath` off: nothing is written into `~/.local/bin` at start, the consent says
 * guarding installs the launcher, and accepting it does. Then the entry changes on
 * disk: the wrapped args change → the CHANGED modal appears (latency printed); the guard is stripped → the
 * modal's detail starts with "The guard proxy was removed from this entry".
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, copyFixtureWorkspace, openWorkbench, removeDir, screenshot, startCodeServer } from './harness';
import { clickDialogButton, cli, contextMenuUntil, dialog, extensionLog, showServers, storeRecords, until, waitForLog, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-guard-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e guard total: ${Date.now() - started} ms`);
});

interface Entry {
  command: string;
  args: string[];
}

test('Guard Server from the tree → launches through the launcher, guarded spec approved; changed on disk → CHANGED modal', { timeout: 180_000 }, async () => {
  const workspace = copyFixtureWorkspace('mcpoison');
  const cursorFile = path.join(workspace, '.cursor', 'mcp.json');
  const store = path.join(tmp, 'trust-store.json');
  const key = `${cursorFile}#/mcpServers/build`;
  try {
    cli(['approve', '--all', workspace, '--no-user', '--store', store]);
    const cs = await startCodeServer({ workspace, env: { MCP_TRUST_GUARD_STORE: store }, settings: { 'mcpTrustGuard.probeOnApprove': false, 'mcpTrustGuard.installLauncherOnPath': false } });
    const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
    await showServers(page);
    await waitForServer(page, 'build', 'approved', 30_000);
    await waitForLog(cs, /start: 3 server\(s\)/);
    await waitForLog(cs, /guard launcher not installed in /);
    assert.equal(fs.existsSync(path.join(cs.home, '.local', 'bin')), false, 'the setting is off: nothing is written into the user bin directory at start');

    // Guard it from the Servers tree: right-click the server, "Guard Server" in its context menu.
    const row = page.locator('.monaco-list-row[aria-label^="build, approved"]').first();
    const box = dialog(page);
    await contextMenuUntil(page, row, /^Guard Server \(run through the guard proxy\)$/, () => box.waitFor({ state: 'visible', timeout: 10_000 }));
    const consent = (await box.innerText()).replace(/\u00a0/g, ' ');
    assert.match(consent, /Guard "build"\?/);
    // the consent shows the exact entry, and says the launcher's folder is not on this PATH (the test leaves it off)
    assert.match(consent, /"command": "mcp-trust-guard"/);
    assert.match(consent, /"\$\{workspaceFolder\}\/\.cursor\/mcp\.json"/);
    assert.match(consent, /\.local\/bin is NOT on this machine's PATH/);
    assert.match(consent, /On a machine without MCP Trust Guard there is no such command/);
    assert.match(consent, /The launcher is not installed \(the setting mcpTrustGuard\.installLauncherOnPath is off\): guarding installs it now as \S+\/\.local\/bin\/mcp-trust-guard/);
    await screenshot(page, 'guard-1-consent');
    await clickDialogButton(page, 'Guard');
    await waitForLog(cs, /guarded "build" in /);

    const entry = (JSON.parse(fs.readFileSync(cursorFile, 'utf8')) as { mcpServers: Record<string, Entry> }).mcpServers.build;
    // a committable entry: the launcher by its bare name, the config file as a host variable; no path of this machine
    assert.deepEqual(entry, { command: 'mcp-trust-guard', args: ['run', '--config', '${workspaceFolder}/.cursor/mcp.json', '--name', 'build', '--', 'echo', 'safe'] });
    assert.ok(fs.existsSync(path.join(cs.home, '.local', 'bin', 'mcp-trust-guard')), 'the consent installed the launcher in the user bin directory');
    await waitForLog(cs, /guard launcher installed on consent: /);
    const rec = await until('the guarded spec approved in the store', () => {
      const r = storeRecords(store)[key] as { decision: string; spec?: Entry } | undefined;
      return r?.decision === 'approved' && r.spec?.args?.includes('run') ? r : undefined;
    }, 10_000);
    assert.deepEqual(rec.spec, entry);
    // the tree marks it guarded
    await page.locator('.monaco-list-row[aria-label^="build, approved"]', { hasText: 'guarded' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    // the guard's own edit is its own: judged "self", no changed modal
    await waitForLog(cs, /change origins: mcp\.json self/, 10_000);
    assert.doesNotMatch(extensionLog(cs), /modal: "build" changed/, `the guard's own edit raised the changed modal:\n${extensionLog(cs).slice(-4_000)}`);
    assert.equal(await box.isVisible().catch(() => false), false, 'no modal is open after Guard');
    await screenshot(page, 'guard-2-guarded');

    // the wrapped args change on disk (as a git pull would)
    const t0 = Date.now();
    writeLikeGit(cursorFile, JSON.stringify({ mcpServers: { build: { command: entry.command, args: [...entry.args.slice(0, -1), 'evil'] } } }, null, 2));
    await until('the CHANGED modal', async () => (await box.isVisible().catch(() => false)) && /changed since you approved it/.test(await box.innerText().catch(() => '')), 5_000, 20);
    const changedMs = Date.now() - t0;
    const changedText = (await box.innerText()).replace(/\u00a0/g, ' ');
    assert.match(changedText, /MCP server "build" changed since you approved it/);
    assert.match(changedText, /"safe" → "evil"/);
    assert.doesNotMatch(changedText, /The guard proxy was removed/);
    await screenshot(page, 'guard-3-changed');
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'hidden', timeout: 5_000 });

    // the guard stripped: launches echo directly
    const t1 = Date.now();
    writeLikeGit(cursorFile, JSON.stringify({ mcpServers: { build: { command: 'echo', args: ['safe'] } } }, null, 2));
    await until('the guard-removed modal', async () => (await box.isVisible().catch(() => false)) && /The guard proxy was removed from this entry/.test(await box.innerText().catch(() => '')), 5_000, 20);
    const strippedMs = Date.now() - t1;
    const strippedText = (await box.innerText()).replace(/\u00a0/g, ' ');
    const detail = strippedText.slice(strippedText.indexOf('changed since you approved it'));
    assert.match(detail, /changed since you approved it[^\n]*\n+The guard proxy was removed from this entry/);
    await screenshot(page, 'guard-4-stripped');
    console.log(`# guard e2e: change on disk → CHANGED modal ${changedMs} ms; guard stripped → modal ${strippedMs} ms`);
    assert.ok(changedMs < 2_000 && strippedMs < 2_000, `a modal came later than 2 s: ${changedMs}, ${strippedMs}`);
    assert.deepEqual(nonLoopbackRequests, []);
    assert.doesNotMatch(extensionLog(cs), /\[error\]/);
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
});
