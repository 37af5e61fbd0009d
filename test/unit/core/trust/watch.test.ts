/**
 * FileWatcher on real files: polling alone (`fsWatch: false`, the fallback the extension's pending-review
 * prompter and the proxy rely on where file events do not arrive) sees every kind of change a writer makes, and
 * nothing when nothing changed; `fs.watch` alone (polling made too slow to matter) sees an atomic replace.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileWatcher } from '../../../../src/core/trust/watch';
import { nullLogger } from '../../../../src/core/ports';

const dir = mkdtempSync(join(tmpdir(), 'mtg-watch-'));
after(() => rmSync(dir, { recursive: true, force: true }));


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A watcher on `file` counting its calls; `next()` resolves at the next call, rejects after `ms`. */
function counted(file: string, opts: { pollMs: number; fsWatch: boolean }) {
  let calls = 0;
  let waiter: (() => void) | undefined;
  const w = new FileWatcher(
    file,
    async () => {
      calls++;
      waiter?.();
    },
    nullLogger,
    opts,
  );
  return {
    w,
    get calls() {
      return calls;
    },
    next(ms: number): Promise<number> {
      const t0 = Date.now();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no change seen within ${ms} ms`)), ms);
        waiter = () => {
          clearTimeout(timer);
          waiter = undefined;
          resolve(Date.now() - t0);
        };
      });
    },
  };
}

test('polling alone sees create, in-place rewrite, atomic replace and delete; nothing when idle', async () => {
  const file = join(dir, 'pending-reviews.json');
  const c = counted(file, { pollMs: 100, fsWatch: false });
  try {
    await sleep(400); // the first stamp is taken asynchronously; let it settle
    const idle = c.calls;
    await sleep(500);
    assert.equal(c.calls, idle, 'no call while the file does not exist and nothing happens');

    let seen = c.next(2_000);
    writeFileSync(file, '{"a":1}');
    const created = await seen;

    // Same size, new content: only mtime tells. Set it explicitly so coarse clocks cannot hide the change.
    seen = c.next(2_000);
    writeFileSync(file, '{"a":2}');
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    const rewritten = await seen;

    // Atomic replace as write-file-atomic does: same size and (forced) same mtime, so only the inode differs.
    const { atime, mtime } = statSync(file);
    seen = c.next(2_000);
    writeFileSync(`${file}.tmp`, '{"a":3}');
    utimesSync(`${file}.tmp`, atime, mtime);
    renameSync(`${file}.tmp`, file);
    const replaced = await seen;

    seen = c.next(2_000);
    rmSync(file);
    const deleted = await seen;

    const settled = c.calls;
    await sleep(500);
    assert.equal(c.calls, settled, 'no further call once the file stays as it is');
    for (const ms of [created, rewritten, replaced, deleted]) assert.ok(ms < 1_000, `seen in ${ms} ms (poll every 100 ms)`);
  } finally {
    c.w.close();
  }
});

test('fs.watch alone (polling every 60 s) sees an atomic replace of the file', async () => {
  const file = join(dir, 'trust-store.json');
  writeFileSync(file, '{}');
  const c = counted(file, { pollMs: 60_000, fsWatch: true });
  try {
    await sleep(200);
    const seen = c.next(3_000);
    writeFileSync(`${file}.1`, '{"records":{}}');
    renameSync(`${file}.1`, file);
    assert.ok((await seen) < 3_000);
  } finally {
    c.w.close();
  }
});

test('close() stops both: no call after it', async () => {
  const file = join(dir, 'closed.json');
  const c = counted(file, { pollMs: 100, fsWatch: true });
  await sleep(300);
  c.w.close();
  const n = c.calls;
  writeFileSync(file, 'x');
  await sleep(500);
  assert.equal(c.calls, n);
});
