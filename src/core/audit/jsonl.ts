/**
 * The per-user audit log: JSON Lines (one record per line) in the trust store's folder, rotated when it would
 * grow past `maxBytes` (`audit.jsonl` → `audit.jsonl.1` → … → `audit.jsonl.<keep>`, the oldest dropped), so it
 * is bounded by `(keep + 1) × maxBytes`. Each record is one `appendFile` (O_APPEND), so writers in several
 * processes interleave whole lines.
 */
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditRecord } from './record';

/** Options of {@link JsonlAuditLog}. */
export interface JsonlAuditLogOptions {
  /** Size at which the log is rotated, bytes (default 8 MiB). */
  maxBytes?: number;
  /** Rotated files kept (default 3). */
  keep?: number;
}

/** Appends audit records to a rotated JSONL file. Writes are serialized; failures are counted, never thrown. */
export class JsonlAuditLog {
  private chain: Promise<void> = Promise.resolve();
  private readonly maxBytes: number;
  private readonly keep: number;
  /** Records that could not be written (disk full, no permission). */
  failed = 0;
  /** The last write error, if any. */
  lastError: string | undefined;

  constructor(
    readonly path: string,
    opts: JsonlAuditLogOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 8 * 1024 * 1024;
    this.keep = Math.max(1, opts.keep ?? 3);
  }

  /** Queues one record; {@link flushed} resolves when it is on disk (or counted as failed). */
  append(record: AuditRecord): void {
    const line = JSON.stringify(record) + '\n';
    this.chain = this.chain.then(() =>
      this.write(line).catch((e: unknown) => {
        this.failed++;
        this.lastError = (e as Error)?.message ?? String(e);
      }),
    );
  }

  /** Resolves when every queued record was written or counted as failed. */
  flushed(): Promise<void> {
    return this.chain;
  }

  private async write(line: string): Promise<void> {
    await fsp.mkdir(dirname(this.path), { recursive: true });
    const size = await fsp.stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes) await this.rotate();
    await fsp.appendFile(this.path, line, { mode: 0o600 });
  }

  private async rotate(): Promise<void> {
    await fsp.rm(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) await fsp.rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => undefined);
    await fsp.rename(this.path, `${this.path}.1`).catch(() => undefined);
  }
}
