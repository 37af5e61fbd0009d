/**
 * The message relay of the guard proxy: newline-delimited JSON-RPC 2.0 between the host and a server
 * (MCP spec 2025-06-18, "Transports › stdio", "Lifecycle", "Server Features"), rewriting what the model would
 * see. Transport-agnostic: the caller feeds lines from each side and supplies the two sinks.
 *
 * - Host requests `tools/list`, `prompts/list`, `resources/list`, `resources/templates/list` are tracked by id;
 *   their responses are filtered by {@link MetadataFilter}: new or changed items are withheld, and a pending
 *   review is recorded (once per item and hash).
 * - `tools/call`, `prompts/get`, `resources/read` of a withheld item are answered by the proxy with a JSON-RPC
 *   error saying why; the server never sees them. Checked requests are forwarded re-serialized, so the server
 *   reads exactly what was checked (no duplicate-key games).
 * - `notifications/{tools,prompts,resources}/list_changed` from the server: the proxy re-lists that kind itself
 *   (its own request ids), records what it withholds, then forwards the notification.
 * - The `initialize` result's capabilities get `listChanged: true` so the host listens for the proxy's own
 *   notifications sent after an approval (see {@link Relay.setPins}).
 * - Lines that are not JSON from the server are dropped and logged (they would break the host).
 */
import { randomUUID } from 'node:crypto';
import type { MetadataPins } from '../core/pins';
import type { Logger } from '../core/ports';
import type { ListKind } from '../core/probe/types';
import type { PendingItem } from '../core/trust/pending';
import { RpcError, type RpcMessage } from './blocked';
import { LIST_METHODS, MetadataFilter } from './filter';

/** Most host list requests tracked at once; the oldest is forgotten first (a host never has that many open). */
const MAX_TRACKED = 10_000;
/** Pages the proxy follows when it re-lists on `list_changed`. */
const MAX_SELF_PAGES = 100;
/** Time limit of each of the proxy's own list requests (ms). */
const SELF_LIST_TIMEOUT_MS = 10_000;

const CALL_KIND: Readonly<Record<string, { kind: 'tools' | 'prompts' | 'resources'; field: 'name' | 'uri' }>> = {
  'tools/call': { kind: 'tools', field: 'name' },
  'prompts/get': { kind: 'prompts', field: 'name' },
  'resources/read': { kind: 'resources', field: 'uri' },
};

/** Sinks and hooks of a {@link Relay}. */
export interface RelayIo {
  /** Writes one framed line (ending in `\n`) to the host. */
  toHost(framed: Buffer): void;
  /** Writes one framed line (ending in `\n`) to the server. */
  toServer(framed: Buffer): void;
  /** Called with items newly withheld (not reported before in this session). */
  onWithheld(items: PendingItem[]): void;
  logger: Logger;
}

const LIST_CHANGED = Buffer.from('list_changed');

/** Whether a line looks like one JSON object: first and last non-blank bytes are `{` and `}`. */
function isObjectLine(line: Buffer): boolean {
  let a = 0;
  let b = line.length - 1;
  while (a <= b && (line[a] === 0x20 || line[a] === 0x09)) a++;
  while (b >= a && (line[b] === 0x20 || line[b] === 0x09 || line[b] === 0x0d)) b--;
  return a < b && line[a] === 0x7b && line[b] === 0x7d;
}

