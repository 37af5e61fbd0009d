/**
 * The message relay of the guard proxy: a fail-closed protocol firewall between the host and one server,
 * newline-delimited JSON-RPC 2.0 (MCP spec 2025-11-25 and 2026-07-28, "Transports › stdio", "Lifecycle",
 * "Server Features"). Transport-agnostic: the caller feeds lines from each side and supplies the two sinks.
 *
 * - **The proxy owns the ids.** Every host request is re-issued to the server under an id of the proxy's own (a
 *   number from one counter) and its response is mapped back to the host's id, exactly as the host sent it. A
 *   server response that answers nothing the proxy sent is dropped and logged, whatever its id looks like
 *   (`"1"` for `1`, `null`, a guessed future id). Server-to-host requests get proxy ids towards the host the
 *   same way, and a host response that answers none of them is dropped.
 * - **Understand or refuse.** Every server message is parsed against the schema of its protocol revision (the
 *   SDKs' schemas, see `src/core/probe/schemas.ts`) and the host gets only the re-serialized parsed value. A
 *   response that does not parse becomes a JSON-RPC error to the host; any other message that does not parse
 *   is dropped and logged. A host request for a method whose result the guard does not know is refused with a
 *   JSON-RPC error and never reaches the server.
 * - **Every pin is enforced** on every path: list results (each page), `initialize` and `server/discover`
 *   (server instructions), `list_changed` notifications of both eras (the proxy re-lists itself, with its own
 *   ids, before forwarding them), and calls: `tools/call`, `prompts/get`, `resources/read` of a withheld item
 *   are answered by the proxy with a JSON-RPC error saying why; the server never sees them.
 * - Both eras: the era of each request is the one it is sent under (`initialize` → legacy; `server/discover` or a
 *   `_meta` protocol version of 2026-07-28 or later → modern), and its response is parsed with that era's schema.
 *
 * What is relayed as it is, checked, or refused (and why) is tabled in README.md, "The guard proxy".
 */
import { setNewest } from '../core/boundedMap';
import type { MetadataPins } from '../core/pins';
import type { Logger } from '../core/ports';
import {
  knowsMethod,
  parseErrorResponse,
  parseResult,
  parseServerNotification,
  parseServerRequest,
  protocolEra,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SUBSCRIPTION_ID_META_KEY,
  type ProtocolEra,
} from '../core/probe/schemas';
import type { ListKind } from '../core/probe/types';
import type { PendingItem } from '../core/trust/pending';
import { RpcError, type RpcMessage } from './blocked';
import { LIST_METHODS, MetadataFilter } from './filter';

/** Most requests tracked at once in each direction; past it the oldest is forgotten (and its answer dropped). */
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

/** The `list_changed` notification of each kind, and the `subscriptions/listen` filter flag that asks for it. */
const LIST_CHANGED: Readonly<Record<string, { kind: 'tools' | 'prompts' | 'resources'; flag: string }>> = {
  'notifications/tools/list_changed': { kind: 'tools', flag: 'toolsListChanged' },
  'notifications/prompts/list_changed': { kind: 'prompts', flag: 'promptsListChanged' },
  'notifications/resources/list_changed': { kind: 'resources', flag: 'resourcesListChanged' },
};

/** Sinks and hooks of a {@link Relay}. */
export interface RelayIo {
  /**
   * Sends one message to the host. The relay built it (only parsed values, see the module doc) and never touches it
   * again; the sink serializes it ({@link frameLine} on stdio). `json`, when given, is `JSON.stringify(message)`
   * already made (see {@link unescapedJson}); a sink may write it instead.
   */
  toHost(message: object, json?: string): void;
  /** Sends one message to the server (as {@link RelayIo.toHost}; the `--url` bridge hands it to its transport as is). */
  toServer(message: object): void;
  /** Called with items newly withheld (not reported before in this session). */
  onWithheld(items: PendingItem[]): void;
  logger: Logger;
}

