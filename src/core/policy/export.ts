/**
 * A policy from a team's own approvals: the trust store's decisions as a policy document that an administrator
 * reviews and distributes. Only names, fingerprints and tool-metadata pins are written — never an entry's
 * command line, environment or headers, which may hold secrets.
 */
import type { MetadataPins } from '../pins/metadata';
import type { TrustStoreData } from '../trust/types';
import type { AllowRule, DenyRule, PolicyDocument } from './types';

/**
 * Builds a policy document from a trust store: one `allowedMcpServers` rule per approved server name (with every
 * approved fingerprint of that name and, when one was probed, its tool-metadata pins) and one
 * `deniedMcpServers` rule per denied fingerprint. Deterministic: sorted by name, then fingerprint. Pure.
 */
export function exportPolicy(store: TrustStoreData, opts: { managedOnly?: boolean; requireGuard?: boolean } = {}): PolicyDocument {
  const approved = new Map<string, { fingerprints: Set<string>; metadata?: MetadataPins; where: Set<string> }>();
  const denied = new Map<string, DenyRule>();
  for (const r of Object.values(store.records)) {
    if (r.decision === 'denied') {
      denied.set(r.fingerprint, { fingerprint: r.fingerprint, description: `denied "${r.name}" (${r.host}) on ${r.decidedAt}` });
      continue;
    }
    let a = approved.get(r.name);
    if (!a) approved.set(r.name, (a = { fingerprints: new Set(), where: new Set() }));
    a.fingerprints.add(r.fingerprint);
    a.where.add(r.host);
    if (r.metadata && typeof r.metadata === 'object') a.metadata ??= r.metadata as MetadataPins;
  }
  const allowedMcpServers: AllowRule[] = [...approved.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([name, a]) => ({
      serverName: name,
      fingerprints: [...a.fingerprints].sort(),
      ...(a.metadata ? { metadata: a.metadata } : {}),
      description: `approved for ${[...a.where].sort().join(', ')}`,
    }));
  const deniedMcpServers = [...denied.values()].sort((x, y) => (x.fingerprint! < y.fingerprint! ? -1 : 1));
  return {
    version: 1,
    ...(opts.managedOnly ? { allowManagedMcpServersOnly: true } : {}),
    ...(opts.requireGuard ? { requireGuard: true } : {}),
    allowedMcpServers,
    deniedMcpServers,
  };
}
