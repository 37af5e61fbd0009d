import { readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { fileStamp, settledAt } from '../ports';

/** The stamp recorded for a path whose state cannot be trusted to key a cache (see {@link FsPass.state}). */
export const UNSETTLED = '?';

/** The state of a stat'ed path as {@link FsPass.state} records it (`f:` or `d:` and its `fileStamp`). */
export function stateOfStat(st: { isDirectory(): boolean; dev: number; ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return (st.isDirectory() ? 'd:' : 'f:') + fileStamp(st);
}

/**
 * One pass's view of the file system for closures (a scan, a re-check, one `computeClosure` call): each `stat`
 * and `readlink` of a path is asked once and its answer reused for the rest of the pass, and any work a pass
 * shares (a trace, a hash) is done once ({@link once}). Synchronous system calls: on metadata in the page cache a
 * `stat` costs a few microseconds, several times less than a promise round trip through libuv's thread pool.
 * A pass sees each path as it was when first asked; never keep one across passes.
 */
export class FsPass {
  /** `Date.now()` when the pass began, before any of its stats (the reference of {@link settledAt}). */
  readonly since = Date.now();
  private readonly stats = new Map<string, Stats | string>();
  /** {@link state} by path: one string per path and pass, shared by every cache entry that records it. */
  private readonly states = new Map<string, string>();
  private readonly links = new Map<string, string | null | { code: string }>();
  private readonly reals = new Map<string, string>();
  private readonly work = new Map<string, Promise<unknown>>();

  /** The stat of `path` (symlinks followed), or the error code (`ENOENT`, `ENOTDIR`, `EACCES`, …). */
  statOf(path: string): Stats | string {
    let s = this.stats.get(path);
    if (s === undefined) {
      try {
        s = statSync(path, { throwIfNoEntry: false }) ?? 'ENOENT';
      } catch (e) {
        s = (e as NodeJS.ErrnoException).code ?? 'EINVAL';
      }
      this.stats.set(path, s);
    }
    return s;
  }

  /** The stat of `path`, or undefined when it cannot be stat'ed. */
  stat(path: string): Stats | undefined {
    const s = this.statOf(path);
    return typeof s === 'string' ? undefined : s;
  }

  /** Whether `path` exists (a dangling symlink does not), as `existsSync`. */
  exists(path: string): boolean {
    return this.stat(path) !== undefined;
  }

  isFile(path: string): boolean {
    return this.stat(path)?.isFile() ?? false;
  }

  isDir(path: string): boolean {
    return this.stat(path)?.isDirectory() ?? false;
  }

  /**
   * What `path` is now, as a cache records it: `-` missing, `!CODE` unreadable, `f:`/`d:` + {@link fileStamp}
   * (device, inode, size, mtime, ctime), or {@link UNSETTLED} when it changed too recently to key anything
   * ({@link settledAt}). Two states are the same version when equal and not {@link UNSETTLED}.
   */
  state(path: string): string {
    let state = this.states.get(path);
    if (state === undefined) {
      const s = this.statOf(path);
      if (typeof s === 'string') state = s === 'ENOENT' ? '-' : `!${s}`;
      else if (!settledAt(s, this.since)) state = UNSETTLED;
      else state = stateOfStat(s);
      this.states.set(path, state);
    }
    return state;
  }

  /** Whether every recorded state is still the path's state (an {@link UNSETTLED} record never is). */
  unchanged(watched: readonly { path: string; state: string }[]): boolean {
    for (const w of watched) if (w.state === UNSETTLED || this.state(w.path) !== w.state) return false;
    return true;
  }

  /**
   * The target of the symlink `path`, null when it is not a symlink or does not exist (`EINVAL`, `ENOENT`), as
   * `@vercel/nft` expects of its `readlink` hook. @throws the `node:fs` error otherwise.
   */
  readlink(path: string): string | null {
    let l = this.links.get(path);
    if (l === undefined) {
      try {
        l = readlinkSync(path);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'EINVAL';
        l = code === 'EINVAL' || code === 'ENOENT' || code === 'UNKNOWN' ? null : { code };
      }
      this.links.set(path, l);
    }
    if (l !== null && typeof l === 'object') throw Object.assign(new Error(`${l.code}: readlink ${path}`), { code: l.code });
    return l;
  }

  /**
   * The canonical path of `path` as `realpathSync.native` gives it (libuv's `realpath`, what `fs.promises.realpath`
   * and the scan's file system port use), or `\0` followed by the error code (`\0ENOENT`, `\0ENOTDIR`, …) when it
   * cannot be resolved: a path never holds a NUL. Asked once per pass.
   */
  realpathOf(path: string): string {
    let r = this.reals.get(path);
    if (r === undefined) {
      // A path that cannot be stat'ed cannot be resolved either, for the same reason: no failing call (and no
      // thrown error) for the many missing paths a pass asks about.
      if (this.statOf(path) === 'ENOENT') r = '\0ENOENT';
      else {
        try {
          r = realpathSync.native(path);
        } catch (e) {
          r = `\0${(e as NodeJS.ErrnoException).code ?? 'EINVAL'}`;
        }
      }
      this.reals.set(path, r);
    }
    return r;
  }

  /** `make()` once per `key` in this pass; later callers get the same promise (shared traces, hashes). */
  once<T>(key: string, make: () => Promise<T>): Promise<T> {
    let p = this.work.get(key) as Promise<T> | undefined;
    if (!p) this.work.set(key, (p = make()));
    return p;
  }
}
