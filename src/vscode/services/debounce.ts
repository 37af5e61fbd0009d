/**
 * A burst coalescer for file-system events: a burst of changes (a `git pull`, a branch switch) becomes one
 * review. No `vscode` import, so it is unit-tested in plain Node (test/unit/vscode/debounce.test.ts).
 */

/** Options of {@link Debouncer}. Times in milliseconds. */
export interface DebounceOptions {
  /** Quiet time after the last event before the burst is handled. */
  quietMs: number;
  /** Longest time between the first event of a burst and its handling, however long the burst goes on. */
  maxMs: number;
}

/**
 * Collects keys (e.g. file paths) and calls `flush` once with all of them after `quietMs` without a new key,
 * or `maxMs` after the first key of the burst, whichever comes first. `flush` is never called concurrently
 * with itself: keys arriving while it runs go to the next burst. Errors from `flush` go to `onError`.
 */
export class Debouncer<K> {
  private pending = new Set<K>();
  private quietTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private disposed = false;

  constructor(
    private readonly opts: DebounceOptions,
    private readonly flush: (keys: Set<K>) => Promise<void>,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Adds a key to the current burst and (re)arms the timers. */
  add(key: K): void {
    if (this.disposed) return;
    this.pending.add(key);
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.fire(), this.opts.quietMs);
    this.maxTimer ??= setTimeout(() => this.fire(), this.opts.maxMs);
  }

  /** Resolves when no flush is running and nothing is pending (bounded by the caller). */
  async idle(): Promise<void> {
    while (this.running || this.pending.size) {
      await (this.running ?? new Promise((r) => setTimeout(r, this.opts.quietMs)));
    }
  }

  /** Stops the timers; pending keys are dropped. */
  dispose(): void {
    this.disposed = true;
    this.clearTimers();
    this.pending.clear();
  }

  private clearTimers(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.quietTimer = this.maxTimer = undefined;
  }

  private fire(): void {
    this.clearTimers();
    if (this.disposed || !this.pending.size) return;
    if (this.running) {
      // A flush is under way: handle this burst right after it.
      void this.running.then(() => this.fire());
      return;
    }
    const keys = this.pending;
    this.pending = new Set();
    this.running = this.flush(keys)
      .catch((e) => this.onError(e))
      .finally(() => {
        this.running = undefined;
      });
  }
}
