/**
 * Probes an MCP server with a real MCP client (the SDK's `Client`) and returns everything it tells the model,
 * raw. MCP spec 2025-06-18: "Lifecycle" (initialize), "Server Features › Tools / Prompts / Resources" (list
 * methods, `nextCursor` pagination, `notifications/…/list_changed`), "Transports" (stdio, streamable HTTP,
 * and the HTTP+SSE fallback of "Backwards Compatibility").
 *
 * This directory is the only place of the project that imports `@modelcontextprotocol/sdk`.
 */
import { homedir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as ModernHttpTransport } from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type JSONRPCMessage, type MessageExtraInfo } from '@modelcontextprotocol/sdk/types.js';
import { nullLogger, type Logger } from '../ports';
import type { ServerSpec } from '../types';
import { diffMetadata, pinMetadata } from '../pins/metadata';
import type { ItemDiff } from '../pins/metadata';
import { cappedFetch } from './httpFetch';
import { defaultClientInfo, resolveLaunch, type ResolvedLaunch } from './launch';
import { tryModern, type ModernConnection } from './modern';
import { BoundedStdioTransport } from './stdioTransport';
import { emptyProbeResult, type ClientInfo, type ListKind, type ProbeOptions, type ProbeResult } from './types';

/** Defaults of {@link ProbeOptions}. */
export const PROBE_DEFAULTS = {
  timeoutMs: 10_000,
  maxItems: 5_000,
  maxResponseBytes: 4 * 1024 * 1024,
  maxStderrBytes: 64 * 1024,
  killGraceMs: 1_000,
} as const;

/** Most pages followed per list, whatever the item count (a server may send empty pages forever). */
export const MAX_PAGES = 1_000;

/** Accepts any JSON value unchanged: results are kept exactly as the server sent them. */
const RawResult = z.unknown();

/** A probe that failed before any list could be read. `stderr` is the tail of the server's stderr. */
export class ProbeError extends Error {
  override name = 'ProbeError';
  constructor(
    message: string,
    readonly stderr = '',
    readonly pid?: number,
  ) {
    super(message);
  }
}

