import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';

/** What a file was when it was hashed: the cache key of {@link FileHashCache}. `mtimeMs` in ms since the epoch. */
export interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A hashed file: SHA-256 (hex) of every byte, and the identity it had when read. */
export interface FileHash extends FileIdentity {
  sha256: string;
}

/** Whether two identities are the same file state (inode, size and mtime all equal). */
export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * SHA-256 of a whole file, streamed in 64 KiB chunks (any size; memory stays constant).
 * @throws the `node:fs` error (`ENOENT`, `EACCES`, `EISDIR`, …) when the file cannot be read.
 */
export function hashStream(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const h = createHash('sha256');
    const s = createReadStream(path, { highWaterMark: 64 * 1024 });
    s.on('data', (c) => h.update(c));
    s.on('error', reject);
    s.on('end', () => resolveHash(h.digest('hex')));
  });
}

/**
 * File hashes cached by (path, inode, size, mtime): a re-check stats each file and reads only those whose
 * identity moved. Holds at most `maxEntries` paths (oldest dropped first). A file whose identity changes
 * while it is read is read again (at most twice), so a hash never pairs with a stale identity.
 */
export class FileHashCache {
  private readonly entries = new Map<string, FileHash>();

  constructor(private readonly maxEntries = 200_000) {}

  /** Number of cached paths. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The hash of the regular file at `path` (absolute; symlinks followed).
   * @throws the `node:fs` error when it cannot be read, or an `EISDIR`/`ENOTFILE`-coded error when it is not a
   *   regular file.
   */
  async hash(path: string): Promise<FileHash> {
    for (let attempt = 0; ; attempt++) {
      const st = await fsp.stat(path);
      if (!st.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: st.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
      const id: FileIdentity = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
      const hit = this.entries.get(path);
      if (hit && sameIdentity(hit, id)) return hit;
      const sha256 = await hashStream(path);
      const after = await fsp.stat(path);
      if (attempt < 1 && !sameIdentity(id, { ino: after.ino, size: after.size, mtimeMs: after.mtimeMs })) continue;
      const entry: FileHash = { ...id, sha256 };
      this.entries.delete(path);
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(path, entry);
      return entry;
    }
  }
}

/** The process-wide file hash cache (referenced files and closures share it). */
export const defaultFileHashes = new FileHashCache();
