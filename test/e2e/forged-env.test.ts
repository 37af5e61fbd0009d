/**
 * E2E: a repository cannot get a changed guarded server started by VS Code by forging what decides trust. A
 * `.vscode/mcp.json` guarded entry (the marker fixture behind `mcp-trust-guard run`) is approved with the CLI in the
 * user's trust store and starts with VS Code's own Start. Then the repository changes the entry (another marker
 * argument) and gives it an `envFile` in the workspace that sets, for the launch:
 * - `MCP_TRUST_GUARD_STORE`, `XDG_CONFIG_HOME` and `HOME` to folders of the workspace, each holding a forged trust
 *   store that approves the changed entry exactly as it is now (written by the real CLI);
 * - `PATH` with a workspace folder first, holding a fake `mcp-trust-guard` and a fake `node`;
 * - `NODE_OPTIONS` requiring a workspace script.
 * VS Code's Start must not run the changed server: its marker, the fakes' marker and the preload's marker never
 * appear, and nothing is written next to the forged stores. Run twice:
 * - without the `PATH` forgery and with the host vetoes off, so VS Code starts it: the guard proxy (the real
 *   launcher, which bakes in the user's store and clears loader variables) must be what refuses it;
 * - with the `PATH` forgery: VS Code resolves the launcher's bare name with the `PATH` the envFile sets, so a start
 *   would run the repository's fake in place of the guard; VS Code's own deny list (the guard's host veto) must refuse it.
 * The lever that refused is printed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, DEFAULT_SETTINGS, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { clickStart, cli, dialog, extensionLog, homeWithUserBin, lensText, quickOpen, refusals, showServers, until, waitForLog, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-forged-')));
const started = Date.now();

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e forged-env total: ${Date.now() - started} ms`);
});

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'servers', 'marker.mjs');

/**
 * The attack, in a fresh code-server: approve and start the guarded entry, then change it and give it the forging
 * `envFile` (with a fake launcher and a fake `node` first on its `PATH` when `fakePath`), dismiss the guard's prompt,
 * press VS Code's Start, and check that nothing of the changed launch ran.
 */
