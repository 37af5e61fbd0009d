import { promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import envPaths from 'env-paths';
import writeFileAtomic from 'write-file-atomic';
import { lockPath } from './lock';
import { nullLogger, systemClock, type Clock, type Logger } from '../ports';
import { validateStoreData } from './schema';
import type { TrustRecord, TrustStoreData } from './types';

/** Largest trust store file read (bytes). A bigger file is treated as corrupt. */
export const MAX_STORE_BYTES = 64 * 1024 * 1024;

/** Environment variable that names the trust store file (after `--store`, before the per-OS default). */
export const STORE_ENV = 'MCP_TRUST_GUARD_STORE';

/**
 * Where the per-user trust store lives: `explicit` (e.g. `--store`), else `$MCP_TRUST_GUARD_STORE`, else
 * `trust-store.json` in the per-OS config directory (via `env-paths`: `~/.config/mcp-trust-guard` on Linux,
 * `~/Library/Preferences/mcp-trust-guard` on macOS, `%APPDATA%\mcp-trust-guard\Config` on Windows).
 * The result is absolute. It never lies inside a workspace unless the user says so.
 */
export function defaultStorePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  const fromEnv = env[STORE_ENV];
  if (fromEnv) return resolve(fromEnv);
  return join(envPaths('mcp-trust-guard', { suffix: '' }).config, 'trust-store.json');
}

/**
 * The key of a record: (absolute config file path, JSON Pointer of the server entry in that file), plus, for a
 * user-level entry resolved per workspace (`ServerSpec.resolvedIn`), the workspace's canonical real path.
 */
export function recordKey(configFile: string, pointer: string, resolvedIn?: string): string {
  return resolvedIn === undefined ? `${configFile}#${pointer}` : `${configFile}#${pointer}#in:${resolvedIn}`;
}

/** An empty, valid store. */
export function emptyStore(): TrustStoreData {
  return { version: 1, records: Object.create(null) as Record<string, TrustRecord> };
}

/** Why a store could not be used. `keptAs` is where the corrupt file was moved, once a write moved it. */
export interface StoreProblem {
  message: string;
  keptAs?: string;
}

/** A read of the store: its data (empty when missing or corrupt) and the problem, if it was corrupt. */
export interface StoreSnapshot {
  data: TrustStoreData;
  problem?: StoreProblem;
}

