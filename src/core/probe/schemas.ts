/**
 * The MCP message schemas of both protocol eras, for the guard proxy's "understand or refuse" rule: every message
 * a server sends is parsed against the schema of the revision it belongs to, and only the parsed value is passed
 * on. The schemas are the SDKs' own zod schemas, so the guard classifies a message exactly as an SDK host does:
 * - the legacy era (revisions up to 2025-11-25, `initialize` handshake): `@modelcontextprotocol/sdk` 1.x;
 * - the modern era (revision 2026-07-28: stateless, `server/discover`, per-request `_meta`,
 *   `subscriptions/listen`): `@modelcontextprotocol/core` 2.x.
 *
 * This directory is the only place of the project that imports the MCP SDKs; this module exposes plain functions
 * over `unknown` values, so its callers never see an SDK type.
 */
import * as modern from '@modelcontextprotocol/core';
import * as legacy from '@modelcontextprotocol/sdk/types.js';
import { fastCallToolResult, fastReadResourceResult } from './fastResult';

/** The first revision of the modern era (MCP spec 2026-07-28). Revisions are ISO dates and compare as strings. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** `_meta` key of a modern-era request naming the revision it is sent under (MCP spec 2026-07-28, "`_meta`"). */
export const PROTOCOL_VERSION_META_KEY = 'io.modelcontextprotocol/protocolVersion';
/** `_meta` key of a modern-era request naming the client (self-reported: `{name, version}`). */
export const CLIENT_INFO_META_KEY = 'io.modelcontextprotocol/clientInfo';
/** `_meta` key of a modern-era request carrying the client's capabilities. */
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
/** `_meta` key of a notification delivered on a `subscriptions/listen` stream: the listen request's id. */
export const SUBSCRIPTION_ID_META_KEY = 'io.modelcontextprotocol/subscriptionId';

/** The two protocol eras. */
export type ProtocolEra = 'legacy' | 'modern';

/** The era a protocol revision belongs to; anything that is not a modern revision string is legacy. */
export function protocolEra(version: unknown): ProtocolEra {
  return typeof version === 'string' && version >= MODERN_PROTOCOL_VERSION ? 'modern' : 'legacy';
}

/**
 * The outcome of a parse: the parsed value (what may be passed on), or one sentence saying why not. `fast`: the
 * value came from the fast path of `fastResult.ts`, so each of its strings is a string of the input or one of the
 * shape's own literals (member names, `"text"`).
 */
export type Parsed = { ok: true; value: Record<string, unknown>; fast?: true } | { ok: false; error: string };

/** The little of zod this module uses (both SDKs' schemas have it). */
interface Schema {
  safeParse(v: unknown): { success: true; data: unknown } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
}

const L = legacy as unknown as Record<string, Schema>;
const M = modern as unknown as Record<string, Schema>;

/**
 * The result schema of each method a host may send a server, per era (MCP spec 2025-11-25 and 2026-07-28,
 * "Schema reference": `ServerResult`). A method not listed has no known result and is not relayed.
 */
function resultSchemas(s: Record<string, Schema>, era: ProtocolEra): Record<string, Schema> {
  const empty = era === 'modern' ? s.ResultSchema : s.EmptyResultSchema;
  const table: Record<string, Schema> = {
    'tools/list': s.ListToolsResultSchema,
    'tools/call': s.CallToolResultSchema,
    'prompts/list': s.ListPromptsResultSchema,
    'prompts/get': s.GetPromptResultSchema,
    'resources/list': s.ListResourcesResultSchema,
    'resources/templates/list': s.ListResourceTemplatesResultSchema,
    'resources/read': s.ReadResourceResultSchema,
    'resources/subscribe': empty,
    'resources/unsubscribe': empty,
    'completion/complete': s.CompleteResultSchema,
    'logging/setLevel': empty,
    ping: empty,
  };
  if (era === 'legacy') {
    table.initialize = s.InitializeResultSchema;
    table['tasks/get'] = s.GetTaskResultSchema;
    table['tasks/result'] = s.GetTaskPayloadResultSchema;
    table['tasks/list'] = s.ListTasksResultSchema;
    table['tasks/cancel'] = s.CancelTaskResultSchema;
  } else {
    table['server/discover'] = s.DiscoverResultSchema;
    table['subscriptions/listen'] = s.SubscriptionsListenResultSchema;
  }
  for (const [k, v] of Object.entries(table)) if (!v) delete table[k];
  return table;
}

