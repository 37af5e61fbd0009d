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

/** Result of {@link FileSystemPort.stat}. `mtimeMs` is milliseconds since the epoch. */
export interface FileStat {
  isFile: boolean;
  isDirectory: boolean;
  size: number;
  mtimeMs: number;
  /** The file's inode number (`stat.ino`); absent from ports that have none (a file renamed over gets a new one). */
  ino?: number;
}

/**
 * The identity of a file's current version as the watchers and the config-file cache key it: inode, size in
 * bytes and mtime in ms (`"<ino>:<size>:<mtimeMs>"`). A rewrite that keeps size and mtime but replaces the file
 * (write a temp file, rename it over, as `git` and editors' atomic saves do) changes the inode; an access,
 * `chmod` or atime-only touch changes none of the three.
 */
export function fileStamp(st: { ino?: number; size: number; mtimeMs: number }): string {
  return `${st.ino ?? ''}:${st.size}:${st.mtimeMs}`;
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
