/** The watcher debouncer with real timers: a burst becomes one flush; a long burst is cut at maxMs; no overlap. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Debouncer } from '../../../src/vscode/services/debounce';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('ten events in a burst give one flush with every key', async () => {
  const flushes: string[][] = [];
  const d = new Debouncer<string>({ quietMs: 60, maxMs: 1_000 }, async (keys) => {
    flushes.push([...keys].sort());
  });
  for (let i = 0; i < 10; i++) {
    d.add(`f${i % 4}`);
    await sleep(5);
  }
  await sleep(150);
  assert.deepEqual(flushes, [['f0', 'f1', 'f2', 'f3']]);
  d.dispose();
});

test('an endless burst is flushed after maxMs, and flushes never overlap', async () => {
  let running = 0;
  let overlap = false;
  const times: number[] = [];
  const t0 = Date.now();
  const d = new Debouncer<number>({ quietMs: 50, maxMs: 200 }, async () => {
    running++;
    if (running > 1) overlap = true;
    times.push(Date.now() - t0);
    await sleep(120);
    running--;
  });
  for (let i = 0; i < 40; i++) {
    d.add(i);
    await sleep(15);
  }
  await sleep(400);
  d.dispose();
  assert.ok(times.length >= 2, `flushes at ${times.join(', ')}`);
  assert.ok(times[0] >= 190 && times[0] < 400, `first flush at ${times[0]} ms`);
  assert.equal(overlap, false);
});

test('errors go to onError and later bursts still flush; dispose drops pending keys', async () => {
  const errors: unknown[] = [];
  let n = 0;
  const d = new Debouncer<string>({ quietMs: 20, maxMs: 100 }, async () => {
    n++;
    if (n === 1) throw new Error('boom');
  }, (e) => errors.push(e));
  d.add('a');
  await sleep(60);
  d.add('b');
  await sleep(60);
  assert.equal(n, 2);
  assert.equal(errors.length, 1);
  d.add('c');
  d.dispose();
  await sleep(60);
  assert.equal(n, 2);
});
