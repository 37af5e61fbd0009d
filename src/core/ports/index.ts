/**
 * Small port interfaces through which the core reaches the outside world. Each entry point (extension, CLI,
 * guard proxy) injects its own implementation; tests inject real ones pointed at temp dirs.
 */

/** Log sink. The core and the proxy never write to stdout/stderr themselves (the proxy's stdout is JSON-RPC). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that drops everything. */
export const nullLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Wall clock. `now()` returns milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Result of {@link FileSystemPort.stat}. `mtimeMs` and `ctimeMs` are milliseconds since the epoch. */
export interface FileStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
  /** The file's inode number (`stat.ino`); absent from ports that have none (a file renamed over gets a new one). */
  ino?: number;
  /** The device holding it (`stat.dev`); absent from ports that have none. */
  dev?: number;
  /**
   * The inode change time (`stat.ctimeMs`): set by the kernel to its clock on every write, rename, `chmod` or
   * `utimes`, and, unlike mtime, not settable by user code. Absent from ports that have none.
   */
  ctimeMs?: number;
}

/**
 * The identity of a file's current version as the watchers and the content caches key it: device, inode, size in
 * bytes, mtime and ctime in ms (`"<dev>:<ino>:<size>:<mtimeMs>:<ctimeMs>"`). A rewrite that keeps size and mtime
 * (in place, then `utimes` to put the mtime back; or a new file renamed over) moves the ctime, and a rename the
 * inode; the workspace's owner can set mtime but not ctime. An access or atime-only read changes none of them;
 * `chmod` and `touch` move the ctime (a harmless re-read). A cache keyed by it must also drop entries read too
 * soon after a change (see {@link settledAt}).
 */
export function fileStamp(st: { dev?: number; ino?: number; size: number; mtimeMs: number; ctimeMs?: number }): string {
  // One flat string (a template literal would build a rope of its pieces, kept as long as the stamp is).
  return [st.dev ?? '', st.ino ?? '', st.size, st.mtimeMs, st.ctimeMs ?? ''].join(':');
}

/**
 * Whether content read after a stat taken at or after `since` (ms since the epoch, read before that stat) may be
 * cached under that stat's {@link fileStamp}. The kernel stamps ctime from a coarse clock (a scheduler tick, up to
 * 10 ms; whole seconds on some file systems), so a second write of the same size in the same tick as the one
 * before the read, mtime put back, would leave the stamp unchanged: such a recent file (ctime within 100 ms of
 * `since`, 2 s when the ctime is a whole second) is read again next time instead, as git's index treats "racy"
 * entries. A stat without ctime is never settled.
 */
export function settledAt(st: { ctimeMs?: number }, since: number): boolean {
  if (st.ctimeMs === undefined) return false;
  return st.ctimeMs < since - (st.ctimeMs % 1000 === 0 ? 2000 : 100);
}

/**
 * An `Error` with `message` and `code` (`ENOENT`, `EISDIR`, …), made without capturing a stack, for the failures a
 * pass answers by the thousand (missing config names, a runtime's implicit scripts, a package manager's manifests):
 * a captured stack costs more than the lookup it reports.
 */
export function codedError(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(Object.create(Error.prototype) as NodeJS.ErrnoException, { name: 'Error', message, code });
}

/**
 * Read-only file access used by config discovery and fingerprinting. Paths are absolute.
 * Methods reject with a Node-style error (`code` = `ENOENT`, `EISDIR`, …) on failure.
 */
export interface FileSystemPort {
  /** Reads at most `maxBytes` + 1 bytes so that an over-size file is detected without loading it whole. */
  readFile(path: string, maxBytes: number): Promise<Uint8Array>;
  stat(path: string): Promise<FileStat>;
  realpath(path: string): Promise<string>;
  readdir(path: string): Promise<string[]>;
  /**
   * SHA-256 (hex) of the whole file and its size in bytes, streamed (any size, constant memory). Optional: without
   * it, callers read the file through {@link readFile}.
   */
  hashFile?(path: string): Promise<{ sha256: string; size: number }>;
}
