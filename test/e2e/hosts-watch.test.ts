/**
 * Other agents' workspace files are watched in a real VS Code (code-server). The workspace holds one server in each
 * of `.roo/mcp.json` (Roo Code), `.continue/mcpServers/x.yaml` (Continue), `.codex/config.toml` (Codex),
 * `opencode.json` (OpenCode) and `.kiro/settings/mcp.json` (Kiro), copied from the per-host fixtures that are written
 * as each host documents its file. All five are approved with the CLI (`approve --all`, same trust store and HOME as
 * code-server). Then, for each file in turn, another process changes the server's argument on disk — alternately as
 * `git pull` writes (a new file renamed over) and in place (same inode) — and the guard's "changed since you
 * approved it" modal must come up naming the server, its host and its file; the file is then written back as
 * approved and the tree must show the server approved again before the next round.
 *
 * The latency (write on disk → modal on screen) is printed per file (p50, max); each must stay below
 * {@link MAX_LATENCY_MS}. Needs `scripts/setup-e2e.sh` and `node scripts/build.mjs` first.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { closeAll, openWorkbench, REPO_ROOT, removeDir, screenshot, startCodeServer } from './harness';
import { changedModal, cli, dialog, extensionLog, percentile, showServers, storeRecords, waitForLog, waitForServer, writeLikeGit } from './ui';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-e2e-hosts-')));
const started = Date.now();
/** Changes per file (alternating rename-over and in-place writes). */
const ROUNDS = 3;
/** Bound of one write on disk → modal on screen, ms. */
const MAX_LATENCY_MS = 5_000;

after(async () => {
  await closeAll();
  removeDir(tmp);
  console.log(`# e2e hosts-watch total: ${Date.now() - started} ms`);
});

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'hosts');

/** The five files: fixture host folder, path in the workspace, the server it holds, the host's name on screen. */
const FILES = [
  { fixture: 'roo', rel: '.roo/mcp.json', server: 'roo-ws', host: 'Roo Code' },
  { fixture: 'continue', rel: '.continue/mcpServers/x.yaml', server: 'continue-ws', host: 'Continue' },
  { fixture: 'codex', rel: '.codex/config.toml', server: 'codex-ws', host: 'Codex' },
  { fixture: 'opencode', rel: 'opencode.json', server: 'opencode-ws', host: 'OpenCode' },
  { fixture: 'kiro', rel: '.kiro/settings/mcp.json', server: 'kiro-ws', host: 'Kiro' },
] as const;

/** The argument every fixture server is approved with (once in each file). */
const APPROVED_ARG = 'arg-one';

test('a change on disk to a Roo Code, Continue, Codex, OpenCode or Kiro file raises the changed-server modal', { timeout: 180_000 }, async () => {
  const workspace = path.join(tmp, 'ws');
  const home = path.join(tmp, 'home');
  const store = path.join(tmp, 'store', 'trust-store.json');
  fs.mkdirSync(home, { recursive: true });
  const texts = new Map<string, string>();
  for (const f of FILES) {
    const file = path.join(workspace, f.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const text = fs.readFileSync(path.join(FIXTURES, f.fixture, 'ws', f.rel), 'utf8');
    assert.equal(text.split(APPROVED_ARG).length, 2, `${f.rel}: the fixture holds "${APPROVED_ARG}" exactly once`);
    fs.writeFileSync(file, text);
    texts.set(f.rel, text);
  }
  const env = { MCP_TRUST_GUARD_STORE: store };
  // the CLI sees what the extension host will see: the same HOME and trust store
  const cliEnv = { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
  cli(['approve', '--all', workspace, '--no-user', '--store', store], cliEnv);
  const approved = Object.values(storeRecords(store)).filter((r) => r.decision === 'approved').map((r) => r.name).sort();
  assert.deepEqual(approved, FILES.map((f) => f.server).sort(), 'the CLI approved exactly the five servers');

  const cs = await startCodeServer({ workspace, home, env, settings: { 'mcpTrustGuard.probeOnApprove': false } });
  const { page } = await openWorkbench(cs, workspace);
  await waitForLog(cs, /start: 5 server\(s\)/, 60_000).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
  });
  await showServers(page);
  for (const f of FILES) await waitForServer(page, f.server, 'approved', 30_000);
  await screenshot(page, 'hosts-watch-0-approved');

  const latencies = new Map<string, number[]>();
  for (const f of FILES) {
    const file = path.join(workspace, f.rel);
    const original = texts.get(f.rel)!;
    const ms: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const changed = original.replace(APPROVED_ARG, `arg-changed-${i}`);
      const inPlace = i % 2 === 1;
      const t0 = Date.now();
      if (inPlace) fs.writeFileSync(file, changed);
      else writeLikeGit(file, changed);
      const text = await changedModal(page, f.server, MAX_LATENCY_MS * 3).catch(async (e: unknown) => {
        await screenshot(page, `hosts-watch-1-no-modal-${f.fixture}`);
        throw new Error(`${f.rel} (${inPlace ? 'in place' : 'renamed over'}): ${(e as Error).message}\nextension log:\n${extensionLog(cs)}`);
      });
      ms.push(Date.now() - t0);
      assert.ok(text.includes(f.host), `${f.rel}: the modal names the host ${f.host}:\n${text}`);
      assert.ok(text.includes(`arg-changed-${i}`), `${f.rel}: the modal shows the new launch:\n${text}`);
      if (i === 0) await screenshot(page, `hosts-watch-1-modal-${f.fixture}`);
      await page.keyboard.press('Escape');
      await dialog(page).waitFor({ state: 'hidden', timeout: 5_000 });
      // written back as approved: no prompt, the tree shows it approved again
      writeLikeGit(file, original);
      await waitForServer(page, f.server, 'approved', 15_000);
    }
    latencies.set(f.rel, ms);
  }

  for (const [rel, ms] of latencies) {
    const sorted = [...ms].sort((a, b) => a - b);
    console.log(`# change on disk → changed-server modal, ${rel}: p50 ${percentile(sorted, 0.5)} ms, max ${sorted[sorted.length - 1]} ms (${ms.join(', ')})`);
  }
  const all = [...latencies.values()].flat().sort((a, b) => a - b);
  console.log(`# change on disk → changed-server modal, all ${all.length} changes: p50 ${percentile(all, 0.5)} ms, max ${all[all.length - 1]} ms`);
  for (const [rel, ms] of latencies) for (const v of ms) assert.ok(v < MAX_LATENCY_MS, `${rel}: ${v} ms`);
  const log = extensionLog(cs);
  assert.equal((log.match(/notification \d+: modal: "/g) ?? []).length, FILES.length * ROUNDS, 'one modal per change, none for the write-backs');
  assert.doesNotMatch(log, /\[error\]/);
});
