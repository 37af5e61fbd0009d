/**
 * A `fetch` wrapper for the SDK's HTTP client transports that caps what a remote server can make the client
 * buffer: a JSON body over the cap, or one Server-Sent Event over the cap (bytes since the last blank line),
 * errors the body stream instead of growing without bound.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/** Error raised into a capped body stream; `probeServer` reports its message. */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

/**
 * Wraps `base` (default global `fetch`) so every response body is capped at `maxBytes`: for
 * `text/event-stream` per event (MCP spec 2025-06-18, "Streamable HTTP"; WHATWG SSE: events end at a blank
 * line), otherwise for the whole body. `onTooLarge` is called once with the error when a cap is hit.
 */
export function cappedFetch(maxBytes: number, onTooLarge: (e: Error) => void, base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const res = await base(url, init);
    if (!res.body) return res;
    const isSse = (res.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream');
    const declared = Number(res.headers.get('content-length'));
    if (!isSse && Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      const e = new ResponseTooLargeError(`server sent an HTTP response of ${declared} bytes, over the ${maxBytes}-byte limit`);
      onTooLarge(e);
      throw e;
    }
    let count = 0;
    let lastWasNewline = false;
    const capped = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          let over = false;
          if (isSse) {
            for (let i = 0; i < chunk.length && !over; i++) {
              const b = chunk[i];
              if (b === 0x0d) continue;
              if (b === 0x0a) {
                if (lastWasNewline) count = 0;
                lastWasNewline = true;
              } else {
                lastWasNewline = false;
              }
              over = ++count > maxBytes;
            }
          } else {
            count += chunk.length;
            over = count > maxBytes;
          }
          if (over) {
            const e = new ResponseTooLargeError(
              `server sent ${isSse ? 'an SSE event' : 'an HTTP response'} larger than ${maxBytes} bytes; it was not read`,
            );
            onTooLarge(e);
            controller.error(e);
            return;
          }
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(capped, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}
