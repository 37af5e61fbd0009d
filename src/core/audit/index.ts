/**
 * The audit trail of one process: every record goes to the per-user JSONL log and, when an OTLP endpoint is
 * configured (by the organization policy's `audit.otlpEndpoint`, else `$OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`), to
 * the collector. {@link AuditTrail.close} waits for the JSONL file and at most `boundMs` for the collector.
 */
import { dirname, join } from 'node:path';
import type { PolicySet } from '../policy/types';
import type { HostId } from '../types';
import type { ServerReport } from '../scan/evaluate';
import { JsonlAuditLog, type JsonlAuditLogOptions } from './jsonl';
import type { OtlpAuditExport } from './otlp';
import { redactRecord, whoAmI, type AuditActor, type AuditInput, type AuditRecord } from './record';

export * from './record';
export { JsonlAuditLog } from './jsonl';
export type { OtlpAuditExport } from './otlp';

/** Standard OpenTelemetry variable naming the OTLP/HTTP logs endpoint. */
export const OTLP_LOGS_ENV = 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT';

/**
 * Longest wait for the collector when a command ends, ms; also the time limit of one OTLP request. A collector
 * that is down or hung costs a CLI command at most this; what it did not take is counted as dropped and is in
 * the JSONL log.
 */
export const AUDIT_FLUSH_BOUND_MS = 500;

/** The audit log beside a trust store: `<store folder>/audit.jsonl` (per user, outside every workspace). */
export function auditLogPath(storePath: string): string {
  return join(dirname(storePath), 'audit.jsonl');
}