/** Forwards to an SDK or own transport and keeps the raw `initialize` result, which the SDK's schema reshapes. */
class TapTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  initializeResult?: Record<string, unknown>;
  private initId?: string | number;

  constructor(readonly inner: Transport) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion = (version: string): void => this.inner.setProtocolVersion?.(version);

  start(): Promise<void> {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (e) => this.onerror?.(e);
    this.inner.onmessage = (m, extra) => {
      const r = m as { id?: unknown; result?: unknown };
      if (this.initId !== undefined && r.id === this.initId && r.result && typeof r.result === 'object') {
        this.initializeResult = r.result as Record<string, unknown>;
      }
      this.onmessage?.(m, extra);
    };
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const m = message as { method?: unknown; id?: string | number };
    if (m.method === 'initialize' && m.id !== undefined) this.initId = m.id;
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What one round of list requests returned. Items are raw; `error` is set when a required list failed. */
export interface ListSnapshot {
  tools: unknown[];
  prompts: unknown[];
  resources: unknown[];
  resourceTemplates: unknown[];
  truncated: boolean;
  warnings: string[];
  /** Declared lists whose request failed (their items are partial or none). */
  notRead: ListKind[];
  error?: string;
}

/**
 * A live connection to a server after `initialize`. Lets a caller re-list, call a tool and observe
 * `notifications/{tools,prompts,resources}/list_changed` (a mid-session rug pull). Always `close()` it: that
 * kills the server's process tree.
 */
export interface ProbeSession {
  readonly clientInfo: ClientInfo;
  readonly serverInfo?: ProbeResult['serverInfo'];
  readonly protocolVersion?: string;
  readonly capabilities?: unknown;
  readonly instructions?: string;
  /** Process id of a stdio server. */
  readonly pid?: number;
  /** Tail of the server's stderr so far. */
  readonly stderr: string;
  /** Runs every list the server declared (following pagination, capped). Never throws. */
  list(): Promise<ListSnapshot>;
  /** Sends `tools/call` and returns the raw result. Throws on error or after `timeoutMs`. */
  callTool(name: string, args?: Record<string, unknown>): Promise<unknown>;
  /** How many `list_changed` notifications of `kind` arrived so far. */
  listChangedCount(kind: 'tools' | 'prompts' | 'resources'): number;
  /** Resolves true once the count of `kind` exceeds `afterCount` (default: the current count), false after `timeoutMs`. */
  waitForListChanged(kind: 'tools' | 'prompts' | 'resources', timeoutMs: number, afterCount?: number): Promise<boolean>;
  /** Closes the connection and kills the server's process tree (bounded). Idempotent. */
  close(): Promise<void>;
}

interface Settings {
  timeoutMs: number;
  maxItems: number;
  maxResponseBytes: number;
  maxStderrBytes: number;
  killGraceMs: number;
  logger: Logger;
  clientInfo: ClientInfo;
  signal?: AbortSignal;
  protocol: 'auto' | 'legacy';
}

function settings(spec: ServerSpec, opts: ProbeOptions): Settings {
  const pos = (v: number | undefined, d: number): number => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : d);
  return {
    timeoutMs: pos(opts.timeoutMs, PROBE_DEFAULTS.timeoutMs),
    maxItems: pos(opts.maxItems, PROBE_DEFAULTS.maxItems),
    maxResponseBytes: pos(opts.maxResponseBytes, PROBE_DEFAULTS.maxResponseBytes),
    maxStderrBytes: pos(opts.maxStderrBytes, PROBE_DEFAULTS.maxStderrBytes),
    killGraceMs: pos(opts.killGraceMs, PROBE_DEFAULTS.killGraceMs),
    logger: opts.logger ?? nullLogger,
    clientInfo: opts.clientInfo ?? defaultClientInfo(spec.host),
    signal: opts.signal,
    protocol: opts.protocol ?? 'auto',
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const LIST_METHODS: { kind: ListKind; method: string; key: string; capability: 'tools' | 'prompts' | 'resources' }[] = [
  { kind: 'tools', method: 'tools/list', key: 'tools', capability: 'tools' },
  { kind: 'prompts', method: 'prompts/list', key: 'prompts', capability: 'prompts' },
  { kind: 'resources', method: 'resources/list', key: 'resources', capability: 'resources' },
  { kind: 'resourceTemplates', method: 'resources/templates/list', key: 'resourceTemplates', capability: 'resources' },
];

class Session implements ProbeSession {
  private readonly changed = { tools: 0, prompts: 0, resources: 0 };
  private waiters: (() => void)[] = [];
  private closed?: Promise<void>;
  /** A protocol violation seen by an HTTP transport (oversize body); the connection is closed on it. */
  fatal?: Error;

  constructor(
    private readonly client: Client,
    private readonly tap: TapTransport,
    private readonly stdio: BoundedStdioTransport | undefined,
    private readonly s: Settings,
  ) {
    client.fallbackNotificationHandler = async (n) => {
      const m = /^notifications\/(tools|prompts|resources)\/list_changed$/.exec(n.method);
      if (m) {
        this.changed[m[1] as 'tools' | 'prompts' | 'resources']++;
        const w = this.waiters;
        this.waiters = [];
        for (const f of w) f();
      }
    };
  }

  get clientInfo(): ClientInfo {
    return this.s.clientInfo;
  }
  private get init(): Record<string, unknown> {
    return this.tap.initializeResult ?? {};
  }
  get serverInfo(): ProbeResult['serverInfo'] {
    const v = this.init.serverInfo;
    return v && typeof v === 'object' ? (v as ProbeResult['serverInfo']) : undefined;
  }
  get protocolVersion(): string | undefined {
    return typeof this.init.protocolVersion === 'string' ? this.init.protocolVersion : undefined;
  }
  get capabilities(): unknown {
    return this.init.capabilities;
  }
  get instructions(): string | undefined {
    return typeof this.init.instructions === 'string' ? this.init.instructions : undefined;
  }
  get pid(): number | undefined {
    return this.stdio?.pid;
  }
  get stderr(): string {
    return this.stdio?.stderr ?? '';
  }

  /** Turns a request failure into one clear sentence, preferring the transport's own diagnosis. */
  explain(e: unknown, what: string): string {
    if (this.stdio?.fatalError) return this.stdio.fatalError.message;
    if (this.fatal) return this.fatal.message;
    if (this.s.signal?.aborted) {
      const reason: unknown = this.s.signal.reason;
      return `probe aborted during ${what}${reason instanceof Error ? `: ${reason.message}` : ''}`;
    }
    if (e instanceof McpError && e.code === ErrorCode.RequestTimeout) {
      const skipped = this.stdio?.skippedLines ?? 0;
      return `server did not answer ${what} within ${this.s.timeoutMs} ms${skipped ? ` (it wrote ${skipped} line${skipped === 1 ? '' : 's'} that ${skipped === 1 ? 'is' : 'are'} not JSON-RPC on stdout, skipped)` : ''}`;
    }
    if (this.stdio?.exitInfo) {
      const { code, signal } = this.stdio.exitInfo;
      return `server exited (${signal ? `signal ${signal}` : `code ${code}`}) during ${what}`;
    }
    return `${what} failed: ${(e as Error)?.message ?? String(e)}`;
  }

  private async listOne(method: string, key: string, out: unknown[], warnings: string[]): Promise<boolean> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const req = cursor === undefined ? { method } : { method, params: { cursor } };
      const res = (await this.client.request(req as never, RawResult, { timeout: this.s.timeoutMs, signal: this.s.signal })) as Record<
        string,
        unknown
      > | null;
      const items = res && typeof res === 'object' ? res[key] : undefined;
      if (!Array.isArray(items)) throw new Error(`server answered ${method} without a "${key}" array`);
      for (const item of items) {
        if (out.length >= this.s.maxItems) {
          warnings.push(`${method}: more than ${this.s.maxItems} items; the list was cut there (truncated)`);
          return true;
        }
        out.push(item);
      }
      const next = res!.nextCursor;
      if (typeof next !== 'string' || next === '') return false;
      if (seen.has(next)) {
        warnings.push(`${method}: server repeated pagination cursor ${JSON.stringify(next.slice(0, 80))}; stopped`);
        return false;
      }
      seen.add(next);
      cursor = next;
    }
    warnings.push(`${method}: more than ${MAX_PAGES} pages; stopped`);
    return true;
  }

  async list(): Promise<ListSnapshot> {
    const snap: ListSnapshot = { tools: [], prompts: [], resources: [], resourceTemplates: [], truncated: false, warnings: [], notRead: [] };
    const caps = (this.capabilities && typeof this.capabilities === 'object' ? this.capabilities : {}) as Record<string, unknown>;
    const declared = LIST_METHODS.filter((l) => caps[l.capability]);
    // The lists are independent: request them concurrently (each page still bounded by timeoutMs), then
    // report in a fixed order.
    const outcomes = await Promise.all(
      declared.map(async (l) => {
        const warnings: string[] = [];
        try {
          const truncated = await this.listOne(l.method, l.key, snap[l.kind], warnings);
          return { l, warnings, truncated };
        } catch (error) {
          return { l, warnings, truncated: false, error };
        }
      }),
    );
    for (const { l, warnings, truncated, error } of outcomes) {
      snap.warnings.push(...warnings);
      if (truncated) snap.truncated = true;
      if (error === undefined) continue;
      // "method not found" is an answer (the list is empty); any other failure leaves the list not read
      if (!(error instanceof McpError && error.code === ErrorCode.MethodNotFound)) snap.notRead.push(l.kind);
      const transportFailure =
        this.stdio?.fatalError !== undefined ||
        this.fatal !== undefined ||
        this.stdio?.exitInfo !== undefined ||
        this.s.signal?.aborted ||
        !(error instanceof McpError) ||
        error.code === ErrorCode.RequestTimeout ||
        error.code === ErrorCode.ConnectionClosed;
      if (l.kind === 'tools' || transportFailure) {
        snap.error ??= this.explain(error, l.method);
      } else {
        snap.warnings.push(`${l.method} failed although the server declared "${l.capability}" (not probed; its pins are not compared): ${(error as Error).message}`);
      }
    }
    return snap;
  }

  async callTool(name: string, args: Record<string, unknown> = {}): Promise<unknown> {
    try {
      return await this.client.request({ method: 'tools/call', params: { name, arguments: args } }, RawResult, {
        timeout: this.s.timeoutMs,
        signal: this.s.signal,
      });
    } catch (e) {
      throw new Error(this.explain(e, 'tools/call'), { cause: e });
    }
  }

  listChangedCount(kind: 'tools' | 'prompts' | 'resources'): number {
    return this.changed[kind];
  }

  waitForListChanged(kind: 'tools' | 'prompts' | 'resources', timeoutMs: number, afterCount = this.changed[kind]): Promise<boolean> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.changed[kind] > afterCount) {
          clearTimeout(timer);
          resolve(true);
        } else {
          this.waiters.push(check);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      check();
    });
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await withTimeout(this.client.close(), this.s.killGraceMs + 5_000, 'close timed out').catch(() => undefined);
      if (this.stdio) await this.stdio.close();
    })();
    return this.closed;
  }
}

