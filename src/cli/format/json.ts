import type { ScanReport, ServerReport } from '../../core/scan';

/**
 * The `scan --json` shape of one server (stable; documented in the README):
 * `{host, alsoReadBy?, scope, configFile, name, pointer, resolvedIn?, line, transport, state, fingerprint, cosmetic, changes,
 * findings, sameAs?, policy?: {outcome, rule, file, message}}` (`alsoReadBy`: the other hosts that launch the entry from
 * the same file; `resolvedIn`: the workspace a user-level entry naming `${workspaceFolder}` was resolved in).
 */
export function serverToJson(s: ServerReport): Record<string, unknown> {
  const out: Record<string, unknown> = {
    host: s.spec.host,
    scope: s.spec.scope,
    configFile: s.spec.configFile,
    name: s.spec.name,
    pointer: s.spec.pointer,
    line: s.spec.range.line,
    transport: s.spec.transport,
    state: s.state,
    fingerprint: s.fingerprint.fingerprint,
    cosmetic: s.cosmetic,
    changes: s.changes,
    findings: s.findings,
    files: s.fingerprint.files.map((f) => ({ ref: f.ref, via: f.via, sha256: f.sha256 })),
  };
  if (s.spec.alsoReadBy?.length) out.alsoReadBy = s.spec.alsoReadBy;
  if (s.spec.resolvedIn !== undefined) out.resolvedIn = s.spec.resolvedIn;
  if (s.sameAs) out.sameAs = s.sameAs;
  if (s.policy) out.policy = s.policy;
  return out;
}

/** The whole `scan --json` document: `{servers, errors, findings}`. */
export function reportToJson(r: ScanReport): Record<string, unknown> {
  return { servers: r.servers.map(serverToJson), errors: r.errors, findings: r.findings };
}
