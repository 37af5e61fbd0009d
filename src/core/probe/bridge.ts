/**
 * A raw JSON-RPC connection to a remote MCP server for the guard proxy's `run --url` bridge: the 2.x SDK's
 * streamable HTTP client transport (`@modelcontextprotocol/client`), which speaks both eras: a request whose `_meta`
 * names a 2026-07-28 protocol version gets its `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` headers from the
 * message itself (MCP spec 2026-07-28, "Transports › Streamable HTTP"), a 2025-11-25 exchange is left as it was
 * (session id, the version from `initialize`). It falls back to the deprecated HTTP+SSE transport (1.x SDK, legacy
 * only) when the server refuses the first POST (MCP spec 2025-06-18, "Backwards Compatibility"). Bodies and SSE
 * events are capped with `cappedFetch`. Messages pass through unchanged; no MCP `Client` is involved.
 */
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../ports';
import { cappedFetch } from './httpFetch';

/** A bridge connection: send raw messages, receive raw messages. */
export interface RemoteBridge {
  /**
   * Sends one JSON-RPC message. The first one decides the transport (streamable HTTP, else SSE); messages sent
   * meanwhile wait for that decision. Messages leave in the order they were sent: each waits until the previous
   * notification or response was accepted, and until the previous request was handed to the transport (its
   * answer arrives later through {@link onmessage}). Rejects when the message could not be delivered (nothing
   * connects, the server refused the POST, the bridge is closed).
   */
  send(message: unknown): Promise<void>;
  /** Closes the connection. Idempotent. {@link onclose} is not called for it. */
  close(): Promise<void>;
  onmessage?: (message: unknown) => void;
  /**
   * Called once when the connection ends on its own: the SSE event stream of an HTTP+SSE session was lost (its
   * session cannot be resumed, so the bridge closes instead of reconnecting into a new, uninitialized session).
   */
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

/** What the bridge uses of a client transport (the 1.x SSE and the 2.x streamable HTTP ones both have it). */
interface Transport {
  start(): Promise<void>;
  send(message: JSONRPCMessage): Promise<void>;
  close(): Promise<void>;
  setProtocolVersion?(version: string): void;
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
}

function isRequest(message: unknown): boolean {
  const m = message as { id?: unknown; method?: unknown } | null;
  return m !== null && typeof m === 'object' && typeof m.method === 'string' && m.id !== undefined && m.id !== null;
}

/**
 * Prepares a bridge to `url` (http or https only). Nothing is sent until the first {@link RemoteBridge.send}:
 * it goes over streamable HTTP; if that fails (e.g. 404/405 from an SSE-only server), the SSE transport is
 * opened and the same message is sent there (when both fail, the send rejects and the next message tries
 * again). `setProtocolVersion` is applied from the `initialize` result.
 *
 * @throws Error when the URL is not http(s).
 */
export async function connectRemoteBridge(url: string, opts: RemoteBridgeOptions): Promise<RemoteBridge> {
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`remote server url must be http(s): ${url}`);
  const fetch = cappedFetch(opts.maxMessageBytes, (e) => opts.logger.warn(`remote: ${e.message}`));
  const requestInit: RequestInit = { headers: opts.headers ?? {} };
  let transport: Transport | undefined;
  /** A transport being tried for the first message, closed with the bridge. */
  let opening: Transport | undefined;
  let closed = false;
  let initId: unknown;
  /** The send the next message waits for (see {@link RemoteBridge.send}). */
  let queue: Promise<void> = Promise.resolve();

  const whenOpen = async (t: Transport): Promise<void> => {
    if (!closed) return;
    await t.close().catch(() => undefined);
    throw new Error('the bridge was closed');
  };

  async function sendNow(message: unknown): Promise<void> {
    if (closed) throw new Error('the bridge is closed');
    const m = message as { id?: unknown; method?: unknown };
    if (m.method === 'initialize') initId = m.id;
    if (transport) return transport.send(message as JSONRPCMessage);
    const streamable = wire(new StreamableHTTPClientTransport(u, { requestInit, fetch }));
    opening = streamable;
    try {
      await streamable.start();
      await streamable.send(message as JSONRPCMessage);
      await whenOpen(streamable);
      transport = streamable;
      return;
    } catch (e) {
      if (closed) throw e;
      opts.logger.info(`streamable HTTP to ${url} failed (${(e as Error).message}); trying HTTP+SSE`);
      await streamable.close().catch(() => undefined);
    } finally {
      opening = undefined;
    }
    const sse = wire(new SSEClientTransport(u, { requestInit, fetch, eventSourceInit: { fetch } }));
    opening = sse;
    try {
      await sse.start();
      await whenOpen(sse);
    } catch (e) {
      await sse.close().catch(() => undefined);
      throw e;
    } finally {
      opening = undefined;
    }
    transport = sse;
    await sse.send(message as JSONRPCMessage);
  }

  const bridge: RemoteBridge = {
    send(message) {
      const sent = queue.then(() => sendNow(message));
      // A request may be answered much later (a long tool call): once the transport is chosen, the next message
      // does not wait for it, but its `sendNow` still starts after this one's (callbacks of `queue` run in order).
      if (!transport || !isRequest(message)) queue = sent.then(noop, noop);
      return sent;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([transport?.close().catch(() => undefined), opening?.close().catch(() => undefined)]);
    },
  };
  function wire(t: Transport): Transport {
    t.onmessage = (msg) => {
      const r = msg as { id?: unknown; result?: { protocolVersion?: unknown } };
      if (initId !== undefined && r.id === initId && typeof r.result?.protocolVersion === 'string') t.setProtocolVersion?.(r.result.protocolVersion);
      bridge.onmessage?.(msg);
    };
    t.onerror = (e) => {
      bridge.onerror?.(e);
      // An error of the event stream of an established HTTP+SSE session: the stream is gone, and with it the session.
      if (e instanceof SseError && t === transport && !closed) {
        opts.logger.warn(`the event stream of ${url} was lost; closing the bridge`);
        // Closed after this error event returns: the EventSource arms its reconnect timer after dispatching it,
        // and only a close after that clears the timer (else it would hold the process for the retry interval).
        void Promise.resolve()
          .then(() => bridge.close())
          .then(() => bridge.onclose?.());
      }
    };
    t.onclose = () => {
      if (t === transport && !closed) {
        closed = true;
        bridge.onclose?.();
      }
    };
    return t;
  }
  return bridge;
}

function noop(): void {}
