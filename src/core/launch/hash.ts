import { createHash } from 'node:crypto';
import { closeSync, promises as fsp, type Stats } from 'node:fs';
import { setNewest } from '../boundedMap';
import { codedError, settledAt } from '../ports';
import { openRegular, openRegularSync, readUpToSync } from '../ports/regularFile';
import { stateOfStat, UNSETTLED, type FsPass } from './pass';

/**
 * What a file was when it was hashed: the cache key of {@link FileHashCache}. Times in ms since the epoch;
 * `ctimeMs` is set by the kernel on every change and cannot be set by user code, unlike `mtimeMs`.
 */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** A hashed file: SHA-256 (hex) of every byte, and the identity it had when read. */
export interface FileHash extends FileIdentity {
  sha256: string;
}

/** The identity part of a stat. */
export function identityOf(st: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs' | 'ctimeMs'>): FileIdentity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

/** Whether two identities are the same file state (device, inode, size, mtime and ctime all equal). */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.dev === b.dev;
}

/**
 * SHA-256 of a whole regular file, streamed in 64 KiB chunks (any size; memory stays constant); never waits on a FIFO.
 * @throws the `node:fs` error (`ENOENT`, `EACCES`, …) when the file cannot be read; `EISDIR`/`ENOTFILE` when it is
 *   not a regular file (`openRegular`).
 */
export function hashStream(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    openRegular(path).then(({ handle }) => {
      const s = handle.createReadStream({ highWaterMark: 64 * 1024 });
      s.on('data', (c) => h.update(c));
      s.on('error', reject);
      s.on('end', () => resolveHash(h.digest('hex')));
    }, reject);
  });
}

/** A cached hash, whether it may be reused, and the state a closure records for it (settled only). */
interface CacheEntry extends FileHash {
  settled: boolean;
  state: string | undefined;
}

/** Files up to this size are read in one synchronous call (a stream costs more than the read for small files). */
const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * SHA-256 of a whole file whose stat said `expected` bytes: a small file in one bounded synchronous read (at most
 * `expected + 1` bytes, so a file that grew meanwhile is detected and streamed instead), a larger one streamed.
 */
async function hashContent(path: string, expected: number): Promise<string> {
  if (expected < SMALL_FILE_BYTES) {
    const { fd } = openRegularSync(path);
    let bytes: Buffer;
    try {
      bytes = readUpToSync(fd, expected + 1);
    } finally {
      closeSync(fd);
    }
    if (bytes.length <= expected) return createHash('sha256').update(bytes).digest('hex');
  }
  return hashStream(path);
}

/**
 * File hashes cached by path and {@link FileIdentity} (device, inode, size, mtime, ctime): a re-check stats each
 * file and reads only those whose identity moved. The identity is taken before the content is read, and an entry
 * is reused only when the file had settled before that stat (`settledAt`: its ctime is older than the clock tick
 * in which a same-size rewrite could keep every field), so a hash never stands for content other than the one
 * its identity names — even when the workspace's owner puts the mtime back after an in-place edit of the same
 * size. Holds at most `maxEntries` paths (oldest dropped first).
 */
export class FileHashCache {
  private readonly entries = new Map<string, CacheEntry>();

  constructor(private readonly maxEntries = 200_000) {}

  /** Number of cached paths. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The hash of the regular file at `path` (absolute; symlinks followed). With `pass`, the stat is the pass's
   * (asked once per pass) and concurrent callers in the pass share one read.
   * @throws the `node:fs` error when it cannot be read, or an `EISDIR`/`ENOTFILE`-coded error when it is not a
   *   regular file.
   */
  hash(path: string, pass?: FsPass): Promise<FileHash> {
    return pass ? pass.once(`hash\0${path}`, () => this.compute(path, pass)) : this.compute(path);
  }

  private async compute(path: string, pass?: FsPass): Promise<FileHash> {
    const since = pass?.since ?? Date.now();
    const s = pass ? pass.statOf(path) : await statOrCode(path);
    if (typeof s === 'string') throw codedError(`${s}: cannot stat ${path}`, s);
    if (!s.isFile()) throw codedError(`${path} is not a regular file`, s.isDirectory() ? 'EISDIR' : 'ENOTFILE');
    const id = identityOf(s);
    const hit = this.entries.get(path);
    if (hit && hit.settled && sameIdentity(hit, id)) return hit;
    return this.remember(path, id, await hashContent(path, id.size), settledAt(s, since), pass?.state(path));
  }

  /**
   * Records the hash of content read after a stat of identity `id` (a reader that already holds the bytes, such
   * as the module tracer, saves the second read). `settled` as {@link settledAt} of that stat; `state`, the pass's
   * `FsPass.state` of the path from that stat, is kept instead of an equal copy (closures and traces record it too).
   */
  remember(path: string, id: FileIdentity, sha256: string, settled: boolean, state?: string): FileHash {
    const own = settled ? (state !== undefined && state !== UNSETTLED ? state : stateOfStat({ ...id, isDirectory: () => false })) : undefined;
    const entry: CacheEntry = { ...id, sha256, settled, state: own };
    setNewest(this.entries, path, entry, this.maxEntries);
    return entry;
  }
}

async function statOrCode(path: string): Promise<Stats | string> {
  try {
    return await fsp.stat(path);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'EINVAL';
  }
}

/**
 * The state a closure records for a hashed file (the identity it was hashed at, as `FsPass.state` writes it), or
 * undefined when the file had not settled when read.
 */
export function hashedState(h: FileHash): string | undefined {
  return (h as Partial<CacheEntry>).state;
}

/** The process-wide file hash cache (referenced files and closures share it). */
export const defaultFileHashes = new FileHashCache();
