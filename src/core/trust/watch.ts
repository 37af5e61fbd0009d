import { promises as fsp, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileStamp, type Logger } from '../ports';

/** Options of {@link FileWatcher}. */
export interface FileWatcherOptions {
  /** Polling interval in ms (bounded to 100..60,000; default 1,000). */
  pollMs?: number;
  /**
   * Also use `fs.watch` on the file's directory (default true). False polls only: for callers that have an
   * event source of their own (the editor's file watcher) and want this one as the fallback.
   */
  fsWatch?: boolean;
}

/**
 * Watches one file (the trust store, the pending-reviews file) for changes: `fs.watch` on its directory (the
 * file is replaced by an atomic rename, which a watch on the file itself would miss), plus polling of its
 * inode/size/mtime every `pollMs` as a fallback where watching is unavailable or unreliable (network file
 * systems, some containers, remotes). A file created, rewritten, replaced or deleted is a change. `onChange`
 * calls are coalesced (at most one running, one queued) and debounced by 30 ms; a rejection is logged. Timers
 * are unref'd: a watcher never keeps a process alive.
 */
export class FileWatcher {
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private last = '';
  private running = false;
  private again = false;
  private closed = false;

  /**
   * @param path the file to watch (it may not exist yet; its directory should).
   * @param onChange called after a change (see the class doc).
   */
  constructor(
    private readonly path: string,
    private readonly onChange: () => Promise<void>,
    private readonly logger: Logger,
    opts: FileWatcherOptions = {},
  ) {
    const interval = Math.min(60_000, Math.max(100, opts.pollMs ?? 1_000));
    void this.stamp().then((s) => {
      this.last = s;
    });
    if (opts.fsWatch !== false) this.watch();
    this.timer = setInterval(() => void this.poll(), interval);
    this.timer.unref();
  }

  private watch(): void {
    const path = this.path;
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_e, name) => {
        if (!name || name.toString() === basename(path)) this.kick();
      });
      this.watcher.on('error', (e) => {
        this.logger.debug(`watching ${dirname(path)} failed (${e.message}); polling only`);
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (e) {
      this.logger.debug(`cannot watch ${dirname(path)} (${(e as Error).message}); polling only`);
    }
  }

  private async stamp(): Promise<string> {
    try {
      const st = await fsp.stat(this.path);
      return fileStamp(st);
    } catch {
      return 'missing';
    }
  }

  private async poll(): Promise<void> {
    const s = await this.stamp();
    if (s !== this.last) this.kick();
  }

  private kick(): void {
    if (this.closed) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.fire(), 30);
    this.debounce.unref();
  }

  private async fire(): Promise<void> {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      this.last = await this.stamp();
      await this.onChange();
    } catch (e) {
      this.logger.warn(`reacting to a change of ${this.path} failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    }
  }

  /** Stops watching and polling. Idempotent. */
  close(): void {
    this.closed = true;
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
  }
}