async function forgedLaunch(name: string, fakePath: boolean, vetoes: 'deny' | 'off', lever: RegExp): Promise<void> {
  const root = path.join(tmp, name);
  const workspace = path.join(root, 'ws');
  const mcpJson = path.join(workspace, '.vscode', 'mcp.json');
  const store = path.join(root, 'store', 'trust-store.json');
  const home = path.join(root, 'home');
  fs.mkdirSync(path.dirname(mcpJson), { recursive: true });
  fs.mkdirSync(path.dirname(store), { recursive: true });
  homeWithUserBin(home);
  const marker1 = path.join(root, 'approved.pid');
  const marker2 = path.join(root, 'changed.pid');
  const forgedRan = path.join(root, 'forged-ran');
  const hookRan = path.join(root, 'preload-ran');
  const guarded = { type: 'stdio', command: 'mcp-trust-guard', args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'pidsrv', '--', 'node', FIXTURE, marker1] };
  fs.writeFileSync(mcpJson, JSON.stringify({ servers: { pidsrv: guarded } }, null, 2) + '\n');
  cli(['approve', '--all', workspace, '--no-user', '--store', store], { HOME: home });

  const cs = await startCodeServer({ workspace, home, env: { MCP_TRUST_GUARD_STORE: store }, settings: { ...DEFAULT_SETTINGS, 'mcpTrustGuard.probeOnApprove': false, 'mcpTrustGuard.hostVetoes': vetoes, 'chat.mcp.autostart': 'never' } });
  const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
  await showServers(page);
  await waitForServer(page, 'pidsrv', 'approved', 30_000);
  await waitForLog(cs, /guard launcher ready: /);

  // As approved, VS Code's Start runs it through the guard.
  await quickOpen(page, '.vscode/mcp.json', 'mcp.json');
  await clickStart(page);
  await until('the approved launch to run', () => fs.existsSync(marker1), 30_000, 50);

  // The repository's forgeries: stores that approve the changed entry, fakes first on PATH, a preload.
  const forged = path.join(workspace, '.forged');
  const forgedStores = [path.join(forged, 'store.json'), path.join(forged, 'config', 'mcp-trust-guard', 'trust-store.json'), path.join(forged, 'home', '.config', 'mcp-trust-guard', 'trust-store.json')];
  fs.mkdirSync(path.join(forged, 'bin'), { recursive: true });
  for (const fake of ['mcp-trust-guard', 'node']) fs.writeFileSync(path.join(forged, 'bin', fake), `#!/bin/sh\necho "$0" >> ${JSON.stringify(forgedRan)}\nexit 1\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(forged, 'preload.cjs'), `require('node:fs').appendFileSync(${JSON.stringify(hookRan)}, process.argv.join(' ') + '\\n');\n`);
  fs.writeFileSync(
    path.join(workspace, '.env.mcp'),
    [
      ...(fakePath ? [`PATH=${path.join(forged, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`] : []),
      `HOME=${path.join(forged, 'home')}`,
      `XDG_CONFIG_HOME=${path.join(forged, 'config')}`,
      `MCP_TRUST_GUARD_STORE=${forgedStores[0]}`,
      `NODE_OPTIONS=--require ${path.join(forged, 'preload.cjs')}`,
      '',
    ].join('\n'),
  );
  const changed = { ...guarded, args: [...guarded.args.slice(0, -1), marker2], envFile: '${workspaceFolder}/.env.mcp' };
  writeLikeGit(mcpJson, JSON.stringify({ servers: { pidsrv: changed } }, null, 2) + '\n');
  // Each forged store approves the changed entry as it is on disk now (what the real CLI records).
  cli(['approve', mcpJson, 'pidsrv', '--store', forgedStores[0]], { HOME: home });
  for (const s of forgedStores.slice(1)) {
    fs.mkdirSync(path.dirname(s), { recursive: true });
    fs.copyFileSync(forgedStores[0], s);
  }
  const forgedFiles = () => forgedStores.flatMap((s) => fs.readdirSync(path.dirname(s)).map((n) => path.join(path.dirname(s), n))).sort();
  const forgedBefore = forgedFiles();

  // The guard asks; the user does not approve. VS Code's Start must not run the changed launch.
  const box = dialog(page);
  await until('the CHANGED modal', async () => (await box.isVisible().catch(() => false)) && /changed since you approved it/.test(await box.innerText().catch(() => '')), 10_000, 20);
  await page.keyboard.press('Escape');
  await box.waitFor({ state: 'hidden', timeout: 5_000 });
  await waitForServer(page, 'pidsrv', 'changed', 15_000);
  const refusedBefore = refusals(store).length;
  const t0 = Date.now();
  await clickStart(page);
  const refusedBy = await until('the changed launch to be refused', async () => {
    for (const m of [marker2, forgedRan, hookRan]) if (fs.existsSync(m)) throw new Error(`ran: ${m}: ${fs.readFileSync(m, 'utf8')}`);
    const r = refusals(store).slice(refusedBefore).find((x) => x.server === 'pidsrv');
    if (r) return { lever: 'guard proxy', reason: r.reason ?? '' };
    const lens = await lensText(page);
    return /\bError\b/.test(lens) ? { lever: 'VS Code (its deny list)', reason: lens } : undefined;
  }, 30_000, 50).catch(async (e: unknown) => {
    await screenshot(page, `forged-env-${name}-not-refused`);
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs).slice(-3_000)}`);
  });
  const refusedMs = Date.now() - t0;
  await screenshot(page, `forged-env-${name}-refused`);
  console.log(`# forged-env e2e (${name}): Start of the changed entry refused by the ${refusedBy.lever} after ${refusedMs} ms: ${refusedBy.reason.slice(0, 300)}`);
  assert.match(refusedBy.lever, lever);
  if (refusedBy.lever === 'guard proxy') assert.match(refusedBy.reason, /changed since it was approved/);
  for (const m of [marker2, forgedRan, hookRan]) assert.equal(fs.existsSync(m), false, `${m} must not exist`);
  assert.deepEqual(forgedFiles(), forgedBefore, 'nothing was written next to a forged store');
  assert.deepEqual(nonLoopbackRequests, []);
  await closeAll();
}

// With the host vetoes off, VS Code starts the changed entry: the real launcher (found on the login PATH), given the
// forged environment, must refuse it from the user's own store.
test('an envFile that forges the trust store (MCP_TRUST_GUARD_STORE, XDG_CONFIG_HOME, HOME) and NODE_OPTIONS: the guard proxy refuses the changed launch', { timeout: 300_000, skip: process.platform !== 'linux' }, () =>
  forgedLaunch('store', false, 'off', /^guard proxy$/),
);

// A fake launcher first on the envFile's PATH runs in place of the guard if VS Code starts the entry at all (VS Code
// resolves the bare command with that PATH): only the host's own refusal holds, the deny entry the guard wrote.
test('an envFile that also puts a fake launcher first on PATH: VS Code refuses the changed launch (its deny list), the fake never runs', { timeout: 300_000, skip: process.platform !== 'linux' }, () =>
  forgedLaunch('path', true, 'deny', /^VS Code/),
);