/** Thrown by {@link TrustStore.update} when the lock could not be taken in time. */
export class StoreLockError extends Error {
  constructor(path: string, cause: unknown) {
    super(`could not lock the trust store ${path}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'StoreLockError';
  }
}

/** Options of {@link TrustStore}. */
export interface TrustStoreOptions {
  logger?: Logger;
  clock?: Clock;
  /** How long {@link TrustStore.update} keeps retrying to take the lock (ms). Default 10,000. */
  lockTimeoutMs?: number;
  /**
   * Age in ms after which a lock left behind (its holder was killed or hung) is broken. Default 10,000; values
   * below 2,000 are raised to 2,000 (proper-lockfile's minimum). The holder refreshes its lock every
   * `staleMs / 2`, so a live writer is never broken. Shorter values are for tests (the crash-safety suite).
   */
  staleMs?: number;
}

/**
 * The per-user trust store: one JSON file outside every workspace, shared by the extension, the CLI and the
 * guard proxy.
 *
 * - Reads validate the schema (ajv); a file that does not parse or validate is reported as a
 *   {@link StoreProblem} and means "nothing approved". It is never overwritten: the next write first moves it
 *   aside to `<path>.corrupt-<timestamp>`.
 * - Writes take a cross-process lock (`proper-lockfile`, a `<path>.lock` directory, stale after 10 s or `staleMs`), re-read
 *   the file under the lock, apply the change and replace the file atomically (`write-file-atomic`: temp file,
 *   fsync, rename). Two processes approving at once lose nothing; a crash leaves the old or the new file, and
 *   the temp file a killed writer left is removed by the next writer once older than the lock's stale time.
 * - The file is created with mode 0600, its directory with 0700.
 */
export class TrustStore {
  readonly path: string;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly lockTimeoutMs: number;
  private readonly staleMs: number;

  constructor(path: string, options: TrustStoreOptions = {}) {
    this.path = resolve(path);
    this.logger = options.logger ?? nullLogger;
    this.clock = options.clock ?? systemClock;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.staleMs = Math.max(options.staleMs ?? 10_000, 2_000);
  }

  /** Reads the store. Never throws for a missing or corrupt file (see {@link StoreSnapshot}); throws for I/O errors such as EACCES. */
  async read(): Promise<StoreSnapshot> {
    let text: string;
    try {
      const st = await fsp.stat(this.path);
      if (!st.isFile()) return { data: emptyStore(), problem: { message: `${this.path} is not a file` } };
      if (st.size > MAX_STORE_BYTES) {
        return { data: emptyStore(), problem: { message: `${this.path} is ${st.size} bytes, over the ${MAX_STORE_BYTES}-byte cap` } };
      }
      text = await fsp.readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { data: emptyStore() };
      throw e;
    }
    return parseStoreText(text, this.path);
  }

  /**
   * Applies `mutate` to the store under the cross-process lock and writes the result atomically.
   * `mutate` receives the freshly read data (empty if the file was missing or corrupt) and changes it in place.
   * @returns the data as written, and the corrupt file's new name if one had to be moved aside.
   * @throws StoreLockError when the lock is not taken within `lockTimeoutMs`; I/O errors from the write.
   */
  async update(mutate: (data: TrustStoreData) => void | Promise<void>): Promise<StoreSnapshot> {
    await fsp.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    let release: () => Promise<void>;
    try {
      release = await lockPath(this.path, { staleMs: this.staleMs, timeoutMs: this.lockTimeoutMs });
    } catch (e) {
      throw new StoreLockError(this.path, e);
    }
    try {
      const litter = await removeStaleTempFiles(this.path, this.staleMs, this.clock.now());
      if (litter.length) this.logger.info(`removed ${litter.length} temp file(s) left by a killed writer: ${litter.join(', ')}`);
      const snap = await this.read();
      let problem = snap.problem;
      if (problem) {
        const keptAs = `${this.path}.corrupt-${new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
        try {
          await fsp.rename(this.path, keptAs);
          problem = { ...problem, keptAs };
          this.logger.warn(`trust store was corrupt (${problem.message}); kept aside as ${keptAs}`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
      await mutate(snap.data);
      const errors = validateStoreData(snap.data);
      if (errors) throw new Error(`refusing to write an invalid trust store: ${errors}`);
      await writeFileAtomic(this.path, JSON.stringify(snap.data, null, 1) + '\n', { mode: 0o600, fsync: true });
      return { data: snap.data, problem };
    } finally {
      await release();
    }
  }
}

/**
 * Removes the temp files `write-file-atomic` leaves beside `path` (`<name>.<decimal hash>`, its naming) when a
 * writer is killed between creating one and renaming it over `path`. Call it only while holding `path`'s lock:
 * every writer of `path` creates its temp file under that lock, so one last modified over `olderThanMs` ago
 * belongs to a writer that died or outlived its (stale) lock. Other files are never touched.
 *
 * @param olderThanMs minimum age of a removed file (ms; pass the lock's stale time).
 * @returns the names removed. Never throws (an unreadable directory removes nothing).
 */
export async function removeStaleTempFiles(path: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\d{1,10}$/.test(name.slice(prefix.length))) continue;
    const full = join(dir, name);
    try {
      const st = await fsp.lstat(full);
      if (!st.isFile() || now - st.mtimeMs < olderThanMs) continue;
      await fsp.unlink(full);
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

/**
 * Parses and validates trust store text. Never throws: a parse or schema error becomes `problem` with
 * empty data ("nothing approved").
 */
export function parseStoreText(text: string, path = '<store>'): StoreSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { data: emptyStore(), problem: { message: `${path} is not valid JSON: ${(e as Error).message}` } };
  }
  const errors = validateStoreData(value);
  if (errors) return { data: emptyStore(), problem: { message: `${path} does not match the trust store schema: ${errors}` } };
  const data = value as TrustStoreData;
  // Re-home records on a null-prototype object so a key like "__proto__" is an ordinary entry.
  const records = Object.create(null) as Record<string, TrustRecord>;
  for (const [k, v] of Object.entries(data.records)) records[k] = v;
  return { data: { ...data, records } };
}
