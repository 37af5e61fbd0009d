/**
 * Probing in the modern protocol era (MCP spec 2026-07-28: stateless, no `initialize`; `server/discover`;
 * every request carries `_meta` with the protocol version, the client's identity and capabilities; list changes
 * arrive on a `subscriptions/listen` stream). Raw JSON-RPC over the probe's own stdio transport or the 2.x SDK's
 * streamable HTTP transport (which adds the `Mcp-Method`/`Mcp-Name` headers from each message), every answer
 * parsed against the 2.x SDK's schemas (`schemas.ts`), items kept exactly as the server sent them.
 *
 * {@link tryModern} opens the session in place: it sends `server/discover` first, and when the server does not
 * answer it as a 2026-07-28 server (an error, anything else, or silence within the time given), the same
 * connection is handed back for the legacy `initialize` handshake (as the 2.x SDK client probes "in place" on
 * custom transports).
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ListKind } from './types';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  MODERN_PROTOCOL_VERSION,
  parseResult,
  PROTOCOL_VERSION_META_KEY,
} from './schemas';
import type { ClientInfo } from './types';

/** What a modern connection uses of its transport: the probe's stdio transport, or the 2.x SDK's streamable HTTP one. */
export interface MessageTransport {
  send(message: JSONRPCMessage): Promise<void>;
  onmessage?: (message: JSONRPCMessage) => void;
}

/** `_meta` key of a result naming the server (MCP spec 2026-07-28, "`_meta`"). */
const SERVER_INFO_META_KEY = 'io.modelcontextprotocol/serverInfo';

const LISTS: { kind: ListKind; method: string; capability: 'tools' | 'prompts' | 'resources' }[] = [
  { kind: 'tools', method: 'tools/list', capability: 'tools' },
  { kind: 'prompts', method: 'prompts/list', capability: 'prompts' },
  { kind: 'resources', method: 'resources/list', capability: 'resources' },
  { kind: 'resourceTemplates', method: 'resources/templates/list', capability: 'resources' },
];

const LIST_CHANGED: Record<string, 'tools' | 'prompts' | 'resources'> = {
  'notifications/tools/list_changed': 'tools',
  'notifications/prompts/list_changed': 'prompts',
  'notifications/resources/list_changed': 'resources',
};

