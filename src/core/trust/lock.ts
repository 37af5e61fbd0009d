import lockfile from 'proper-lockfile';

/** Options of {@link lockPath}. */
export interface LockOptions {
  /** How long to keep retrying to take the lock, ms. */
  timeoutMs: number;
  /**
   * Age in ms after which a lock left behind (its holder was killed or hung) is broken; at least 2,000
   * (proper-lockfile's minimum). The holder refreshes its lock every `staleMs / 2`, so a live holder is never broken.
   */
  staleMs: number;
}

/**
 * Takes the cross-process lock of `path` (`proper-lockfile`: a `<path>.lock` directory; `path` itself need not
 * exist). Every writer of the guard's files outside the workspace (trust store, pending reviews, host veto
 * settings, the veto ledger) locks through here, with the same retry policy.
 *
 * @returns the release function.
 * @throws the lock library's error (`ELOCKED`) when the lock is not taken within `timeoutMs`.
 */
export function lockPath(path: string, options: LockOptions): Promise<() => Promise<void>> {
  return lockfile.lock(path, {
    realpath: false,
    stale: Math.max(options.staleMs, 2_000),
    retries: { retries: Math.ceil(options.timeoutMs / 50), factor: 1, minTimeout: 20, maxTimeout: 80, randomize: true },
  });
}