/** The process or connection under a modern session: the probe's stdio transport, or an HTTP one (no process). */
interface ModernCarrier {
  readonly pid?: number;
  readonly stderr: string;
  readonly fatalError?: Error;
  close(): Promise<void>;
}

/** A session in the modern era (2026-07-28), see `modern.ts`. */
class ModernSession implements ProbeSession {
  constructor(
    private readonly conn: ModernConnection,
    private readonly stdio: ModernCarrier,
    private readonly s: Settings,
  ) {}
  get clientInfo(): ClientInfo {
    return this.s.clientInfo;
  }
  get serverInfo(): ProbeResult['serverInfo'] {
    return this.conn.serverInfo;
  }
  get protocolVersion(): string {
    return this.conn.protocolVersion;
  }
  get capabilities(): unknown {
    return this.conn.capabilities;
  }
  get instructions(): string | undefined {
    return this.conn.instructions;
  }
  get pid(): number | undefined {
    return this.stdio.pid;
  }
  get stderr(): string {
    return this.stdio.stderr;
  }
  async list(): Promise<ListSnapshot> {
    const r = await this.conn.list(this.s.maxItems, MAX_PAGES);
    const error = this.stdio.fatalError?.message ?? r.error;
    return { ...r.lists, truncated: r.truncated, warnings: r.warnings, notRead: r.unread, ...(error ? { error } : {}) };
  }
  callTool(name: string, args: Record<string, unknown> = {}): Promise<unknown> {
    return this.conn.request('tools/call', { name, arguments: args });
  }
  listChangedCount(kind: 'tools' | 'prompts' | 'resources'): number {
    return this.conn.listChangedCount(kind);
  }
  waitForListChanged(kind: 'tools' | 'prompts' | 'resources', timeoutMs: number, afterCount?: number): Promise<boolean> {
    return this.conn.waitForListChanged(kind, timeoutMs, afterCount);
  }
  close(): Promise<void> {
    return this.stdio.close();
  }
}

