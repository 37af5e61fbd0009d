/**
 * The audit record: one per decision or event of the guard — who (user, machine, which entry point), what (host,
 * config file, server, fingerprint, item), when, outcome and why (rule, lever, reason). Records never hold an
 * entry's command line, environment or headers; every string is passed through the project's one redaction of
 * free text (`redactText` of `../redact`: token formats, secret-named flags and assignments, URL credentials) and
 * capped.
 */
import { hostname, userInfo } from 'node:os';
import { redactText } from '../redact';
import type { HostId, Transport } from '../types';

/** What happened. */
export type AuditEvent =
  | 'server.discovered'
  | 'server.approved'
  | 'server.denied'
  | 'server.changed'
  | 'server.blocked'
  | 'server.forgotten'
  | 'server.restored'
  | 'launch.refused'
  | 'item.withheld'
  | 'policy.applied';

/** Which lever held a block, strongest first (the organization policy, a host veto, the proxy, the quarantine edit); `user` is a decision in the trust store. */
export type AuditLever = 'policy' | 'host-veto' | 'proxy' | 'quarantine' | 'user';

/** The entry point that wrote the record. */
export type AuditActor = 'cli' | 'extension' | 'proxy';

/** One audit record, as written to the JSONL log (one JSON object per line). */
export interface AuditRecord {
  /** ISO 8601 time. */
  time: string;
  event: AuditEvent;
  /** `approved`, `denied`, `new`, `changed`, `blocked`, `refused`, `withheld`, `forgotten`, `restored`. */
  outcome: string;
  /** The OS user name. */
  user: string;
  /** The machine's host name. */
  machine: string;
  actor: AuditActor;
  /** The MCP host whose config holds the server. */
  host?: HostId;
  configFile?: string;
  server?: string;
  transport?: Transport;
  /** The effective-launch fingerprint (SHA-256 hex). */
  fingerprint?: string;
  /** A tool, prompt, resource or template the event is about (`item.withheld`). */
  item?: { kind: string; name: string };
  /** The MCP method the event happened in (`tools/list`, …). */
  method?: string;
  lever?: AuditLever;
  /** The policy rule or check that decided (`deniedMcpServers[0]`, `allowManagedMcpServersOnly`, …). */
  rule?: string;
  policyFile?: string;
  /** Why, in one sentence. */
  reason?: string;
}

/** What a caller gives; time, user, machine and actor are filled in. */
export type AuditInput = Omit<AuditRecord, 'time' | 'user' | 'machine' | 'actor'>;

/** Longest string kept in a record (UTF-16 units). */
export const MAX_AUDIT_STRING = 2000;

function clean(s: string): string {
  const masked = redactText(s.length > MAX_AUDIT_STRING * 2 ? s.slice(0, MAX_AUDIT_STRING * 2) : s);
  return masked.length > MAX_AUDIT_STRING ? masked.slice(0, MAX_AUDIT_STRING) + '…' : masked;
}

/** Every string of `r` (nested too) masked and capped. Pure. */
export function redactRecord<T>(r: T): T {
  if (typeof r === 'string') return clean(r) as T;
  if (Array.isArray(r)) return r.map(redactRecord) as T;
  if (r && typeof r === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (v !== undefined) out[k] = redactRecord(v);
    return out as T;
  }
  return r;
}

/** Who runs this process: OS user name and host name (never throws; `unknown` when the OS will not say). */
export function whoAmI(): { user: string; machine: string } {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { user, machine: hostname() };
}