type Msg = { id?: unknown; method?: unknown; result?: unknown; error?: { message?: unknown }; params?: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A modern-era connection: requests with per-request `_meta`, answers checked against the 2.x schemas. */
export class ModernConnection {
  readonly protocolVersion = MODERN_PROTOCOL_VERSION;
  serverInfo?: { name: string; version: string; [key: string]: unknown };
  capabilities?: Record<string, unknown>;
  instructions?: string;
  private seq = 0;
  private readonly waiting = new Map<string, (m: Msg) => void>();
  private readonly changed = { tools: 0, prompts: 0, resources: 0 };
  private waiters: (() => void)[] = [];
  private listening = false;

  constructor(
    readonly transport: MessageTransport,
    private readonly clientInfo: ClientInfo,
    private readonly timeoutMs: number,
  ) {}

  /** Routes one message from the server (installed as the transport's `onmessage`). */
  onMessage(m: Msg): void {
    if (m.method === undefined && (typeof m.id === 'string' || typeof m.id === 'number')) {
      const w = this.waiting.get(String(m.id));
      if (w) {
        this.waiting.delete(String(m.id));
        w(m);
      }
      return;
    }
    if (typeof m.method === 'string' && LIST_CHANGED[m.method]) {
      this.changed[LIST_CHANGED[m.method]]++;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** The `_meta` every request carries (protocol version, the client's identity and capabilities). */
  meta(): Record<string, unknown> {
    return { [PROTOCOL_VERSION_META_KEY]: MODERN_PROTOCOL_VERSION, [CLIENT_INFO_META_KEY]: this.clientInfo, [CLIENT_CAPABILITIES_META_KEY]: {} };
  }

  /** Sends one request; resolves with the raw message answering it. Rejects on timeout or a closed transport. */
  send(method: string, params: Record<string, unknown> = {}, timeoutMs = this.timeoutMs): Promise<Msg> {
    const id = `mtg-${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`server did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.transport.send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: this.meta() } } as JSONRPCMessage).catch((e: unknown) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(e as Error);
      });
    });
  }

  /** Sends a request and returns its result, checked against the 2.x schema of `method`. Throws on an error. */
  async request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const m = await this.send(method, params);
    if (m.error !== undefined) throw new Error(`${method} failed: ${String(isObject(m.error) ? m.error.message : m.error)}`);
    const p = parseResult('modern', method, m.result);
    if (!p.ok) throw new Error(`the server's answer to ${method} does not match the MCP 2026-07-28 schema (${p.error})`);
    return m.result as Record<string, unknown>;
  }

  /** Lists every declared list, following pagination (same caps as the legacy probe). */
  async list(maxItems: number, maxPages: number): Promise<{ lists: Record<ListKind, unknown[]>; truncated: boolean; warnings: string[]; unread: ListKind[]; error?: string }> {
    const lists: Record<ListKind, unknown[]> = { tools: [], prompts: [], resources: [], resourceTemplates: [] };
    const out = { lists, truncated: false, warnings: [] as string[], unread: [] as ListKind[], error: undefined as string | undefined };
    const caps = this.capabilities ?? {};
    for (const l of LISTS.filter((x) => caps[x.capability])) {
      const seen = new Set<string>();
      let cursor: string | undefined;
      try {
        for (let page = 0; ; page++) {
          if (page >= maxPages) {
            out.warnings.push(`${l.method}: more than ${maxPages} pages; stopped`);
            out.truncated = true;
            break;
          }
          const r = await this.request(l.method, cursor === undefined ? {} : { cursor });
          const items = r[l.kind];
          if (!Array.isArray(items)) throw new Error(`server answered ${l.method} without a "${l.kind}" array`);
          for (const it of items) {
            if (lists[l.kind].length >= maxItems) {
              out.warnings.push(`${l.method}: more than ${maxItems} items; the list was cut there (truncated)`);
              out.truncated = true;
              break;
            }
            lists[l.kind].push(it);
          }
          const next = r.nextCursor;
          if (typeof next !== 'string' || next === '' || out.truncated) break;
          if (seen.has(next)) {
            out.warnings.push(`${l.method}: server repeated pagination cursor ${JSON.stringify(next.slice(0, 80))}; stopped`);
            break;
          }
          seen.add(next);
          cursor = next;
        }
      } catch (e) {
        lists[l.kind] = [];
        out.unread.push(l.kind);
        if (l.kind === 'tools') out.error ??= (e as Error).message;
        else out.warnings.push(`${(e as Error).message} (not probed; its pins are not compared)`);
      }
    }
    return out;
  }

  listChangedCount(kind: 'tools' | 'prompts' | 'resources'): number {
    this.listen();
    return this.changed[kind];
  }

  waitForListChanged(kind: 'tools' | 'prompts' | 'resources', timeoutMs: number, afterCount = this.changed[kind]): Promise<boolean> {
    this.listen();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.changed[kind] > afterCount) {
          clearTimeout(timer);
          resolve(true);
        } else this.waiters.push(check);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      check();
    });
  }

  /** Opens one `subscriptions/listen` stream for the list changes (once). */
  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    const id = `mtg-listen`;
    this.waiting.set(id, () => undefined);
    void this.transport
      .send({
        jsonrpc: '2.0',
        id,
        method: 'subscriptions/listen',
        params: { notifications: { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true }, _meta: this.meta() },
      } as JSONRPCMessage)
      .catch(() => undefined);
  }

  /** Adopts a `server/discover` result (already checked). */
  adopt(result: Record<string, unknown>): void {
    this.capabilities = isObject(result.capabilities) ? result.capabilities : {};
    if (typeof result.instructions === 'string') this.instructions = result.instructions;
    const meta = isObject(result._meta) ? result._meta : undefined;
    const info = meta?.[SERVER_INFO_META_KEY];
    if (isObject(info) && typeof info.name === 'string') this.serverInfo = info as { name: string; version: string };
  }
}

/**
 * Sends `server/discover` on a started transport and waits up to `timeoutMs` for the answer.
 * @returns a modern connection when the server answered as a 2026-07-28 server, else undefined (the transport is
 *   left open for the legacy handshake; its `onmessage` is cleared).
 */
export async function tryModern(transport: MessageTransport, clientInfo: ClientInfo, requestTimeoutMs: number, discoverTimeoutMs: number): Promise<ModernConnection | undefined> {
  const conn = new ModernConnection(transport, clientInfo, requestTimeoutMs);
  transport.onmessage = (m) => conn.onMessage(m as Msg);
  let answer: Msg;
  try {
    answer = await conn.send('server/discover', {}, discoverTimeoutMs);
  } catch {
    transport.onmessage = undefined;
    return undefined;
  }
  const p = answer.error === undefined ? parseResult('modern', 'server/discover', answer.result) : undefined;
  const versions = p?.ok ? p.value.supportedVersions : undefined;
  if (!p?.ok || !Array.isArray(versions) || !versions.includes(MODERN_PROTOCOL_VERSION)) {
    transport.onmessage = undefined;
    return undefined;
  }
  conn.adopt(answer.result as Record<string, unknown>);
  return conn;
}
