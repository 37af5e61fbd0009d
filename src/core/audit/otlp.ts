/**
 * Audit records as OpenTelemetry logs over OTLP/HTTP (`@opentelemetry/sdk-logs` with
 * `@opentelemetry/exporter-logs-otlp-http`, JSON encoding). A collector that is down never blocks or slows the
 * guard: records go into the SDK's bounded batch queue (`maxQueueSize`; past it they are dropped), export runs
 * in the background, and a flush waits at most a given bound. `dropped` counts records that never reached the
 * collector (queue full, export failed, still queued at shutdown).
 *
 * Attribute names follow the OpenTelemetry semantic conventions where one exists (GenAI/MCP registry:
 * `gen_ai.tool.name`, `gen_ai.prompt.name`, `mcp.resource.uri`, `mcp.method.name`; general: `user.name`,
 * `file.path`, `network.transport`; resource: `service.name`, `service.version`, `host.name`); the rest are
 * `mcp_trust_guard.*` (see {@link AUDIT_ATTRIBUTES}).
 */
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { AuditRecord } from './record';

/** The log attribute each audit field is exported as. */
export const AUDIT_ATTRIBUTES = {
  event: 'mcp_trust_guard.event',
  outcome: 'mcp_trust_guard.outcome',
  actor: 'mcp_trust_guard.actor',
  user: 'user.name',
  host: 'mcp_trust_guard.host',
  configFile: 'file.path',
  server: 'mcp_trust_guard.server.name',
  transport: 'network.transport',
  fingerprint: 'mcp_trust_guard.fingerprint',
  method: 'mcp.method.name',
  lever: 'mcp_trust_guard.lever',
  rule: 'mcp_trust_guard.rule',
  policyFile: 'mcp_trust_guard.policy.file',
  reason: 'mcp_trust_guard.reason',
  itemKind: 'mcp_trust_guard.item.kind',
  itemName: 'mcp_trust_guard.item.name',
  tool: 'gen_ai.tool.name',
  prompt: 'gen_ai.prompt.name',
  resource: 'mcp.resource.uri',
} as const;

/** OTLP attributes of one record (see {@link AUDIT_ATTRIBUTES}). Pure. */
export function otlpAttributes(r: AuditRecord): Record<string, string> {
  const a = AUDIT_ATTRIBUTES;
  const out: Record<string, string> = { [a.event]: r.event, [a.outcome]: r.outcome, [a.actor]: r.actor, [a.user]: r.user };
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  put(a.host, r.host);
  put(a.configFile, r.configFile);
  put(a.server, r.server);
  // MCP semantic conventions: `pipe` for stdio, `tcp` for HTTP transports.
  put(a.transport, r.transport === undefined ? undefined : r.transport === 'stdio' ? 'pipe' : 'tcp');
  put(a.fingerprint, r.fingerprint);
  put(a.method, r.method);
  put(a.lever, r.lever);
  put(a.rule, r.rule);
  put(a.policyFile, r.policyFile);
  put(a.reason, r.reason);
  if (r.item) {
    out[a.itemKind] = r.item.kind;
    out[a.itemName] = r.item.name;
    if (r.item.kind === 'tool') out[a.tool] = r.item.name;
    else if (r.item.kind === 'prompt') out[a.prompt] = r.item.name;
    else if (r.item.kind === 'resource') out[a.resource] = r.item.name;
  }
  return out;
}

/** Options of {@link OtlpAuditExport}. */
export interface OtlpAuditOptions {
  /** OTLP/HTTP logs endpoint, e.g. `http://collector:4318/v1/logs`. */
  endpoint: string;
  /** Time limit of one export request, ms (default 1,000). */
  timeoutMs?: number;
  /** Records held while the collector is slow or down (default 2,048). */
  maxQueue?: number;
  /** `host.name` of the resource. */
  machine: string;
  /** `service.version` of the resource. */
  version: string;
}

/** Counts what the wrapped exporter delivered. */
class CountingExporter implements LogRecordExporter {
  delivered = 0;
  constructor(private readonly inner: LogRecordExporter) {}
  export(logs: ReadableLogRecord[], done: Parameters<LogRecordExporter['export']>[1]): void {
    this.inner.export(logs, (res) => {
      if (res.code === 0) this.delivered += logs.length;
      done(res);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function bounded(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => {
        clearTimeout(t);
        resolve();
      },
    );
  });
}

/** Exports audit records as OTLP logs; never throws, never blocks the caller. */
export class OtlpAuditExport {
  private readonly provider: LoggerProvider;
  private readonly counter: CountingExporter;
  private readonly logger;
  private emitted = 0;

  constructor(readonly opts: OtlpAuditOptions) {
    const timeoutMs = opts.timeoutMs ?? 1000;
    this.counter = new CountingExporter(new OTLPLogExporter({ url: opts.endpoint, timeoutMillis: timeoutMs }));
    this.provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'mcp-trust-guard', 'service.version': opts.version, 'host.name': opts.machine }),
      processors: [new BatchLogRecordProcessor({ exporter: this.counter, maxQueueSize: opts.maxQueue ?? 2048, scheduledDelayMillis: 200, exportTimeoutMillis: timeoutMs })],
    });
    this.logger = this.provider.getLogger('mcp-trust-guard.audit');
  }

  /** Queues one record (synchronous, O(1)). */
  emit(r: AuditRecord): void {
    this.emitted++;
    const warn = r.outcome !== 'approved' && r.outcome !== 'new' && r.event !== 'policy.applied';
    this.logger.emit({
      eventName: `mcp_trust_guard.${r.event}`,
      timestamp: new Date(r.time),
      severityNumber: warn ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: warn ? 'WARN' : 'INFO',
      body: `${r.event}${r.server ? ` "${r.server}"` : ''}: ${r.outcome}${r.reason ? ` — ${r.reason}` : ''}`,
      attributes: otlpAttributes(r),
    });
  }

  /** Records given to {@link emit} that the collector has not acknowledged (yet, before shutdown). */
  get dropped(): number {
    return this.emitted - this.counter.delivered;
  }

  /** Records the collector acknowledged. */
  get delivered(): number {
    return this.counter.delivered;
  }

  /** Exports what is queued, waiting at most `boundMs`, then stops. Never rejects. */
  async shutdown(boundMs: number): Promise<void> {
    await bounded(this.provider.forceFlush(), boundMs);
    void this.provider.shutdown().catch(() => undefined);
  }
}
