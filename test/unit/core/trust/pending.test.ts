import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { canonicalHash } from '../../../../src/core/fingerprint';
import {
  addPendingReview,
  approvePendingMetadata,
  MAX_PENDING_ITEM_BYTES,
  MAX_PENDING_REVIEWS,
  pendingPath,
  PendingReviewError,
  readPendingReviews,
  resolvePendingReviews,
  TrustStore,
  type TrustRecord,
} from '../../../../src/core/trust';

let dir: string;
let storePath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtg-pending-'));
  storePath = join(dir, 'trust-store.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base = { configFile: '/ws/.vscode/mcp.json', name: 's', pointer: '/servers/s', reason: 'r' };
const FP = 'a'.repeat(64);

test('pendingPath is beside the store', () => {
  assert.equal(pendingPath(storePath), join(dir, 'pending-reviews.json'));
});

test('add, read, de-duplicate, resolve', async () => {
  const a = await addPendingReview(storePath, { ...base, kind: 'launch', fingerprint: FP });
  const again = await addPendingReview(storePath, { ...base, kind: 'launch', fingerprint: FP });
  assert.equal(again.id, a.id);
  const b = await addPendingReview(storePath, { ...base, kind: 'metadata', items: [{ kind: 'tool', key: 'x', state: 'new', item: { name: 'x' } }] });
  assert.equal(b.items?.[0].sha256, canonicalHash({ name: 'x' }));
  assert.deepEqual((await readPendingReviews(storePath)).map((r) => r.id), [a.id, b.id]);
  assert.deepEqual((await resolvePendingReviews(storePath, { kind: 'launch' })).map((r) => r.id), [a.id]);
  assert.deepEqual((await readPendingReviews(storePath)).map((r) => r.id), [b.id]);
});

test('bounded: newest reviews kept, big items truncated with their hash', async () => {
  const big = { name: 'big', description: 'x'.repeat(MAX_PENDING_ITEM_BYTES + 10) };
  const r = await addPendingReview(storePath, { ...base, kind: 'metadata', items: [{ kind: 'tool', key: 'big', state: 'new', item: big }] });
  assert.deepEqual(r.items?.[0].item, { $truncated: true, bytes: JSON.stringify(big).length });
  assert.equal(r.items?.[0].sha256, canonicalHash(big));
  await Promise.all(Array.from({ length: 20 }, (_, i) => addPendingReview(storePath, { ...base, kind: 'launch', reason: `r${i}` })));
  assert.equal((await readPendingReviews(storePath)).length, 21, 'concurrent writers lose nothing');
});

test('a corrupt or hostile file reads as empty and is replaced on the next write', async () => {
  writeFileSync(pendingPath(storePath), '{"version":1,"reviews":[{"id":1}]}');
  assert.deepEqual(await readPendingReviews(storePath), []);
  await addPendingReview(storePath, { ...base, kind: 'launch' });
  assert.equal(JSON.parse(readFileSync(pendingPath(storePath), 'utf8')).reviews.length, 1);
});

function record(metadata?: unknown): TrustRecord {
  return {
    configFile: base.configFile,
    name: 's',
    pointer: '/servers/s',
    host: 'vscode',
    decision: 'approved',
    fingerprint: FP,
    specHash: FP,
    sourceHash: FP,
    spec: {},
    files: [],
    decidedAt: new Date(0).toISOString(),
    ...(metadata ? { metadata } : {}),
  };
}

test('approvePendingMetadata merges the items into the pins and resolves the review', async () => {
  const store = new TrustStore(storePath);
  const kept = { name: 'kept' };
  await store.update((d) => {
    d.records[`${base.configFile}#/servers/s`] = record({ pinnedAt: 'x', tools: { kept: { sha256: canonicalHash(kept), item: kept } }, prompts: {}, resources: {}, resourceTemplates: {} });
  });
  const proto = { name: '__proto__', description: 'odd' };
  const review = await addPendingReview(storePath, {
    ...base,
    kind: 'metadata',
    fingerprint: FP,
    items: [
      { kind: 'tool', key: 'add', state: 'changed', item: { name: 'add', description: 'new' } },
      { kind: 'tool', key: '__proto__', state: 'new', item: proto },
      { kind: 'prompt', key: 'p', state: 'new', item: { name: 'p' } },
    ],
  });
  await approvePendingMetadata(store, review, new Date());
  const rec = (await store.read()).data.records[`${base.configFile}#/servers/s`];
  const md = rec.metadata as { tools: Record<string, { sha256: string }>; prompts: Record<string, { sha256: string }> };
  assert.deepEqual(Object.keys(md.tools).sort(), ['__proto__', 'add', 'kept']);
  assert.equal(md.tools.add.sha256, canonicalHash({ name: 'add', description: 'new' }));
  assert.equal(Object.getOwnPropertyDescriptor(md.tools, '__proto__')?.value.sha256, canonicalHash(proto));
  assert.equal(md.prompts.p.sha256, canonicalHash({ name: 'p' }));
  assert.deepEqual(await readPendingReviews(storePath), []);
});

test('approvePendingMetadata refuses when the launch spec moved or the record is not approved', async () => {
  const store = new TrustStore(storePath);
  await store.update((d) => {
    d.records[`${base.configFile}#/servers/s`] = { ...record(), fingerprint: 'b'.repeat(64) };
  });
  const review = await addPendingReview(storePath, { ...base, kind: 'metadata', fingerprint: FP, items: [] });
  await assert.rejects(approvePendingMetadata(store, review, new Date()), PendingReviewError);
  await store.update((d) => {
    d.records[`${base.configFile}#/servers/s`] = { ...record(), decision: 'denied' };
  });
  await assert.rejects(approvePendingMetadata(store, review, new Date()), /no approved launch spec/);
  assert.equal((await readPendingReviews(storePath)).length, 1);
});

test('only the newest MAX_PENDING_REVIEWS are kept', async () => {
  const reviews = Array.from({ length: MAX_PENDING_REVIEWS }, (_, i) => ({ ...base, id: `old-${i}`, kind: 'launch', reason: `r${i}`, at: new Date(0).toISOString() }));
  writeFileSync(pendingPath(storePath), JSON.stringify({ version: 1, reviews }));
  const added = await addPendingReview(storePath, { ...base, kind: 'launch', reason: 'newest' });
  const now = await readPendingReviews(storePath);
  assert.equal(now.length, MAX_PENDING_REVIEWS);
  assert.equal(now[0].id, 'old-1');
  assert.equal(now[now.length - 1].id, added.id);
});
