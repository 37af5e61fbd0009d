/**
 * A client-side MCP stdio transport (MCP spec 2025-06-18, "Transports › stdio": newline-delimited JSON-RPC on
 * the child's stdin/stdout) built for hostile servers: every stdout line is capped while it is still arriving
 * (the SDK's `ReadBuffer` only caps at 10 MiB and concatenates first), a line that is not JSON-RPC is skipped and
 * logged (as SDK hosts skip it), a message over the cap or nested too deep is a fatal error,
 * stderr is kept in a bounded ring buffer, and closing kills the whole process group.
 */
import type { ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../ports';
import { signalTree, spawnTree, treeAlive } from '../process/tree';
import type { ResolvedStdioLaunch } from './launch';

/** Deepest JSON nesting accepted in one message; deeper input would overflow recursive hashing later. */
export const MAX_MESSAGE_DEPTH = 128;

/** Limits of {@link BoundedStdioTransport}. Sizes in bytes, times in milliseconds. */
export interface BoundedStdioOptions {
  maxMessageBytes: number;
  maxStderrBytes: number;
  killGraceMs: number;
  logger: Logger;
}

/** Keeps the last `max` bytes written to it. */
class ByteRing {
  private chunks: Buffer[] = [];
  private size = 0;
  dropped = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    if (chunk.length >= this.max) {
      this.dropped += this.size + chunk.length - this.max;
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.max))];
      this.size = this.max;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max) {
      const first = this.chunks[0];
      const excess = this.size - this.max;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Depth of nested arrays/objects, computed without recursion; stops counting past `limit`. */
function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return false;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns the server (`shell: false`, `detached: true` so it leads its own process group) and speaks
 * newline-delimited JSON-RPC with it. The first protocol violation (line over `maxMessageBytes`, nesting over
 * {@link MAX_MESSAGE_DEPTH}) is stored in {@link fatalError}, reported
 * through `onerror`, and closes the transport. `close()` sends SIGTERM to the process group, SIGKILL after
 * `killGraceMs`, and resolves once the child has been reaped (bounded).
 */
export class BoundedStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  /** The first fatal protocol error, if any. */
  fatalError?: Error;
  /** Exit code/signal once the child exited. */
  exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  private child?: ChildProcess;
  private exited = false;
  private exitPromise?: Promise<void>;
  private closing?: Promise<void>;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly stderrRing: ByteRing;

  constructor(
    private readonly launch: ResolvedStdioLaunch,
    private readonly opts: BoundedStdioOptions,
  ) {
    this.stderrRing = new ByteRing(opts.maxStderrBytes);
  }

  /** Process id of the server, once spawned. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The tail of the server's stderr (UTF-8), with a note when older output was dropped. */
  get stderr(): string {
    const t = this.stderrRing.text();
    return this.stderrRing.dropped ? `[${this.stderrRing.dropped} earlier bytes dropped]\n${t}` : t;
  }

  /**
   * Spawns the server. Rejects when it cannot be started (command not found, not executable, bad cwd). A second
   * call resolves at once (the connection may be tried in the modern era first, then handed to the SDK client).
   */
  start(): Promise<void> {
    if (this.child) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const { command, args, cwd, env } = this.launch;
      let child: ChildProcess;
      try {
        child = spawnTree(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (e) {
        reject(new Error(`cannot start server command ${JSON.stringify(command)}: ${(e as Error).message}`));
        return;
      }
      this.child = child;
      this.exitPromise = new Promise((res) => {
        child.once('exit', (code, signal) => {
          this.exited = true;
          this.exitInfo = { code, signal };
          res();
        });
      });
      child.once('error', (err) => {
        if (child.pid === undefined) {
          this.exited = true;
          reject(new Error(`cannot start server command ${JSON.stringify(command)}: ${err.message}`));
        } else {
          this.onerror?.(err);
        }
      });
      child.once('spawn', () => {
        this.opts.logger.debug(`probe: spawned ${command} (pid ${child.pid})`);
        resolve();
      });
      child.stdin!.on('error', (err) => this.opts.logger.debug(`probe: stdin error: ${err.message}`));
      child.stdout!.on('data', (chunk: Buffer) => this.onStdout(chunk));
      child.stderr!.on('data', (chunk: Buffer) => this.stderrRing.push(chunk));
      child.once('close', () => {
        if (!this.closing) void this.close();
      });
    });
  }

  private fail(message: string): void {
    if (this.fatalError) return;
    this.fatalError = new Error(message);
    this.opts.logger.warn(`probe: ${message}`);
    this.onerror?.(this.fatalError);
    void this.close();
  }

  private onStdout(chunk: Buffer): void {
    if (this.fatalError || this.closing) return;
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (this.pendingBytes + piece.length > this.opts.maxMessageBytes) {
        this.pending = [];
        this.pendingBytes = 0;
        this.fail(`server sent a message larger than ${this.opts.maxMessageBytes} bytes on stdout; it was not read`);
        return;
      }
      if (piece.length) {
        this.pending.push(piece);
        this.pendingBytes += piece.length;
      }
      if (nl === -1) return;
      const line = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
      this.handleLine(line);
      if (this.fatalError) return;
      start = nl + 1;
      if (start === chunk.length) return;
    }
  }

  /** Lines skipped so far (see {@link skip}). */
  skippedLines = 0;

  /**
   * Skips a stdout line that is not a JSON-RPC 2.0 message, as the MCP SDK hosts' stdio transports do (telemetry
   * and banners on stdout are common), and logs the first few.
   */
  private skip(text: string): void {
    this.skippedLines++;
    if (this.skippedLines <= 20) this.opts.logger.warn(`probe: skipped a line on the server's stdout that is not JSON-RPC: ${JSON.stringify(text.slice(0, 120))}`);
  }

  private handleLine(line: Buffer): void {
    let text = line.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.skip(text);
      return;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || (msg as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
      this.skip(text);
      return;
    }
    if (jsonDepthExceeds(msg, MAX_MESSAGE_DEPTH)) {
      this.fail(`server sent a message nested deeper than ${MAX_MESSAGE_DEPTH} levels`);
      return;
    }
    try {
      this.onmessage?.(msg as JSONRPCMessage);
    } catch (e) {
      this.onerror?.(e as Error);
    }
  }

  /** Writes one message as a line to the server's stdin. Rejects when the transport is closed. */
  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.closing || !stdin.writable) {
        reject(new Error('Not connected'));
        return;
      }
      stdin.write(JSON.stringify(message) + '\n', (err) => (err ? reject(err) : resolve()));
    });
  }

  private groupAlive(pid: number): boolean {
    return treeAlive(pid, this.exited);
  }

  private signal(_pid: number, sig: NodeJS.Signals): void {
    if (this.child) signalTree(this.child, sig);
  }

  /**
   * Kills the server's process group (SIGTERM, then SIGKILL after `killGraceMs`) and waits, bounded, until the
   * child is reaped. Idempotent; calls `onclose` once.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const child = this.child;
      const pid = child?.pid;
      if (child && pid !== undefined) {
        child.stdin?.destroy();
        this.signal(pid, 'SIGTERM');
        const deadline = Date.now() + this.opts.killGraceMs;
        await Promise.race([this.exitPromise, sleep(this.opts.killGraceMs)]);
        while (Date.now() < deadline && (!this.exited || this.groupAlive(pid))) await sleep(5);
        if (!this.exited || this.groupAlive(pid)) {
          this.opts.logger.debug(`probe: process group ${pid} ignored SIGTERM; sending SIGKILL`);
          this.signal(pid, 'SIGKILL');
        }
        await Promise.race([this.exitPromise, sleep(2_000)]);
        const until = Date.now() + 2_000;
        while (Date.now() < until && this.groupAlive(pid)) await sleep(5);
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
      this.onclose?.();
    })();
    return this.closing;
  }
}
