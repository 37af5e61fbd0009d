/**
 * Newline-delimited message framing of the MCP stdio transport (MCP spec 2025-06-18, "Transports › stdio":
 * messages are delimited by newlines and MUST NOT contain embedded newlines), with a size cap enforced while a
 * line is still arriving: an over-size line is dropped as it streams in and reported once, never buffered whole.
 */

/** Default cap of one message, in bytes (4 MiB). */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

const NL = 0x0a;

/**
 * Splits a byte stream into lines (without the `\n`; a trailing `\r` is kept for the caller to ignore). Empty
 * lines are skipped. Feed chunks with {@link push}; complete lines go to `onLine` synchronously, in order. A line
 * that arrived within one chunk is passed as a view of that chunk (no copy); one that spanned chunks is joined once.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  /** True while the bytes of an over-size line are being skipped up to its newline. */
  private skipping = false;

  /**
   * @param maxBytes largest line accepted (bytes, without the newline).
   * @param onLine receives each complete line; it may be a view of the chunk (copy to keep it).
   * @param onOversize called once per dropped line with the number of bytes seen when it was dropped.
   */
  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: Buffer) => void,
    private readonly onOversize: (bytes: number) => void,
  ) {}

  /** Feeds one chunk. */
  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start);
      const end = nl === -1 ? chunk.length : nl;
      if (this.skipping) {
        if (nl === -1) return;
        this.skipping = false;
        start = nl + 1;
        continue;
      }
      const len = end - start;
      if (this.size + len > this.maxBytes) {
        this.onOversize(this.size + len);
        this.parts = [];
        this.size = 0;
        if (nl === -1) {
          this.skipping = true;
          return;
        }
        start = nl + 1;
        continue;
      }
      if (nl === -1) {
        if (len) {
          this.parts.push(Buffer.from(chunk.subarray(start)));
          this.size += len;
        }
        return;
      }
      let line: Buffer;
      if (this.size === 0) line = chunk.subarray(start, nl);
      else {
        line = Buffer.allocUnsafe(this.size + len);
        let at = 0;
        for (const p of this.parts) at += p.copy(line, at);
        chunk.copy(line, at, start, nl);
        this.parts = [];
        this.size = 0;
      }
      start = nl + 1;
      if (line.length && !(line.length === 1 && line[0] === 0x0d)) this.onLine(line);
    }
  }

  /** Bytes of an unfinished line held now (at most the cap). */
  get buffered(): number {
    return this.size;
  }
}