/** The OTLP endpoint in force: the policy's, else `$OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, else none. */
export function otlpEndpointOf(policy: PolicySet | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const fromPolicy = policy?.sources.find((s) => s.policy.audit?.otlpEndpoint)?.policy.audit?.otlpEndpoint;
  const fromEnv = env[OTLP_LOGS_ENV];
  return fromPolicy ?? (fromEnv && /^https?:\/\//.test(fromEnv) ? fromEnv : undefined);
}

/** Options of {@link AuditTrail}. */
export interface AuditTrailOptions extends JsonlAuditLogOptions {
  actor: AuditActor;
  /** The JSONL file (see {@link auditLogPath}). */
  logPath: string;
  otlpEndpoint?: string;
  /** Time limit of one OTLP request, ms (default {@link AUDIT_FLUSH_BOUND_MS}). */
  otlpTimeoutMs?: number;
  version: string;
  clock?: () => number;
}

/** What {@link AuditTrail.close} reports. */
export interface AuditSummary {
  written: number;
  /** JSONL records that could not be written. */
  failed: number;
  /** OTLP records the collector did not acknowledge (0 without OTLP). */
  dropped: number;
}

/**
 * One process's audit trail. `record` never throws and never waits. The OpenTelemetry SDK is loaded only when
 * an endpoint is configured (a dynamic import), so a guard without a collector does not pay for it.
 */
export class AuditTrail {
  private readonly log: JsonlAuditLog;
  private readonly otlp: Promise<OtlpAuditExport | undefined>;
  private readonly who = whoAmI();
  private written = 0;
  private emitted = 0;

  constructor(private readonly opts: AuditTrailOptions) {
    this.log = new JsonlAuditLog(opts.logPath, opts);
    const endpoint = opts.otlpEndpoint;
    this.otlp = endpoint
      ? import('./otlp').then(
          (m) => new m.OtlpAuditExport({ endpoint, timeoutMs: opts.otlpTimeoutMs ?? AUDIT_FLUSH_BOUND_MS, machine: this.who.machine, version: opts.version }),
          () => undefined,
        )
      : Promise.resolve(undefined);
  }

  /** Records one event (masked, capped), to the JSONL log and the collector. */
  record(input: AuditInput): void {
    const now = this.opts.clock?.() ?? Date.now();
    const r: AuditRecord = redactRecord({ time: new Date(now).toISOString(), ...this.who, actor: this.opts.actor, ...input });
    this.written++;
    this.log.append(r);
    this.emitted++;
    void this.otlp.then((o) => {
      try {
        o?.emit(r);
      } catch {
        // the exporter's problem: counted as dropped below; the JSONL log has the record
      }
    });
  }

  /** Waits for the JSONL writes, and at most `boundMs` for the collector. Never rejects. */
  async close(boundMs = AUDIT_FLUSH_BOUND_MS): Promise<AuditSummary> {
    await this.log.flushed();
    const otlp = await this.otlp;
    if (otlp) await otlp.shutdown(boundMs);
    const dropped = otlp ? otlp.dropped : this.opts.otlpEndpoint ? this.emitted : 0;
    return { written: this.written, failed: this.log.failed, dropped };
  }
}

/** The "what" of a server: host, config file, name, transport, fingerprint. */
export function serverFields(s: ServerReport): Pick<AuditInput, 'host' | 'configFile' | 'server' | 'transport' | 'fingerprint'> {
  return { host: s.spec.host, configFile: s.spec.configFile, server: s.spec.name, transport: s.spec.transport, fingerprint: s.fingerprint.fingerprint };
}

/**
 * The record a server's verdict stands for: a policy verdict (`server.blocked` by the policy lever, or
 * `policy.applied` for an approval), else a server that is new (`server.discovered`), changed
 * (`server.changed`, naming the changed members) or denied by the user (`server.blocked`, lever `user`).
 * An approved server the user decided on is no event (undefined). Pure.
 */
export function serverAuditRecord(s: ServerReport): AuditInput | undefined {
  const base = serverFields(s);
  if (s.policy?.outcome === 'denied') {
    return { ...base, event: 'server.blocked', outcome: 'blocked', lever: 'policy', rule: s.policy.rule, policyFile: s.policy.file, reason: s.policy.message };
  }
  if (s.policy?.outcome === 'approved') {
    return { ...base, event: 'policy.applied', outcome: 'approved', lever: 'policy', rule: s.policy.rule, policyFile: s.policy.file, reason: s.policy.message };
  }
  if (s.state === 'new') return { ...base, event: 'server.discovered', outcome: 'new', reason: 'no decision on record' };
  if (s.state === 'changed') {
    return { ...base, event: 'server.changed', outcome: 'changed', reason: `changed since approval: ${s.changes.map((c) => c.pointer).slice(0, 20).join(', ')}` };
  }
  if (s.state === 'denied') return { ...base, event: 'server.blocked', outcome: 'blocked', lever: 'user', reason: `denied by the user on ${s.record?.decidedAt ?? '?'}` };
  return undefined;
}

/** The records of a scan result: {@link serverAuditRecord} of each server that has one. Pure. */
export function scanAuditRecords(servers: readonly ServerReport[]): AuditInput[] {
  return servers.map(serverAuditRecord).filter((r): r is AuditInput => r !== undefined);
}

/** An entry moved out of its file's servers by Block (`mcpTrustGuard.quarantine`). */
export interface QuarantinedRef {
  configFile: string;
  pointer: string;
  name: string;
  host: HostId;
}

const QUARANTINED = 'quarantined';

/**
 * For a long-running entry point (the extension) that re-evaluates often: records only what moved. Each call
 * gets the servers now (and the quarantined entries); a server whose verdict (state, fingerprint, policy rule)
 * differs from the last call's yields its {@link serverAuditRecord}, `server.approved` when it became approved
 * by the user, `server.restored` when it came back from quarantine; an entry that went into quarantine yields
 * `server.blocked` with lever `quarantine`.
 */
export class AuditTransitions {
  private last = new Map<string, string>();

  next(servers: readonly ServerReport[], quarantined: readonly QuarantinedRef[] = []): AuditInput[] {
    const out: AuditInput[] = [];
    const now = new Map<string, string>();
    for (const q of quarantined) {
      const key = `${q.configFile}#${q.pointer}`;
      now.set(key, QUARANTINED);
      const before = this.last.get(key);
      if (before !== undefined && before !== QUARANTINED) {
        out.push({ host: q.host, configFile: q.configFile, server: q.name, event: 'server.blocked', outcome: 'blocked', lever: 'quarantine', reason: `moved into "mcpTrustGuard.quarantine" of ${q.configFile}; no host reads it there` });
      }
    }
    for (const s of servers) {
      const key = `${s.spec.configFile}#${s.spec.pointer}`;
      const verdict = `${s.state}|${s.fingerprint.fingerprint}|${s.policy ? `${s.policy.outcome}:${s.policy.rule}:${s.policy.file}` : ''}`;
      now.set(key, verdict);
      const before = this.last.get(key);
      if (before === verdict) continue;
      const rec = serverAuditRecord(s);
      if (before === QUARANTINED) out.push({ ...serverFields(s), event: 'server.restored', outcome: 'restored', lever: 'quarantine', reason: `restored from quarantine; now ${s.state}` });
      if (rec) out.push(rec);
      else if (before !== undefined && before !== QUARANTINED && s.state === 'approved') out.push({ ...serverFields(s), event: 'server.approved', outcome: 'approved', lever: 'user', reason: 'approved by the user' });
    }
    this.last = now;
    return out;
  }
}
