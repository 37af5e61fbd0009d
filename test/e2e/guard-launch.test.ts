/**
 * E2E: the guarded entry a team can commit, started by VS Code itself. A `.vscode/mcp.json` server (the marker
 * fixture, which writes its pid to the file named by its last argument) is approved with the CLI and guarded
 * from the Servers tree. The entry Guard Server writes names the launcher by its bare name (`mcp-trust-guard`, on
 * PATH in the user's bin directory) and the config file as `${workspaceFolder}/.vscode/mcp.json`: no path of this
 * machine. Its own edit raises no modal. VS Code's own Start (the CodeLens) then runs the server through the
 * launcher: the marker appears and its parent process is the guard (`cli.js … run`).
 *
 * Then the wrapped arguments change on disk (as a `git pull` would): the guard writes VS Code's deny entry for the
 * changed launch and has VS Code read it, so VS Code's own Restart is refused before anything runs (the lens shows
 * Error, the guard proxy has no `launch.refused` record because it never started, the marker never appears); after
 * Approve Change from the tree, the same CodeLens in the same session runs it. Latencies are printed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, DEFAULT_SETTINGS, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { clickDialogButton, clickStart, cli, contextMenuUntil, dialog, extensionLog, homeWithUserBin, lensText, quickOpen, refusals, serverRow, showServers, storeRecords, until, vetoesInForce, waitForLog, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-guardlaunch-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e guard-launch total: ${Date.now() - started} ms`);
});

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');

interface Entry {
  type?: string;
  command: string;
  args: string[];
}

/** The command line of a process's parent (Linux `/proc`), or '' when it cannot be read. */
function parentCommandLine(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return fs.readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

test('Guard Server writes a committable entry (no path of this machine) without a modal; VS Code starts it through the launcher; a changed launch is refused by VS Code itself (its deny list) and starts after Approve Change', { timeout: 300_000, skip: process.platform !== 'linux' }, async () => {
  const workspace = path.join(tmp, 'ws');
  const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
  const store = path.join(tmp, 'store', 'trust-store.json');
  const home = path.join(tmp, 'home');
  fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
  fs.mkdirSync(path.dirname(store), { recursive: true });
  const bin = homeWithUserBin(home);
  const marker1 = path.join(tmp, 'started-1.pid');
  const marker2 = path.join(tmp, 'started-2.pid');
  const original = { type: 'stdio', command: 'node', args: [FIXTURE, marker1] };
  fs.writeFileSync(mcpJson, JSON.stringify({ servers: { pidsrv: original } }, null, 2) + '\n');
  cli(['approve', '--all', workspace, '--no-user', '--store', store]);

  const cs = await startCodeServer({
    workspace,
    home,
    env: { MCP_TRUST_GUARD_STORE: store },
    settings: { ...DEFAULT_SETTINGS, 'mcpTrustGuard.probeOnApprove': false, 'chat.mcp.autostart': 'never' },
  });
  const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
  await showServers(page);
  await waitForServer(page, 'pidsrv', 'approved', 30_000);
  await waitForLog(cs, /guard launcher ready: /);
  assert.ok(fs.existsSync(path.join(bin, 'mcp-trust-guard')), 'the launcher is installed in the user bin directory');

  // Guard it from the tree.
  const row = page.locator('.monaco-list-row[aria-label^="pidsrv, approved"]').first();
  const box = dialog(page);
  await contextMenuUntil(page, row, /^Guard Server \(run through the guard proxy\)$/, () => box.waitFor({ state: 'visible', timeout: 10_000 }));
  const consent = (await box.innerText()).replace(/\u00a0/g, ' ');
  assert.match(consent, /The entry becomes:/);
  assert.match(consent, /"command": "mcp-trust-guard"/);
  assert.match(consent, /"\$\{workspaceFolder\}\/\.vscode\/mcp\.json"/);
  assert.doesNotMatch(consent, /NOT on this machine's PATH/, 'the bin directory is on PATH in this test');
  await screenshot(page, 'guard-launch-0-consent');
  const tGuard = Date.now();
  await clickDialogButton(page, 'Guard');
  await waitForLog(cs, /guarded "pidsrv" in /);
  const guardMs = Date.now() - tGuard;

  const entry = (JSON.parse(fs.readFileSync(mcpJson, 'utf8')) as { servers: Record<string, Entry> }).servers.pidsrv;
  assert.deepEqual(entry, { type: 'stdio', command: 'mcp-trust-guard', args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'pidsrv', '--', 'node', FIXTURE, marker1] });
  // What the guard wrote holds no absolute path of this machine (the wrapped server's own arguments are the user's).
  const written = JSON.stringify({ ...entry, args: entry.args.slice(0, 6) });
  for (const p of [tmp, home, REPO_ROOT, os.homedir(), bin]) assert.ok(!written.includes(p), `the guarded entry names ${p}: ${written}`);
  assert.ok(!/"\/|[A-Za-z]:\\\\/.test(written), written);
  // Its own edit: judged "self", no changed modal; approved as written.
  await waitForLog(cs, /change origins: mcp\.json self/, 10_000);
  assert.doesNotMatch(extensionLog(cs), /modal: "pidsrv" changed/);
  assert.equal(await box.isVisible().catch(() => false), false, 'no modal is open after Guard');
  await page.locator('.monaco-list-row[aria-label^="pidsrv, approved"]', { hasText: 'guarded' }).first().waitFor({ state: 'visible', timeout: 10_000 });
  assert.deepEqual((storeRecords(store)[`${mcpJson}#/servers/pidsrv`] as { decision: string; spec?: Entry }).spec, entry);

  // VS Code's own Start runs it through the launcher on PATH.
  await quickOpen(page, '.vscode/mcp.json', 'mcp.json');
  const tStart = Date.now();
  await clickStart(page);
  const pid1 = Number((await until('the marker of the guarded launch', () => (fs.existsSync(marker1) ? fs.readFileSync(marker1, 'utf8').trim() || undefined : undefined), 30_000, 50)));
  const startMs = Date.now() - tStart;
  const parent = parentCommandLine(pid1);
  assert.match(parent, /dist\/cli\.js .*run --config \S+\/\.vscode\/mcp\.json --name pidsrv -- /, `the server's parent is the guard: ${parent}`);
  assert.ok(parent.includes(path.join(cs.extensionsDir)), `the guard is the installed extension's CLI: ${parent}`);
  await screenshot(page, 'guard-launch-1-started');

  // The wrapped arguments change on disk: the guard asks, and VS Code refuses the changed launch itself.
  const applied = vetoesInForce(cs);
  const tChange = Date.now();
  writeLikeGit(mcpJson, JSON.stringify({ servers: { pidsrv: { ...entry, args: [...entry.args.slice(0, -1), marker2] } } }, null, 2) + '\n');
  await until('the CHANGED modal', async () => (await box.isVisible().catch(() => false)) && /changed since you approved it/.test(await box.innerText().catch(() => '')), 5_000, 20);
  const modalMs = Date.now() - tChange;
  await page.keyboard.press('Escape');
  await box.waitFor({ state: 'hidden', timeout: 5_000 });
  await until('the deny entry to be in force in VS Code', () => vetoesInForce(cs) > applied, 15_000, 20);
  const vetoMs = Date.now() - tChange;
  const refusedBefore = refusals(store).length;
  await clickStart(page);
  let clicked = Date.now();
  // Refused before it runs: by VS Code's own deny list (the lens shows Error), or by the guard (its audit record).
  // VS Code stops the running server when its deny list changes; a Start clicked while it was stopping it is
  // dropped, so Start is clicked again (at most every 3 s) while the lens still offers it.
  const refusedBy = await until('the changed launch to be refused', async () => {
    const r = refusals(store).slice(refusedBefore).find((x) => x.server === 'pidsrv');
    if (r) return { lever: 'guard proxy', reason: r.reason ?? '' };
    const lens = await lensText(page);
    if (/\bError\b/.test(lens)) return { lever: 'VS Code deny list', reason: 'Error' };
    const links = await page.locator('.contentWidgets .codelens-decoration a').allInnerTexts();
    if (Date.now() - clicked > 3_000 && links.some((t) => /^\s*Start\s*$/.test(t))) {
      await clickStart(page);
      clicked = Date.now();
    }
    return undefined;
  }, 30_000, 50).catch(async (e: unknown) => {
    await screenshot(page, 'guard-launch-2-no-refusal');
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs).slice(-3_000)}`);
  });
  assert.equal(refusedBy.lever, 'VS Code deny list', `refused by the ${refusedBy.lever}: ${refusedBy.reason}`);
  assert.equal(fs.existsSync(marker2), false, 'the changed launch never ran');
  assert.deepEqual(refusals(store).slice(refusedBefore), [], 'VS Code refused before launch: the guard proxy never started');
  console.log(`# guard-launch e2e: the changed launch was refused by the ${refusedBy.lever}`);
  await screenshot(page, 'guard-launch-2-refused');

  // Approve Change from the Servers tree, then the same Start in the same session runs it.
  await waitForServer(page, 'pidsrv', 'changed', 15_000);
  await serverRow(page, 'pidsrv', 'changed').click({ button: 'right', timeout: 10_000 });
  const approveItem = page.locator('.monaco-menu .action-item .action-label', { hasText: /^Approve \(pins the launch, starts nothing\)$/ }).first();
  await approveItem.waitFor({ state: 'visible', timeout: 10_000 });
  await approveItem.click();
  await until('the change approved', async () => {
    if (await box.isVisible().catch(() => false)) {
      const label = (await box.locator('.dialog-buttons .monaco-button').allInnerTexts()).map((t) => t.trim()).find((t) => /^Approve( Change| Anyway)?$/.test(t));
      if (label) await clickDialogButton(page, label);
    }
    return serverRow(page, 'pidsrv', 'approved').isVisible().catch(() => false);
  }, 20_000, 100);
  // the deny entry is taken out and VS Code reads its settings again
  await until('VS Code to read its settings after the approval', () => vetoesInForce(cs) > applied + 1, 15_000, 20);
  const tRestart = Date.now();
  await clickStart(page);
  await until('the marker of the approved changed launch', () => fs.existsSync(marker2), 30_000, 50).catch(async (e: unknown) => {
    await screenshot(page, 'guard-launch-3-not-started');
    throw e;
  });
  const restartMs = Date.now() - tRestart;
  assert.match(parentCommandLine(Number(fs.readFileSync(marker2, 'utf8').trim())), /dist\/cli\.js .*run --config /);
  await screenshot(page, 'guard-launch-3-started');
  console.log(`# guard-launch e2e: Guard consent → entry written and approved ${guardMs} ms; Start → guarded server running ${startMs} ms; change on disk → CHANGED modal ${modalMs} ms, → deny entry in force in VS Code ${vetoMs} ms; Start after Approve Change → running ${restartMs} ms; the changed launch was refused by the ${refusedBy.lever}`);
  assert.deepEqual(nonLoopbackRequests, []);
  assert.doesNotMatch(extensionLog(cs), /\[error\]/);
});