const RESULTS: Record<ProtocolEra, Record<string, Schema>> = { legacy: resultSchemas(L, 'legacy'), modern: resultSchemas(M, 'modern') };
/** A 2.x host probes with `server/discover` before it knows the era; a legacy server may answer it. */
RESULTS.legacy['server/discover'] = M.DiscoverResultSchema;

function explain(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  if (!i) return 'it does not match the schema';
  const at = i.path.length ? `/${i.path.map(String).join('/')}` : 'the message';
  return `${at}: ${i.message}`.slice(0, 300);
}

/** Parses `v` with `schema`. A schema that throws (zod 4 reads `constructor.prototype` of a record) means no parse. */
function run(schema: Schema, v: unknown): Parsed {
  let r: ReturnType<Schema['safeParse']>;
  try {
    r = schema.safeParse(v);
  } catch (e) {
    return { ok: false, error: `the schema check failed on it (${String((e as Error)?.message ?? e).slice(0, 200)})` };
  }
  if (!r.success) return { ok: false, error: explain(r.error) };
  const data = r.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return { ok: false, error: 'it is not an object' };
  return { ok: true, value: data as Record<string, unknown> };
}

/** Whether the guard knows the result of `method` in `era` (so it can check what the server answers). */
export function knowsMethod(era: ProtocolEra, method: string): boolean {
  return Object.prototype.hasOwnProperty.call(RESULTS[era], method);
}

/**
 * Parses the `result` of a response to `method` against the era's result schema. The parsed value is what an SDK
 * host would see (unknown members of strict objects dropped, defaults filled). `tools/call` and `resources/read`
 * results of the common text-only shapes take the fast path of `fastResult.ts`, which returns that same value.
 * @returns `{ok: false}` when it does not parse or the method is unknown in that era.
 */
export function parseResult(era: ProtocolEra, method: string, result: unknown): Parsed {
  const fast = !knowsMethod(era, method) ? undefined : method === 'tools/call' ? fastCallToolResult(result) : method === 'resources/read' ? fastReadResourceResult(result) : undefined;
  if (fast !== undefined) return { ok: true, value: fast, fast: true };
  return parseResultWithSchema(era, method, result);
}

/** {@link parseResult} with the era's zod schema alone (no fast path); what the fast path is checked against. */
export function parseResultWithSchema(era: ProtocolEra, method: string, result: unknown): Parsed {
  const schema = knowsMethod(era, method) ? RESULTS[era][method] : undefined;
  if (!schema) return { ok: false, error: `the result of ${method} is not known in the ${era} protocol` };
  return run(schema, result);
}

/** Parses a JSON-RPC error response (the whole message) against the SDK's strict error envelope. */
export function parseErrorResponse(era: ProtocolEra, msg: unknown): Parsed {
  return run((era === 'modern' ? M : L).JSONRPCErrorResponseSchema, msg);
}

/**
 * Parses a server-to-client request (legacy era: `ping`, `sampling/createMessage`, `elicitation/create`,
 * `roots/list`; MCP spec 2025-11-25 `ServerRequest`) with its JSON-RPC envelope.
 */
export function parseServerRequest(era: ProtocolEra, msg: unknown): Parsed {
  const env = run((era === 'modern' ? M : L).JSONRPCRequestSchema, msg);
  if (!env.ok) return env;
  const body = run((era === 'modern' ? M : L).ServerRequestSchema, { method: env.value.method, ...(msg as { params?: unknown }).params !== undefined ? { params: (msg as { params?: unknown }).params } : {} });
  if (!body.ok) return body;
  return { ok: true, value: { jsonrpc: '2.0', id: env.value.id, ...body.value } };
}

/** Parses a server notification (MCP `ServerNotification` of the era) with its JSON-RPC envelope. */
export function parseServerNotification(era: ProtocolEra, msg: unknown): Parsed {
  const env = run((era === 'modern' ? M : L).JSONRPCNotificationSchema, msg);
  if (!env.ok) return env;
  const m = msg as { method?: unknown; params?: unknown };
  const body = run((era === 'modern' ? M : L).ServerNotificationSchema, { method: m.method, ...(m.params !== undefined ? { params: m.params } : {}) });
  if (!body.ok) return body;
  return { ok: true, value: { jsonrpc: '2.0', ...body.value } };
}
