/**
 * Shapes of MCP probing. No SDK import here, so the pins module and the entry points can
 * use these types without pulling the MCP SDK in.
 */
import type { Logger } from '../ports';

/** What a client says about itself in `initialize` (MCP spec 2025-06-18, "Lifecycle": `clientInfo`). */
export interface ClientInfo {
  name: string;
  version: string;
}

/** Options of {@link probeServer}. Every limit has a safe default; all times are milliseconds. */
export interface ProbeOptions {
  /** Time limit of connect + `initialize`, and separately of EACH list request (each page). Default 10,000 ms. */
  timeoutMs?: number;
  /** The `clientInfo` sent in `initialize`. Default: what `spec.host` presents (see `defaultClientInfo`). */
  clientInfo?: ClientInfo;
  /** Maximum items kept per list (tools, prompts, …) across all pages. Default 5,000; more sets `truncated`. */
  maxItems?: number;
  /** Maximum size in bytes of one JSON-RPC message (one stdio line, one HTTP body / SSE event). Default 4 MiB. */
  maxResponseBytes?: number;
  /** Size in bytes of the ring buffer that keeps the tail of the server's stderr. Default 64 KiB. */
  maxStderrBytes?: number;
  /** Base environment of a stdio server, as the host has it. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Value of `${workspaceFolder}`; defaults to `spec.workspaceFolder`. */
  workspaceFolder?: string;
  /** Value of `${userHome}`; defaults to `os.homedir()`. */
  home?: string;
  logger?: Logger;
  /** Aborts the probe; the server process tree is killed as on timeout. */
  signal?: AbortSignal;
  /** Grace period in ms between SIGTERM and SIGKILL of the process group. Default 1,000 ms. */
  killGraceMs?: number;
  /**
   * Which protocol era to speak (stdio servers). `auto` (default): `server/discover` first (MCP 2026-07-28), and
   * the legacy `initialize` handshake when the server does not answer it as a 2026-07-28 server within 2 s (on the
   * same connection, or a fresh one if the server ended). `legacy`: `initialize` only. Remote servers: legacy.
   */
  protocol?: 'auto' | 'legacy';
}

/** The list kinds a server can expose (MCP spec 2025-06-18, "Server Features"). */
export type ListKind = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

/**
 * Everything a server told the client, exactly as it sent it. Items are the raw JSON objects from the wire
 * (no schema stripped or added a field). `ok` is false when the server could not be launched, initialized or
 * listed; lists fetched before the failure are kept.
 */
export interface ProbeResult {
  ok: boolean;
  /** Why the probe failed (`ok: false`), in one sentence. */
  error?: string;
  /** Non-fatal problems: truncated lists, failed optional lists, repeated pagination cursors. */
  warnings: string[];
  /** Wall time of the whole probe in milliseconds, launch to process gone. */
  ms: number;
  /** `serverInfo` from the `initialize` result, raw. */
  serverInfo?: { name: string; version: string; [key: string]: unknown };
  protocolVersion?: string;
  /** `capabilities` from the `initialize` result, raw. */
  capabilities?: unknown;
  instructions?: string;
  tools: unknown[];
  prompts: unknown[];
  resources: unknown[];
  resourceTemplates: unknown[];
  /** True when a list was cut at `maxItems`. */
  truncated: boolean;
  /**
   * Lists the server declared but that could not be read whole (the request failed, or the probe failed before
   * it). Their pins are neither confirmed nor removed: see `diffMetadata`. Absent means every declared list was
   * read, when `ok`; when not `ok` and absent, no list counts as read.
   */
  notRead?: ListKind[];
  /** Tail of the server's stderr (at most `maxStderrBytes`, decoded as UTF-8). Empty for HTTP servers. */
  stderr: string;
  /** The identity the probe presented. */
  clientInfo: ClientInfo;
  /** Process id of the stdio server (for callers that verify it is gone). */
  pid?: number;
}

/**
 * A successful {@link ProbeResult} with empty lists, for callers that build a result from items they hold
 * (the guard proxy's filter, pending reviews) to reuse `pinMetadata`/`diffMetadata`.
 */
export function emptyProbeResult(clientInfo: ClientInfo = { name: 'mcp-trust-guard', version: '0' }): ProbeResult {
  return { ok: true, warnings: [], ms: 0, tools: [], prompts: [], resources: [], resourceTemplates: [], truncated: false, stderr: '', clientInfo };
}