/** Longest wait for a `server/discover` answer before the legacy handshake is tried (ms). */
const DISCOVER_TIMEOUT_MS = 2_000;

/**
 * Opens a modern session over streamable HTTP with the 2.x SDK transport (it sends `MCP-Protocol-Version`,
 * `Mcp-Method` and `Mcp-Name` from each message, MCP spec 2026-07-28 "Transports › Streamable HTTP"): `server/discover`
 * first; when the server does not answer it as a 2026-07-28 server, the connection is closed and undefined returned
 * (the caller opens a legacy one; HTTP holds no process, so nothing is left behind). Bodies are capped as the legacy
 * transport's are; an over-size body ends the session with that error.
 */
async function tryModernHttp(url: URL, headers: Record<string, string>, s: Settings): Promise<ProbeSession | undefined> {
  let fatalError: Error | undefined;
  const fetch = cappedFetch(s.maxResponseBytes, (e) => {
    fatalError ??= e;
    s.logger.warn(`probe: ${e.message}`);
  });
  const transport = new ModernHttpTransport(url, { requestInit: { headers }, fetch });
  const carrier: ModernCarrier = {
    stderr: '',
    get fatalError() {
      return fatalError;
    },
    close: () => transport.close().catch(() => undefined),
  };
  try {
    await transport.start();
    const conn = await tryModern(transport, s.clientInfo, s.timeoutMs, Math.min(s.timeoutMs, DISCOVER_TIMEOUT_MS));
    if (conn) return new ModernSession(conn, carrier, s);
  } catch (e) {
    s.logger.debug(`probe: the 2026-07-28 era over streamable HTTP failed for ${url.href} (${(e as Error).message})`);
  }
  await carrier.close();
  return undefined;
}

