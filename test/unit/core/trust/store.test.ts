import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultStorePath, parseStoreText, TrustStore } from '../../../../src/core/trust';

const worker = join(__dirname, '../../../helpers/storeWorker.ts');

function runWorker(path: string, tag: string, count: number): Promise<number> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', worker, path, tag, String(count)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`worker ${tag} timed out`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) fail(new Error(`worker ${tag} exited ${code}: ${err}`));
      else ok(code);
    });
  });
}

test('three processes approving at once lose no record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-store-'));
  try {
    const path = join(dir, 'sub', 'trust-store.json');
    await Promise.all([runWorker(path, 'a', 25), runWorker(path, 'b', 25), runWorker(path, 'c', 25)]);
    const snap = await new TrustStore(path).read();
    assert.equal(snap.problem, undefined);
    assert.equal(Object.keys(snap.data.records).length, 75);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(!existsSync(path + '.lock'), 'lock released');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt store reads as "nothing approved" with a problem, and the next write keeps it aside', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-store-'));
  try {
    const path = join(dir, 'trust-store.json');
    writeFileSync(path, '{"version": 2, "records": {}}');
    const store = new TrustStore(path);
    const snap = await store.read();
    assert.match(snap.problem?.message ?? '', /schema/);
    assert.equal(Object.keys(snap.data.records).length, 0);
    const written = await store.update(() => {});
    assert.ok(written.problem?.keptAs, 'moved aside');
    assert.equal(readFileSync(written.problem!.keptAs!, 'utf8'), '{"version": 2, "records": {}}');
    assert.equal(readdirSync(dir).filter((f) => f.includes('.corrupt-')).length, 1);
    assert.equal((await store.read()).problem, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseStoreText rejects invalid JSON and bad hashes; keeps a "__proto__" key as data', () => {
  assert.match(parseStoreText('nope').problem?.message ?? '', /not valid JSON/);
  const bad = { version: 1, records: { k: { configFile: '/x', name: 'x', pointer: '/x', host: 'cursor', decision: 'approved', fingerprint: 'zz', specHash: 'zz', sourceHash: 'zz', spec: {}, files: [], decidedAt: 'now' } } };
  assert.match(parseStoreText(JSON.stringify(bad)).problem?.message ?? '', /fingerprint/);
  const h = 'a'.repeat(64);
  const snap = parseStoreText(`{"version":1,"records":{"__proto__":${JSON.stringify({ ...bad.records.k, fingerprint: h, specHash: h, sourceHash: h })}}}`);
  assert.equal(snap.problem, undefined);
  assert.equal(Object.keys(snap.data.records).join(), '__proto__');
  assert.equal(({} as Record<string, unknown>).configFile, undefined, 'no prototype pollution');
});

test('defaultStorePath: --store beats $MCP_TRUST_GUARD_STORE beats the per-OS default', () => {
  assert.equal(defaultStorePath('/a/b.json', { MCP_TRUST_GUARD_STORE: '/c/d.json' }), '/a/b.json');
  assert.equal(defaultStorePath(undefined, { MCP_TRUST_GUARD_STORE: '/c/d.json' }), '/c/d.json');
  assert.match(defaultStorePath(undefined, {}), /mcp-trust-guard[\\/].*trust-store\.json$|mcp-trust-guard[\\/]trust-store\.json$/);
});

test("a killed writer's temp file is removed by the next write once older than the lock's stale time; nothing else is", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-store-litter-'));
  try {
    const path = join(dir, 'trust-store.json');
    const store = new TrustStore(path, { staleMs: 2_000 });
    await store.update(() => undefined);
    const old = new Date(Date.now() - 60_000);
    const files = {
      stale: 'trust-store.json.3141592653', // write-file-atomic's name: <file>.<murmur hash>, left by a kill
      fresh: 'trust-store.json.2718', // as if a writer were creating it right now
      backup: 'trust-store.json.bak',
      corrupt: 'trust-store.json.corrupt-2026-11-21T00-00-00-000Z',
      otherFile: 'pending-reviews.json.1234',
    };
    for (const [k, name] of Object.entries(files)) {
      writeFileSync(join(dir, name), '{"partial":');
      if (k !== 'fresh') utimesSync(join(dir, name), old, old);
    }
    await store.update(() => undefined);
    const left = readdirSync(dir).sort();
    assert.ok(!left.includes(files.stale), 'the stale temp file is gone');
    for (const k of ['fresh', 'backup', 'corrupt', 'otherFile'] as const) assert.ok(left.includes(files[k]), `${files[k]} is kept`);
    assert.equal((await store.read()).problem, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