/** A request the proxy sent the server and waits on. */
interface Outgoing {
  method: string;
  era: ProtocolEra;
  /** The host's id, exactly as it sent it (absent for the proxy's own requests). */
  hostId?: string | number;
  /** For the proxy's own requests: receives the response (a result only once it parsed; its raw form). */
  own?: (m: RpcMessage) => void;
  /** For list requests: the list and whether it is a first page (no cursor). */
  list?: { kind: ListKind; first: boolean };
  /** The host's progress token, if it asked for progress. */
  progressKey?: string;
  /** For `subscriptions/listen`: the notification flags asked for. */
  listen?: Record<string, unknown>;
}

/**
 * One message as a framed line of the stdio transport (JSON + `\n`), as a string: a stream writes a string straight
 * from its UTF-8 encoding, without the extra copy of a Buffer made first.
 */
export function frameLine(m: object): string {
  return `${JSON.stringify(m)}\n`;
}

/**
 * `JSON.stringify(v)` for a parsed JSON value none of whose strings (member names included) needs escaping, as is
 * the case for every string parsed from a line without a backslash (JSON has no other way to write `"`, `\`, a
 * control character or a lone surrogate; invalid UTF-8 decodes to U+FFFD). It skips the escape scan that makes
 * `JSON.stringify` cost about 7 ns per character of a long text. Same output as `JSON.stringify` only under that
 * condition (`test/unit/proxy/relay.test.ts` checks it on generated values).
 */
export function unescapedJson(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += `${i ? ',' : ''}${unescapedJson(v[i])}`;
    return `${out}]`;
  }
  let out = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (x === undefined) continue;
    out += `${first ? '' : ','}"${k}":${unescapedJson(x)}`;
    first = false;
  }
  return `${out}}`;
}

