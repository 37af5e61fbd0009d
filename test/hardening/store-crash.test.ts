/**
 * Trust store crash safety: a writer SIGKILLed at random points of a loop of approvals leaves a store that
 * parses, validates and holds every approval it had acknowledged; the lock a killed writer leaves behind
 * blocks the next writer no longer than the stale timeout; two editors and the CLI writing at once lose
 * nothing.
 *
 * The writer (`workers/approve-loop.ts`) is bundled once with esbuild so that each of the many child processes
 * starts in ~0.1 s (tsx would take ~1 s each). The stores here use `staleMs: 2000` (TrustStore's option, the
 * proper-lockfile minimum) instead of the default 10 s, so that a lock left by a kill costs 2 s, not 10 s.
 * More kills: `CRASH_KILLS=200 node scripts/run-tests.mjs test/hardening/store-crash.test.ts`.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { parseStoreText, recordKey, TrustStore } from '../../src/core/trust';
import { sandbox } from '../helpers/cli';
import { prng, tempDir } from './helpers';
import { CRASH_CONFIG, crashFingerprint } from './workers/approve-loop';

const STALE_MS = 2_000;
const KILLS = Number(process.env.CRASH_KILLS) || 20;
const SEED = Number(process.env.FUZZ_SEED ?? 42);

/** Bundles the writer into `dir` and returns the bundle's path. */
function bundleWorker(dir: string): string {
  const outfile = join(dir, 'approve-loop.cjs');
  buildSync({ entryPoints: [join(__dirname, 'workers/approve-loop.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
  return outfile;
}

/** A running writer: its process, the acks received so far, and a promise of its exit. */
interface Writer {
  child: ChildProcess;
  acks: number[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `n` acks have arrived (or the writer exited); rejects after `ms`. */
  waitAcks(n: number, ms: number): Promise<void>;
}

function startWriter(bundle: string, store: string, tag: string, count: number): Writer {
  const child = spawn(process.execPath, [bundle, store, tag, String(count), String(STALE_MS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks: number[] = [];
  let err = '';
  let buf = '';
  const waiters: (() => void)[] = [];
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const m = /^ack (\d+)$/.exec(buf.slice(0, nl));
      if (m) acks.push(Number(m[1]));
      buf = buf.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('exit', (code, signal) => {
    ok({ code, signal });
    for (const w of waiters.splice(0)) w();
  }));
  return {
    child,
    acks,
    stderr: () => err,
    exited,
    waitAcks(n, ms) {
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`writer ${tag}: ${acks.length}/${n} acks after ${ms} ms; stderr: ${err}`)), ms);
        const check = () => {
          if (acks.length >= n || child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            ok();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** Kills a writer by its pid if it is still running (cleanup after a failed assertion). */
function killIfRunning(w: Writer): void {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
}

/** Reads the store file and asserts it parses and validates; returns its records. */
function assertValidStore(path: string) {
  const snap = parseStoreText(readFileSync(path, 'utf8'), path);
  assert.equal(snap.problem, undefined, snap.problem?.message);
  return snap.data.records;
}

test(`SIGKILL at ${KILLS} random points of an approval loop: the store stays valid and keeps every acknowledged approval`, async (t: TestContext) => {
  const dir = tempDir(t, 'mtg-crash-');
  const bundle = bundleWorker(dir);
  const store = join(dir, 'store', 'trust-store.json');
  const rnd = prng(SEED);
  const acked: string[] = [];
  let staleLocks = 0;
  let slowestAfterStale = 0;
  let killedInsideLock = 0;
  const t0 = performance.now();
  for (let k = 0; k < KILLS; k++) {
    const tag = `r${k}`;
    const w = startWriter(bundle, store, tag, 100_000);
    t.after(() => killIfRunning(w));
    const lockLeft = existsSync(`${store}.lock`);
    const started = performance.now();
    // Kill after a random number of acks (0..8) plus a random 0..25 ms, so kills land anywhere in an update.
    const target = rnd.int(9);
    await w.waitAcks(Math.max(target, lockLeft ? 1 : 0), STALE_MS + 15_000);
    if (lockLeft) {
      staleLocks++;
      slowestAfterStale = Math.max(slowestAfterStale, performance.now() - started);
    }
    await new Promise((r) => setTimeout(r, rnd.int(26)));
    w.child.kill('SIGKILL');
    const exit = await w.exited;
    assert.equal(exit.signal, 'SIGKILL', `writer ended on its own: ${exit.code} ${w.stderr()}`);
    for (const i of w.acks) acked.push(recordKey(CRASH_CONFIG, `/mcpServers/${tag}-${i}`));
    if (existsSync(`${store}.lock`)) killedInsideLock++;
    if (!existsSync(store)) {
      assert.equal(acked.length, 0, 'no store file although approvals were acknowledged');
      continue;
    }
    const records = assertValidStore(store);
    for (const key of acked) {
      assert.ok(records[key], `acknowledged approval ${key} lost after kill ${k}`);
      assert.equal(records[key].decision, 'approved');
      assert.equal(records[key].fingerprint, crashFingerprint(Number(key.slice(key.lastIndexOf('-') + 1))));
    }
  }
  // A final writer must get past whatever lock the last kill left, within the stale timeout (plus slack for
  // this shared machine), and still see every acknowledged approval.
  const finalAt = Date.now();
  const last = startWriter(bundle, store, 'final', 1);
  t.after(() => killIfRunning(last));
  const started = performance.now();
  await last.waitAcks(1, STALE_MS + 15_000);
  const finalWait = performance.now() - started;
  assert.deepEqual(await last.exited, { code: 0, signal: null }, last.stderr());
  assert.ok(finalWait < STALE_MS + 8_000, `final writer waited ${finalWait} ms`);
  const records = assertValidStore(store);
  for (const key of acked) assert.ok(records[key], `acknowledged approval ${key} lost`);
  assert.ok(!existsSync(`${store}.lock`), 'the final writer released the lock');
  const present = Object.keys(records).filter((k) => k.startsWith(CRASH_CONFIG)).length;
  const litter = readdirSync(join(dir, 'store')).filter((f) => f !== 'trust-store.json');
  // The final writer removes temp files of killed writers older than the lock's stale time; younger ones may stay.
  const staleLitter = litter.filter((f) => /^trust-store\.json\.\d+$/.test(f) && statSync(join(dir, 'store', f)).mtimeMs < finalAt - STALE_MS);
  assert.deepEqual(staleLitter, [], 'temp files older than the stale time were removed by the final writer');
  t.diagnostic(
    `crash loop: ${KILLS} kills (${killedInsideLock} left a lock behind), ${acked.length} approvals acknowledged, ${present} records present ` +
      `(${present - acked.length - 1} written but killed before the ack), 0 lost; stale locks met ${staleLocks}, ` +
      `slowest first ack after one ${slowestAfterStale.toFixed(0)} ms, final writer ${finalWait.toFixed(0)} ms; ` +
      `leftover temp files ${litter.length}; ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  assert.ok(acked.length > KILLS, 'the kills landed after some approvals, not all before the first');
});

test('two editors and the CLI approving at once lose nothing', async (t: TestContext) => {
  const dir = tempDir(t, 'mtg-conc-');
  const bundle = bundleWorker(dir);
  const sb = sandbox();
  t.after(() => sb.cleanup());
  const names = Array.from({ length: 12 }, (_, i) => `cli${i}`);
  const cfg = sb.write('.cursor/mcp.json', JSON.stringify({ mcpServers: Object.fromEntries(names.map((n) => [n, { command: 'echo', args: [n] }])) }));
  const PER_EDITOR = 40;
  const editors = [startWriter(bundle, sb.store, 'e1', PER_EDITOR), startWriter(bundle, sb.store, 'e2', PER_EDITOR)];
  for (const e of editors) t.after(() => killIfRunning(e));
  const t0 = performance.now();
  const cli = (async () => {
    for (const n of names) {
      const r = await sb.cli('--no-user', 'approve', cfg, n);
      assert.equal(r.code, 0, r.err);
    }
  })();
  await cli;
  for (const e of editors) assert.deepEqual(await e.exited, { code: 0, signal: null }, e.stderr());
  const ms = performance.now() - t0;
  const snap = await new TrustStore(sb.store).read();
  assert.equal(snap.problem, undefined);
  const keys = Object.keys(snap.data.records);
  assert.equal(keys.length, 2 * PER_EDITOR + names.length, keys.join('\n'));
  for (const e of ['e1', 'e2']) for (let i = 0; i < PER_EDITOR; i++) assert.ok(snap.data.records[recordKey(CRASH_CONFIG, `/mcpServers/${e}-${i}`)]);
  for (const n of names) assert.equal(snap.data.records[recordKey(cfg, `/mcpServers/${n}`)]?.decision, 'approved');
  const s = await sb.cli('--json', '--no-user', 'scan', sb.ws);
  assert.equal(s.code, 0, s.out);
  t.diagnostic(`concurrent writers: ${2 * PER_EDITOR + names.length} approvals from 3 writers in ${ms.toFixed(0)} ms, all present`);
});
