/**
 * A loopback OTLP/HTTP logs receiver for tests: accepts `POST /v1/logs` with JSON (the encoding of
 * `@opentelemetry/exporter-logs-otlp-http`), answers `{}` with 200, and keeps every log record flattened to
 * `{eventName, body, severityText, attributes, resource}` (string attributes only).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received log record. */
export interface ReceivedLog {
  eventName?: string;
  body?: string;
  severityText?: string;
  attributes: Record<string, string>;
  resource: Record<string, string>;
}

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean };
}

function flat(kvs: KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of kvs ?? []) out[kv.key] = String(kv.value.stringValue ?? kv.value.intValue ?? kv.value.boolValue ?? '');
  return out;
}

/** A started receiver. `waitFor` resolves once `n` records arrived, or rejects after `ms`. */
export interface OtlpReceiver {
  url: string;
  port: number;
  logs: ReceivedLog[];
  waitFor(n: number, ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const logs: ReceivedLog[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/logs') {
        const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: { eventName?: string; body?: { stringValue?: string }; severityText?: string; attributes?: KeyValue[] }[] }[] }[];
        };
        for (const rl of doc.resourceLogs ?? []) {
          const resource = flat(rl.resource?.attributes);
          for (const sl of rl.scopeLogs ?? []) {
            for (const lr of sl.logRecords ?? []) logs.push({ eventName: lr.eventName, body: lr.body?.stringValue, severityText: lr.severityText, attributes: flat(lr.attributes), resource });
          }
        }
        for (const w of waiters.splice(0)) w();
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1/logs`,
    port,
    logs,
    async waitFor(n, ms) {
      const deadline = Date.now() + ms;
      while (logs.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`received ${logs.length} of ${n} log records within ${ms} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
