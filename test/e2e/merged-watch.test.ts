/**
 * A file a host merges into a launch is watched in a real VS Code (code-server), although it is not the server's config
 * file: the workspace holds a Codex project (`.codex/config.toml`) and a Gemini CLI workspace extension
 * (`.gemini/extensions/helper/`, with its own `.env`), both approved with the CLI (same HOME and trust store as
 * code-server). Then another process, for each source in turn:
 * - trusts the project in the user's `~/.codex/config.toml` (the project's file is not touched): Codex would now load
 *   the project's servers, so `codex-ws` changed;
 * - changes the extension's `.env` (a setting value its server gets in its environment): `helper-tools` changed.
 * The guard's "changed since you approved it" modal must come up naming the server; the source is then written back
 * and the tree must show the server approved again. Latency (write on disk → modal) is printed per source (p50, max)
 * and bounded by {@link MAX_LATENCY_MS}. Needs `scripts/setup-e2e.sh` and `node scripts/build.mjs` first.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { changedModal, cli, dialog, extensionLog, percentile, showServers, storeRecords, waitForLog, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-merged-')));
const started = Date.now();
const ROUNDS = 3;
/** Bound of one write on disk → modal on screen, ms. */
const MAX_LATENCY_MS = 5_000;

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e merged-watch total: ${Date.now() - started} ms`);
});

test('trusting a Codex project in ~/.codex/config.toml, or changing a Gemini CLI extension .env, raises the changed-server modal', { timeout: 180_000 }, async () => {
  const workspace = path.join(tmp, 'ws');
  const home = path.join(tmp, 'home');
  const store = path.join(tmp, 'store', 'trust-store.json');
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'hosts', 'codex', 'ws'), workspace, { recursive: true });
  fs.cpSync(path.join(REPO_ROOT, 'test', 'fixtures', 'merged-hosts', 'gemini-cli', 'ws'), workspace, { recursive: true });
  const userCodex = path.join(home, '.codex', 'config.toml');
  const extEnv = path.join(workspace, '.gemini', 'extensions', 'helper', '.env');
  fs.mkdirSync(path.dirname(userCodex), { recursive: true });
  const untrusted = 'model = "o4-mini"\n';
  fs.writeFileSync(userCodex, untrusted);
  const env = { MCP_TRUST_GUARD_STORE: store };
  const cliEnv = { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
  cli(['approve', '--all', workspace, '--no-user', '--store', store], cliEnv);
  const approved = Object.values(storeRecords(store)).filter((r) => r.decision === 'approved').map((r) => r.name).sort();
  assert.deepEqual(approved, ['codex-ws', 'helper-tools']);

  const cs = await startCodeServer({ workspace, home, env, settings: { 'mcpTrustGuard.probeOnApprove': false } });
  const { page } = await openWorkbench(cs, workspace);
  await waitForLog(cs, /start: \d+ server\(s\)/, 60_000);
  await showServers(page);
  for (const s of ['codex-ws', 'helper-tools']) await waitForServer(page, s, 'approved', 30_000);

  const sources = [
    { label: '~/.codex/config.toml (project trust)', file: userCodex, server: 'codex-ws', original: untrusted, changed: (i: number) => `${untrusted}\n[projects.${JSON.stringify(workspace)}]\ntrust_level = "${i % 2 ? 'untrusted' : 'trusted'}"\n` },
    { label: '.gemini/extensions/helper/.env', file: extEnv, server: 'helper-tools', original: fs.readFileSync(extEnv, 'utf8'), changed: (i: number) => `HELPER_API_KEY=rotated-${i}\n` },
  ];
  const latencies = new Map<string, number[]>();
  for (const s of sources) {
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const inPlace = i % 2 === 1;
      const t0 = Date.now();
      if (inPlace) fs.writeFileSync(s.file, s.changed(i));
      else writeLikeGit(s.file, s.changed(i));
      await changedModal(page, s.server, MAX_LATENCY_MS * 3).catch(async (e: unknown) => {
        await screenshot(page, `merged-watch-no-modal-${s.server}`);
        throw new Error(`${s.label} (${inPlace ? 'in place' : 'renamed over'}): ${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
      });
      ms.push(Date.now() - t0);
      if (i === 0) await screenshot(page, `merged-watch-modal-${s.server}`);
      await page.keyboard.press('Escape');
      await dialog(page).waitFor({ state: 'hidden', timeout: 5_000 });
      writeLikeGit(s.file, s.original);
      await waitForServer(page, s.server, 'approved', 15_000);
    }
    latencies.set(s.label, ms);
  }
  for (const [label, ms] of latencies) {
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(`# change on disk → changed-server modal, ${label}: p50 ${percentile(sorted, 0.5)} ms, max ${sorted[sorted.length - 1]} ms (${ms.join(', ')})`);
  }
  for (const [label, ms] of latencies) for (const v of ms) assert.ok(v < MAX_LATENCY_MS, `${label}: ${v} ms`);
  const log = extensionLog(cs);
  assert.equal((log.match(/notification \d+: modal: "/g) ?? []).length, sources.length * ROUNDS, 'one modal per change, none for the write-backs');
  assert.doesNotMatch(log, /\[error\]/);
});
