/**
 * A raw JSON-RPC connection to a remote MCP server for the guard proxy's `run --url` bridge (issue 5): the SDK's
 * streamable HTTP client transport, falling back to the deprecated HTTP+SSE transport when the server refuses
 * the first POST (MCP spec 2025-06-18, "Transports › Streamable HTTP" and "Backwards Compatibility"). Bodies and
 * SSE events are capped with `cappedFetch`. Messages pass through unchanged; no MCP `Client` is involved.
 */
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../ports';
import { cappedFetch } from './httpFetch';

/** A bridge connection: send raw messages, receive raw messages. */
export interface RemoteBridge {
  /** Sends one JSON-RPC message. The first one decides the transport (streamable HTTP, else SSE). */
  send(message: unknown): Promise<void>;
  /** Closes the connection. Idempotent. */
  close(): Promise<void>;
  onmessage?: (message: unknown) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
}

/** Options of {@link connectRemoteBridge}. */
export interface RemoteBridgeOptions {
  /** Cap of one response body / SSE event, in bytes. */
  maxMessageBytes: number;
  logger: Logger;
  /** Request headers (e.g. authorization), sent on every request. */
  headers?: Record<string, string>;
}

/**
 * Prepares a bridge to `url` (http or https only). Nothing is sent until the first {@link RemoteBridge.send}:
 * it goes over streamable HTTP; if that fails (e.g. 404/405 from an SSE-only server), the SSE transport is
 * opened and the same message is sent there. `setProtocolVersion` is applied from the `initialize` result.
 *
 * @throws Error when the URL is not http(s).
 */
export async function connectRemoteBridge(url: string, opts: RemoteBridgeOptions): Promise<RemoteBridge> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`remote server url must be http(s): ${url}`);
  const fetch = cappedFetch(opts.maxMessageBytes, (e) => opts.logger.warn(`remote: ${e.message}`));
  const requestInit: RequestInit = { headers: opts.headers ?? {} };
  let transport: Transport | undefined;
  let closed = false;
  let initId: unknown;
  const bridge: RemoteBridge = {
    async send(message) {
      const m = message as { id?: unknown; method?: unknown };
      if (m.method === 'initialize') initId = m.id;
      if (transport) return transport.send(message as JSONRPCMessage);
      const streamable = wire(new StreamableHTTPClientTransport(u, { requestInit, fetch }));
      try {
        await streamable.start();
        await streamable.send(message as JSONRPCMessage);
        transport = streamable;
        return;
      } catch (e) {
        opts.logger.info(`streamable HTTP to ${url} failed (${(e as Error).message}); trying HTTP+SSE`);
        await streamable.close().catch(() => undefined);
      }
      const sse = wire(new SSEClientTransport(u, { requestInit, fetch, eventSourceInit: { fetch } }));
      await sse.start();
      transport = sse;
      await sse.send(message as JSONRPCMessage);
    },
    async close() {
      if (closed) return;
      closed = true;
      await transport?.close().catch(() => undefined);
    },
  };
  function wire(t: Transport): Transport {
    t.onmessage = (msg) => {
      const r = msg as { id?: unknown; result?: { protocolVersion?: unknown } };
      if (initId !== undefined && r.id === initId && typeof r.result?.protocolVersion === 'string') t.setProtocolVersion?.(r.result.protocolVersion);
      bridge.onmessage?.(msg);
    };
    t.onerror = (e) => bridge.onerror?.(e);
    t.onclose = () => {
      if (t === transport && !closed) bridge.onclose?.();
    };
    return t;
  }
  return bridge;
}