/** A map key that keeps the JSON type of an id or token (`"1"` and `1` differ). */
function idKey(id: unknown): string | undefined {
  return typeof id === 'string' ? `s${id}` : typeof id === 'number' && Number.isFinite(id) ? `n${id}` : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function has(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** Whether `m` is exactly a JSON-RPC result response envelope: `jsonrpc`, `id`, `result` (an object), nothing else. */
function isResultEnvelope(m: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in m) {
    if (!has(m, k)) continue;
    if (k !== 'jsonrpc' && k !== 'id' && k !== 'result') return false;
    n++;
  }
  return n === 3 && m.jsonrpc === '2.0' && isObject(m.result);
}

function metaOf(params: unknown): Record<string, unknown> | undefined {
  return isObject(params) && isObject(params._meta) ? params._meta : undefined;
}

/** See the module doc. One instance per session. */
export class Relay {
  readonly filter: MetadataFilter;
  /** Requests sent to the server, by the proxy's id. */
  private readonly out = new Map<number, Outgoing>();
  /** Open `subscriptions/listen` streams, by the proxy's id (the subscription id the server uses). */
  private readonly listens = new Map<number, Outgoing>();
  /** Host progress tokens of outstanding requests → the proxy's id. */
  private readonly progress = new Map<string, number>();
  /** Server-to-host requests, by the proxy's id towards the host → the server's id. */
  private readonly fromServerReqs = new Map<number, string | number>();
  /** The same, server's id key → the proxy's id (for the server's cancellations). */
  private readonly serverReqIds = new Map<string, number>();
  /** Host id key → the proxy's id (for the host's cancellations). */
  private readonly byHostId = new Map<string, number>();
  private seq = 0;
  /** The session's era, once the host said (`initialize` or a modern request). */
  private era?: ProtocolEra;
  /** `_meta` the host sends on modern requests (protocol version, client info, capabilities): reused for own requests. */
  private modernMeta?: Record<string, unknown>;
  private initialized = false;
  private capabilities: Record<string, unknown> = {};
  private readonly reported = new Set<string>();

  constructor(
    pins: MetadataPins | undefined,
    private readonly io: RelayIo,
  ) {
    this.filter = new MetadataFilter(pins);
  }

  /** Handles one line from the host. */
  fromHost(line: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line.toString('utf8'));
    } catch {
      this.io.logger.warn(`dropped a line from the host that is not JSON: ${JSON.stringify(line.subarray(0, 120).toString('utf8'))}`);
      return;
    }
    if (Array.isArray(msg)) {
      // JSON-RPC batches (MCP 2025-03-26 only): each member is handled, and answered, as its own message.
      for (const m of msg) this.hostMessage(m);
      return;
    }
    this.hostMessage(msg);
  }

  private nextId(): number {
    return ++this.seq;
  }

  private track<K, V>(map: Map<K, V>, k: K, v: V): void {
    setNewest(map, k, v, MAX_TRACKED);
  }

  private refuseHost(id: unknown, code: number, why: string): void {
    this.toHostJson({ jsonrpc: '2.0', id, error: { code, message: `MCP Trust Guard: ${why}` } });
  }

  private hostMessage(msg: unknown): void {
    if (!isObject(msg)) {
      this.io.logger.warn('dropped a JSON value from the host that is not a JSON-RPC message');
      return;
    }
    const method = msg.method;
    const id = msg.id;
    if (typeof method === 'string' && id !== undefined) {
      this.hostRequest(msg, method, id);
      return;
    }
    if (typeof method === 'string') {
      this.hostNotification(msg, method);
      return;
    }
    if (typeof id === 'number' && (has(msg, 'result') || has(msg, 'error'))) {
      const serverId = this.fromServerReqs.get(id);
      if (serverId === undefined) {
        this.io.logger.warn(`dropped a response from the host that answers no request of the server (id ${JSON.stringify(id)})`);
        return;
      }
      this.fromServerReqs.delete(id);
      this.serverReqIds.delete(idKey(serverId)!);
      const body = has(msg, 'error') ? { error: msg.error } : { result: msg.result };
      this.io.toServer({ jsonrpc: '2.0', id: serverId, ...body });
      return;
    }
    this.io.logger.warn('dropped a message from the host that is neither a request, a notification nor an answer to the server');
  }

  private hostRequest(msg: Record<string, unknown>, method: string, id: unknown): void {
    if (typeof id !== 'string' && typeof id !== 'number') {
      this.refuseHost(null, RpcError.InvalidRequest, `a request id must be a string or a number`);
      return;
    }
    const meta = metaOf(msg.params);
    const metaVersion = meta?.[PROTOCOL_VERSION_META_KEY];
    let era: ProtocolEra;
    if (method === 'server/discover' || protocolEra(metaVersion) === 'modern') {
      era = 'modern';
      this.era ??= 'modern';
      if (meta) {
        const keep: Record<string, unknown> = {};
        for (const k of [PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY]) if (has(meta, k)) keep[k] = meta[k];
        this.modernMeta = keep;
      }
    } else if (method === 'initialize') {
      era = 'legacy';
      this.era = 'legacy';
    } else {
      era = this.era ?? 'legacy';
    }
    if (!knowsMethod(era, method)) {
      this.io.logger.warn(`refused ${method.slice(0, 100)}: the guard cannot check what a server answers to it`);
      this.refuseHost(id, RpcError.MethodNotFound, `${method.slice(0, 100)} is not relayed: the guard does not know its result in the ${era} protocol, so it cannot check what the server would answer`);
      return;
    }
    const call = CALL_KIND[method];
    if (call) {
      const target = isObject(msg.params) ? msg.params[call.field] : undefined;
      const why = typeof target === 'string' ? this.filter.check(call.kind, target) : `${method} without a ${call.field}`;
      if (why) {
        this.io.logger.warn(`refused ${method} ${JSON.stringify(target)?.slice(0, 200)}: ${why}`);
        this.refuseHost(id, RpcError.Blocked, `${why}.`);
        return;
      }
    }
    const pid = this.nextId();
    const o: Outgoing = { method, era, hostId: id };
    const listKind = LIST_METHODS[method];
    if (listKind) {
      const cursor = isObject(msg.params) ? msg.params.cursor : undefined;
      o.list = { kind: listKind, first: cursor === undefined || cursor === null };
    }
    const token = meta?.progressToken;
    const tk = idKey(token);
    if (tk !== undefined) {
      o.progressKey = tk;
      this.track(this.progress, tk, pid);
    }
    if (method === 'subscriptions/listen' && isObject(msg.params) && isObject(msg.params.notifications)) {
      o.listen = msg.params.notifications;
      this.track(this.listens, pid, o);
    }
    this.track(this.out, pid, o);
    this.track(this.byHostId, idKey(id)!, pid);
    const fwd: Record<string, unknown> = { jsonrpc: '2.0', id: pid, method };
    if (msg.params !== undefined) fwd.params = msg.params;
    this.io.toServer(fwd);
  }

  private hostNotification(msg: Record<string, unknown>, method: string): void {
    let params = msg.params;
    if (method === 'notifications/cancelled' && isObject(params)) {
      const pid = this.byHostId.get(idKey(params.requestId) ?? '');
      if (pid === undefined) {
        this.io.logger.debug('dropped a cancellation from the host of a request the server does not have');
        return;
      }
      params = { ...params, requestId: pid };
    }
    this.io.toServer({ jsonrpc: '2.0', method, ...(params !== undefined ? { params } : {}) });
  }

  /** Handles one line from the server. A line that is not JSON is skipped and logged, as MCP SDK hosts skip it. */
  fromServer(line: Buffer): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line.toString('utf8'));
    } catch {
      this.io.logger.warn(`skipped a line on the server's stdout that is not JSON-RPC: ${JSON.stringify(line.subarray(0, 120).toString('utf8'))}`);
      return;
    }
    this.fromServerMessage(msg, line.indexOf(0x5c) === -1);
  }

  /**
   * Handles one parsed message from the server. `unescaped`: it was parsed from a line without a backslash, so
   * none of its strings needs escaping (see {@link unescapedJson}).
   */
  fromServerMessage(msg: unknown, unescaped = false): void {
    if (Array.isArray(msg)) {
      // Batches are not part of MCP since 2025-06-18, and never from a server: refused. Requests they answer
      // get an error, so the host is not left waiting.
      this.io.logger.warn(`refused a JSON-RPC batch of ${msg.length} message(s) from the server`);
      for (const m of msg) if (isObject(m) && m.method === undefined) this.failResponse(m.id, 'the server answered in a JSON-RPC batch, which MCP does not allow');
      return;
    }
    if (!isObject(msg)) {
      this.io.logger.warn('skipped a JSON value on the server side that is not a JSON-RPC message');
      return;
    }
    const method = msg.method;
    if (typeof method === 'string') {
      if (msg.id !== undefined) this.serverRequest(msg, method);
      else this.serverNotification(msg, method);
      return;
    }
    if (method !== undefined) {
      this.io.logger.warn('dropped a message from the server whose method is not a string');
      this.failResponse(msg.id, 'the server sent a malformed message');
      return;
    }
    this.serverResponse(msg, unescaped);
  }

  /** Answers the host's request behind proxy id `id` (if any) with an error; a no-op for an unknown id. */
  private failResponse(id: unknown, why: string): void {
    if (typeof id !== 'number') return;
    const o = this.out.get(id);
    if (!o) return;
    this.settle(id, o);
    if (o.own) o.own({ jsonrpc: '2.0', id, error: { code: RpcError.Blocked, message: why } });
    else this.refuseHost(o.hostId, RpcError.Blocked, `the answer of the server to ${o.method} was refused: ${why}`);
  }

  private settle(pid: number, o: Outgoing): void {
    this.out.delete(pid);
    this.listens.delete(pid);
    if (o.hostId !== undefined) this.byHostId.delete(idKey(o.hostId)!);
    if (o.progressKey !== undefined && this.progress.get(o.progressKey) === pid) this.progress.delete(o.progressKey);
  }

  private serverResponse(m: Record<string, unknown>, unescaped: boolean): void {
    const id = m.id;
    const o = typeof id === 'number' ? this.out.get(id) : undefined;
    if (!o) {
      this.io.logger.warn(`dropped a response from the server that answers nothing the guard sent (id ${JSON.stringify(id)?.slice(0, 80)})`);
      return;
    }
    const pid = id as number;
    if (has(m, 'error')) {
      const p = parseErrorResponse(o.era, m);
      if (!p.ok) {
        this.failResponse(pid, `the error response does not parse (${p.error})`);
        return;
      }
      this.settle(pid, o);
      if (o.own) o.own(p.value as RpcMessage);
      else this.toHostJson({ jsonrpc: '2.0', id: o.hostId, error: p.value.error });
      return;
    }
    if (!isResultEnvelope(m)) {
      this.failResponse(pid, 'the response is not a JSON-RPC result envelope (jsonrpc "2.0", id, result object, nothing else)');
      return;
    }
    const p = parseResult(o.era, o.method, m.result);
    if (!p.ok) {
      this.failResponse(pid, `the result does not match the MCP schema of ${o.method} (${p.error})`);
      return;
    }
    this.settle(pid, o);
    if (o.own) {
      o.own(m as RpcMessage);
      return;
    }
    const result = p.value;
    if (o.list) this.rewriteList(result, m.result as Record<string, unknown>, o.list.kind, o.list.first);
    else if (o.method === 'initialize' || o.method === 'server/discover') this.patchHandshake(result, o.method);
    const out = { jsonrpc: '2.0', id: o.hostId, result };
    // A fast-path result holds only the server's strings and the shape's literals: none needs escaping when the
    // line had no backslash. The host id is the host's, so it goes through JSON.stringify.
    if (unescaped && p.fast) this.io.toHost(out, `{"jsonrpc":"2.0","id":${JSON.stringify(o.hostId)},"result":${unescapedJson(result)}}`);
    else this.toHostJson(out);
  }

  private serverRequest(msg: Record<string, unknown>, method: string): void {
    const sid = msg.id;
    const refuse = (why: string): void => {
      this.io.logger.warn(`refused the server's request ${method.slice(0, 100)}: ${why}`);
      if (typeof sid === 'string' || typeof sid === 'number') {
        this.io.toServer({ jsonrpc: '2.0', id: sid, error: { code: RpcError.MethodNotFound, message: `MCP Trust Guard: ${why}` } });
      }
    };
    if (this.era !== 'legacy') {
      refuse(this.era === 'modern' ? 'a server of the 2026-07-28 protocol sends no requests (it asks for input in its results)' : 'the session is not initialized');
      return;
    }
    const p = parseServerRequest('legacy', msg);
    if (!p.ok) {
      refuse(`it does not match the MCP schema (${p.error})`);
      return;
    }
    const hid = this.nextId();
    this.track(this.fromServerReqs, hid, sid as string | number);
    this.track(this.serverReqIds, idKey(sid)!, hid);
    this.toHostJson({ ...p.value, id: hid });
  }

  private serverNotification(msg: Record<string, unknown>, method: string): void {
    const era = this.era ?? 'legacy';
    const p = parseServerNotification(era, msg);
    if (!p.ok) {
      this.io.logger.warn(`dropped a notification from the server that does not match the MCP schema (${method.slice(0, 100)}: ${p.error})`);
      return;
    }
    const n = p.value;
    const params = isObject(n.params) ? n.params : undefined;
    const drop = (why: string): void => this.io.logger.debug(`dropped ${method}: ${why}`);
    // On a modern session, stream notifications name their `subscriptions/listen` request: map it to the host's id.
    const meta = metaOf(params);
    if (meta && has(meta, SUBSCRIPTION_ID_META_KEY)) {
      const subId = meta[SUBSCRIPTION_ID_META_KEY];
      const listen = typeof subId === 'number' ? this.listens.get(subId) : undefined;
      if (!listen) {
        drop('it names no subscription the host opened');
        return;
      }
      n.params = { ...params, _meta: { ...meta, [SUBSCRIPTION_ID_META_KEY]: listen.hostId } };
    }
    switch (method) {
      case 'notifications/progress': {
        const pid = this.progress.get(idKey(params?.progressToken) ?? '');
        if (pid === undefined || !this.out.has(pid)) return drop('its progress token belongs to no outstanding request');
        break;
      }
      case 'notifications/cancelled': {
        const hid = this.serverReqIds.get(idKey(params?.requestId) ?? '');
        if (hid === undefined) return drop('it cancels no request the server sent');
        this.serverReqIds.delete(idKey(params?.requestId)!);
        this.fromServerReqs.delete(hid);
        n.params = { ...params, requestId: hid };
        break;
      }
      case 'notifications/resources/updated': {
        const uri = params?.uri;
        const why = typeof uri === 'string' ? this.filter.check('resources', uri) : 'no uri';
        if (why) return drop(why);
        break;
      }
    }
    const changed = LIST_CHANGED[method];
    if (changed) {
      void this.relist(changed.kind).finally(() => this.toHostJson(n));
      return;
    }
    this.toHostJson(n);
  }

  private toHostJson(m: object): void {
    this.io.toHost(m);
  }

  /** `initialize` (legacy) or `server/discover` (modern): withholds unapproved instructions, declares listChanged. */
  private patchHandshake(result: Record<string, unknown>, method: string): void {
    const text = result.instructions;
    if (text !== undefined) {
      const withheld = this.filter.checkInstructions(typeof text === 'string' ? text : JSON.stringify(text));
      if (withheld) {
        delete result.instructions;
        this.report([withheld]);
      }
    }
    const caps = result.capabilities;
    if (!isObject(caps)) return;
    this.capabilities = caps;
    for (const k of ['tools', 'prompts', 'resources']) {
      if (isObject(caps[k])) (caps[k] as Record<string, unknown>).listChanged = true;
    }
    if (method === 'initialize') this.initialized = true;
  }

  /**
   * Filters one page of a list: the pin decision is made on the items exactly as the server sent them (`raw`, what
   * the pins hash), and the host gets the parsed form of the kept ones.
   */
  private rewriteList(result: Record<string, unknown>, raw: Record<string, unknown>, kind: ListKind, first: boolean): void {
    const rawItems = raw[kind] as unknown[];
    const parsed = result[kind] as unknown[];
    const page = this.filter.filterPage(kind, rawItems, first);
    const keep = new Set(page.keptIndexes);
    result[kind] = parsed.filter((_it, i) => keep.has(i));
    this.report(page.withheld);
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

  /** Sends one request of the proxy's own; resolves with the raw result (undefined on error or timeout). */
  private request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const pid = this.nextId();
    const era = this.era ?? 'legacy';
    const p = era === 'modern' && this.modernMeta ? { ...params, _meta: { ...this.modernMeta } } : params;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.out.delete(pid);
        resolve(undefined);
      }, SELF_LIST_TIMEOUT_MS);
      timer.unref();
      this.track(this.out, pid, {
        method,
        era,
        own: (m) => {
          clearTimeout(timer);
          resolve(isObject(m.result) ? m.result : undefined);
        },
      });
      this.io.toServer({ jsonrpc: '2.0', id: pid, method, ...(Object.keys(p).length ? { params: p } : {}) });
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
          const res = await this.request(method, cursor === undefined ? {} : { cursor });
          if (!res || !Array.isArray(res[k])) return;
          this.report(this.filter.filterPage(k, res[k] as unknown[], page === 0).withheld);
          const next = res.nextCursor;
          if (typeof next !== 'string' || next === '') return;
          cursor = next;
        }
      }),
    );
  }

  /**
   * Replaces the pins (after the trust store changed) or revokes them (`null`: the record was denied, removed, or
   * its fingerprint moved). Forgets what was seen this session and tells the host to list again: legacy sessions
   * get `notifications/{tools,prompts,resources}/list_changed` (those the server declared; tools always), modern
   * ones get them on each open `subscriptions/listen` stream that asked for them.
   */
  setPins(pins: MetadataPins | undefined | null): void {
    this.filter.revoked = pins === null;
    if (pins !== null) this.filter.pins = pins;
    this.filter.forget();
    if (this.era === 'modern') {
      for (const l of this.listens.values()) {
        for (const [method, c] of Object.entries(LIST_CHANGED)) {
          if (l.listen?.[c.flag] === true) this.toHostJson({ jsonrpc: '2.0', method, params: { _meta: { [SUBSCRIPTION_ID_META_KEY]: l.hostId } } });
        }
      }
      return;
    }
    if (!this.initialized) return;
    for (const k of ['tools', 'prompts', 'resources']) {
      if (k === 'tools' || isObject(this.capabilities[k])) this.toHostJson({ jsonrpc: '2.0', method: `notifications/${k}/list_changed` });
    }
  }
}