async function connect(
  launch: ResolvedLaunch,
  s: Settings,
  makeRemote?: 'http' | 'sse',
): Promise<ProbeSession> {
  let stdio: BoundedStdioTransport | undefined;
  let inner: Transport;
  const holder: { session?: Session } = {};
  let tooLarge: Error | undefined;
  if (launch.transport === 'stdio') {
    stdio = new BoundedStdioTransport(launch, {
      maxMessageBytes: s.maxResponseBytes,
      maxStderrBytes: s.maxStderrBytes,
      killGraceMs: s.killGraceMs,
      logger: s.logger,
    });
    inner = stdio;
    if (s.protocol !== 'legacy') {
      try {
        await stdio.start();
        const modern = await tryModern(stdio, s.clientInfo, s.timeoutMs, Math.min(s.timeoutMs, DISCOVER_TIMEOUT_MS));
        if (modern) return new ModernSession(modern, stdio, s);
      } catch (e) {
        const stderr = stdio.stderr;
        await stdio.close();
        throw new ProbeError((e as Error).message, stderr, stdio.pid);
      }
      if (stdio.exitInfo || stdio.fatalError) {
        // It did not survive a request it did not know: start it afresh for the legacy handshake.
        await stdio.close();
        stdio = new BoundedStdioTransport(launch, { maxMessageBytes: s.maxResponseBytes, maxStderrBytes: s.maxStderrBytes, killGraceMs: s.killGraceMs, logger: s.logger });
        inner = stdio;
      }
    }
  } else {
    const url = new URL(launch.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProbeError(`server url must be http(s): ${launch.url}`);
    if (makeRemote === 'http' && s.protocol !== 'legacy') {
      const modern = await tryModernHttp(url, launch.headers, s);
      if (modern) return modern;
    }
    const fetch = cappedFetch(s.maxResponseBytes, (e) => {
      if (tooLarge) return;
      tooLarge = e;
      s.logger.warn(`probe: ${e.message}`);
      if (holder.session) {
        holder.session.fatal = e;
        void holder.session.close();
      }
    });
    const requestInit: RequestInit = { headers: launch.headers };
    inner =
      makeRemote === 'sse'
        ? new SSEClientTransport(url, { requestInit, fetch, eventSourceInit: { fetch } })
        : new StreamableHTTPClientTransport(url, { requestInit, fetch });
  }
  const tap = new TapTransport(inner);
  const client = new Client(s.clientInfo, { capabilities: {} });
  client.onerror = (e) => s.logger.debug(`probe: ${e.message}`);
  const session = new Session(client, tap, stdio, s);
  holder.session = session;
  try {
    await withTimeout(
      client.connect(tap, { timeout: s.timeoutMs, signal: s.signal }),
      s.timeoutMs + 1_000,
      `server did not complete initialize within ${s.timeoutMs} ms`,
    );
    if (!tap.initializeResult) throw new Error('server sent no initialize result');
  } catch (e) {
    const message = tooLarge?.message ?? (e instanceof ProbeError ? e.message : session.explain(e, 'initialize'));
    const stderr = session.stderr;
    const pid = session.pid;
    await session.close();
    throw new ProbeError(message, stderr, pid);
  }
  return session;
}

/**
 * Opens a live session: resolves the launch spec, spawns (stdio, `shell: false`, own process group) or
 * connects (streamable HTTP, falling back to HTTP+SSE for `http` servers as the SDK docs' backwards-compatible
 * client does; SSE for `sse` servers), and runs `initialize` presenting `clientInfo`.
 *
 * Only call this for a server whose current launch spec the user approved.
 *
 * @throws ProbeError with one clear sentence when the spec cannot be resolved (`${input:…}`; nothing is
 *   spawned then), the server cannot be started, does not initialize within `timeoutMs`, or breaks the
 *   protocol (oversize or non-JSON-RPC output). The process tree is already gone when it throws.
 */
export async function openProbeSession(spec: ServerSpec, opts: ProbeOptions = {}): Promise<ProbeSession> {
  const s = settings(spec, opts);
  if (s.signal?.aborted) throw new ProbeError('probe aborted before start');
  let launch: ResolvedLaunch;
  try {
    launch = resolveLaunch(spec, {
      env: opts.env ?? process.env,
      workspaceFolder: opts.workspaceFolder ?? spec.workspaceFolder,
      home: opts.home ?? homedir(),
    });
  } catch (e) {
    throw new ProbeError(`launch spec of "${spec.name}" cannot be resolved, nothing was started: ${(e as Error).message}`);
  }
  if (launch.transport === 'http') {
    try {
      return await connect(launch, s, 'http');
    } catch (e) {
      if (s.signal?.aborted) throw e;
      s.logger.info(`probe: streamable HTTP failed for ${launch.url} (${(e as Error).message}); trying HTTP+SSE`);
      try {
        return await connect(launch, s, 'sse');
      } catch (e2) {
        throw new ProbeError(`streamable HTTP: ${(e as Error).message}; HTTP+SSE fallback: ${(e2 as Error).message}`);
      }
    }
  }
  return connect(launch, s, launch.transport === 'sse' ? 'sse' : undefined);
}

/**
 * Probes a server once: initialize, then `tools/list`, `prompts/list`, `resources/list`,
 * `resources/templates/list` (only what the server declared in `capabilities`), each page bounded by
 * `timeoutMs`, each list capped at `maxItems`; then kills the server's process tree. Never throws: failures
 * are `ok: false` with `error`; lists read before a failure are kept.
 *
 * Only call this for a server whose current launch spec the user approved.
 */
export async function probeServer(spec: ServerSpec, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const t0 = performance.now();
  const s = settings(spec, opts);
  const result: ProbeResult = { ...emptyProbeResult(s.clientInfo), ok: false };
  let session: ProbeSession | undefined;
  try {
    session = await openProbeSession(spec, opts);
    result.pid = session.pid;
    result.serverInfo = session.serverInfo;
    result.protocolVersion = session.protocolVersion;
    result.capabilities = session.capabilities;
    result.instructions = session.instructions;
    const snap = await session.list();
    result.tools = snap.tools;
    result.prompts = snap.prompts;
    result.resources = snap.resources;
    result.resourceTemplates = snap.resourceTemplates;
    result.truncated = snap.truncated;
    result.notRead = snap.notRead;
    result.warnings.push(...snap.warnings);
    if (snap.error) result.error = snap.error;
    else result.ok = true;
  } catch (e) {
    result.error = (e as Error).message;
    if (e instanceof ProbeError) {
      result.stderr = e.stderr;
      result.pid = e.pid;
    }
  } finally {
    if (session) {
      await session.close();
      result.stderr = session.stderr;
    }
  }
  result.ms = performance.now() - t0;
  return result;
}

/** What {@link probeTwice} returns. */
export interface BaitAndSwitchReport {
  first: ProbeResult;
  second: ProbeResult;
  /** Items that differ between the two answers (state `new`, `changed` or `removed` relative to `first`). */
  differing: ItemDiff[];
  /** True when both probes succeeded and their answers differ. */
  differs: boolean;
}

/**
 * Probes the server twice, one after the other, first as `opts.clientInfo` (or the host's default) and then as
 * `otherClientInfo`, and reports every tool, prompt, resource, template or instructions that differs: a
 * server that answers differently depending on who asks (bait-and-switch by `clientInfo`). Never throws.
 */
export async function probeTwice(spec: ServerSpec, opts: ProbeOptions, otherClientInfo: ClientInfo): Promise<BaitAndSwitchReport> {
  const first = await probeServer(spec, opts);
  const second = await probeServer(spec, { ...opts, clientInfo: otherClientInfo });
  const differing =
    first.ok && second.ok ? diffMetadata(pinMetadata(first, new Date()), second).items.filter((d) => d.state !== 'pinned') : [];
  return { first, second, differing, differs: differing.length > 0 };
}