/** One message as a framed line (JSON + `\n`). */
function frame(m: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(m)}\n`);
}

function idKey(id: unknown): string | undefined {
  return typeof id === 'string' ? `s${id}` : typeof id === 'number' ? `n${id}` : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** See the module doc. One instance per session. */
export class Relay {
  readonly filter: MetadataFilter;
  private readonly lists = new Map<string, { kind: ListKind; first: boolean }>();
  private initKey?: string;
  private initialized = false;
  private capabilities: Record<string, unknown> = {};
  private readonly own = new Map<string, (m: RpcMessage) => void>();
  private readonly ownPrefix = `mcp-trust-guard-${randomUUID()}-`;
  private ownSeq = 0;
  private readonly reported = new Set<string>();

  constructor(
    pins: MetadataPins | undefined,
    private readonly io: RelayIo,
  ) {
    this.filter = new MetadataFilter(pins);
  }

  /** Handles one line from the host (`framed`: the same bytes with their newline, forwarded when unchanged). */
  fromHost(line: Buffer, framed: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line.toString('utf8'));
    } catch {
      this.io.toServer(framed);
      return;
    }
    if (Array.isArray(msg)) {
      // JSON-RPC batches (removed in MCP 2025-06-18): each member is checked and forwarded as its own line.
      for (const m of msg) this.hostMessage(m, undefined);
      return;
    }
    this.hostMessage(msg, framed);
  }

  private hostMessage(msg: unknown, raw: Buffer | undefined): void {
    if (isObject(msg) && typeof msg.method === 'string' && msg.id !== undefined && msg.id !== null) {
      const key = idKey(msg.id);
      const method = msg.method;
      const listKind = LIST_METHODS[method];
      if (listKind && key) {
        if (this.lists.size >= MAX_TRACKED) this.lists.delete(this.lists.keys().next().value as string);
        const cursor = isObject(msg.params) ? msg.params.cursor : undefined;
        this.lists.set(key, { kind: listKind, first: cursor === undefined || cursor === null });
      } else if (method === 'initialize' && key) {
        this.initKey = key;
      } else {
        const call = CALL_KIND[method];
        if (call) {
          const target = isObject(msg.params) ? msg.params[call.field] : undefined;
          const why = typeof target === 'string' ? this.filter.check(call.kind, target) : undefined;
          if (why) {
            this.io.logger.warn(`refused ${method} ${JSON.stringify(target).slice(0, 200)}: ${why}`);
            this.toHostJson({ jsonrpc: '2.0', id: msg.id, error: { code: RpcError.Blocked, message: `MCP Trust Guard: ${why}.` } });
            return;
          }
          this.io.toServer(frame(msg));
          return;
        }
      }
    }
    this.io.toServer(raw ?? frame(msg));
  }

  /**
   * Handles one line from the server. Fast path: while no host list request, `initialize` or own request is
   * outstanding, a line that is a JSON object (`{…}`) and does not contain `list_changed` needs no rewriting and
   * is forwarded as is, unparsed (the host parses it anyway).
   */
  fromServer(line: Buffer, framed: Buffer): void {
    if (this.lists.size === 0 && this.own.size === 0 && this.initKey === undefined && isObjectLine(line) && line.indexOf(LIST_CHANGED) === -1) {
      this.io.toHost(framed);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(line.toString('utf8'));
    } catch {
      this.io.logger.warn(`dropped a line from the server that is not JSON: ${JSON.stringify(line.subarray(0, 120).toString('utf8'))}`);
      return;
    }
    if (Array.isArray(msg)) {
      for (const m of msg) this.fromServerMessage(m, undefined);
      return;
    }
    this.fromServerMessage(msg, framed);
  }

  /** Handles one parsed message from the server (`raw` is its framed line, when it came as one). */
  fromServerMessage(msg: unknown, raw: Buffer | undefined): void {
    if (!isObject(msg)) {
      this.io.logger.warn('dropped a JSON value from the server that is not a JSON-RPC message');
      return;
    }
    const m = msg as RpcMessage;
    if (m.method === undefined && m.id !== undefined) {
      const key = idKey(m.id);
      if (key !== undefined) {
        const own = this.own.get(key);
        if (own) {
          this.own.delete(key);
          own(m);
          return;
        }
        const list = this.lists.get(key);
        if (list) {
          this.lists.delete(key);
          this.toHostJson(this.rewriteList(m, list.kind, list.first));
          return;
        }
        if (key === this.initKey) {
          this.initKey = undefined;
          this.patchInitialize(m);
          this.toHostJson(m);
          this.initialized = true;
          return;
        }
      }
    } else if (typeof m.method === 'string') {
      const changed = /^notifications\/(tools|prompts|resources)\/list_changed$/.exec(m.method);
      if (changed) {
        void this.relist(changed[1] as 'tools' | 'prompts' | 'resources').finally(() => this.emit(m, raw));
        return;
      }
    }
    this.emit(m, raw);
  }

  private emit(m: unknown, raw: Buffer | undefined): void {
    if (raw) this.io.toHost(raw);
    else this.toHostJson(m);
  }

  private toHostJson(m: unknown): void {
    this.io.toHost(frame(m));
  }

  private patchInitialize(m: RpcMessage): void {
    if (!isObject(m.result)) return;
    const caps = m.result.capabilities;
    if (!isObject(caps)) return;
    this.capabilities = caps;
    for (const k of ['tools', 'prompts', 'resources']) {
      if (isObject(caps[k])) (caps[k] as Record<string, unknown>).listChanged = true;
    }
  }

  private rewriteList(m: RpcMessage, kind: ListKind, first: boolean): RpcMessage {
    if (!isObject(m.result)) return m;
    const items = m.result[kind];
    if (!Array.isArray(items)) {
      m.result[kind] = [];
      return m;
    }
    const page = this.filter.filterPage(kind, items, first);
    m.result[kind] = page.kept;
    this.report(page.withheld);
    return m;
  }

  private report(items: PendingItem[]): void {
    const fresh = items.filter((i) => {
      const k = `${i.kind}\0${i.key}\0${i.sha256 ?? ''}`;
      if (this.reported.has(k)) return false;
      this.reported.add(k);
      return true;
    });
    if (fresh.length) this.io.onWithheld(fresh);
  }

  /** Sends one request of the proxy's own to the server; resolves with the response, or undefined on timeout. */
  private request(method: string, params?: Record<string, unknown>): Promise<RpcMessage | undefined> {
    const id = this.ownPrefix + ++this.ownSeq;
    const key = idKey(id)!;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.own.delete(key);
        resolve(undefined);
      }, SELF_LIST_TIMEOUT_MS);
      timer.unref();
      this.own.set(key, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.io.toServer(frame({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) }));
    });
  }

  /** Re-lists `kind` (resources: also templates), following pagination, so the filter and pending reviews are current. */
  private async relist(kind: 'tools' | 'prompts' | 'resources'): Promise<void> {
    const kinds: ListKind[] = kind === 'resources' ? ['resources', 'resourceTemplates'] : [kind];
    await Promise.all(
      kinds.map(async (k) => {
        const method = Object.keys(LIST_METHODS).find((mm) => LIST_METHODS[mm] === k)!;
        let cursor: string | undefined;
        for (let page = 0; page < MAX_SELF_PAGES; page++) {
          const res = await this.request(method, cursor === undefined ? undefined : { cursor });
          if (!res || !isObject(res.result) || !Array.isArray(res.result[k])) return;
          this.report(this.filter.filterPage(k, res.result[k] as unknown[], page === 0).withheld);
          const next = res.result.nextCursor;
          if (typeof next !== 'string' || next === '') return;
          cursor = next;
        }
      }),
    );
  }

  /**
   * Replaces the pins (after the trust store changed) or revokes them (`null`: the record was denied, removed, or
   * its fingerprint moved). Forgets what was seen this session and, once the session is initialized, sends
   * `notifications/{tools,prompts,resources}/list_changed` (those the server declared; tools always) so the host
   * lists again.
   */
  setPins(pins: MetadataPins | undefined | null): void {
    this.filter.revoked = pins === null;
    if (pins !== null) this.filter.pins = pins;
    this.filter.forget();
    if (!this.initialized) return;
    for (const k of ['tools', 'prompts', 'resources']) {
      if (k === 'tools' || isObject(this.capabilities[k])) this.toHostJson({ jsonrpc: '2.0', method: `notifications/${k}/list_changed` });
    }
  }
}
