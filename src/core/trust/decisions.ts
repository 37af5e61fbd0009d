import type { SpecFingerprint } from '../fingerprint/fingerprint';
import type { ServerSpec } from '../types';
import { recordKey, type StoreSnapshot, type TrustStore } from './store';
import type { Decision, TrustRecord } from './types';

/** A server as decided: its spec and the fingerprint the decision binds to. */
export interface DecisionSubject {
  spec: ServerSpec;
  fingerprint: SpecFingerprint;
}

/**
 * Builds the trust record for a decision on `subject` at time `now`. The record keeps the spec as parsed
 * (for later diffs), its duplicate keys, and the referenced-file hashes. `metadata` carries tool pins.
 */
export function buildRecord(subject: DecisionSubject, decision: Decision, now: Date, metadata?: unknown): TrustRecord {
  const { spec, fingerprint: fp } = subject;
  const rec: TrustRecord = {
    configFile: spec.configFile,
    name: spec.name,
    pointer: spec.pointer,
    host: spec.host,
    ...(spec.resolvedIn !== undefined ? { resolvedIn: spec.resolvedIn } : {}),
    decision,
    fingerprint: fp.fingerprint,
    specHash: fp.specHash,
    sourceHash: fp.sourceHash,
    // A JSON round trip gives a plain, detached copy (the parsed entry may use null-prototype objects).
    spec: JSON.parse(JSON.stringify(spec.raw ?? null)) as unknown,
    files: fp.files.map((f) => ({ ...f })),
    decidedAt: now.toISOString(),
  };
  if (spec.duplicateKeys.length) rec.duplicateKeys = JSON.parse(JSON.stringify(spec.duplicateKeys));
  if (fp.command) rec.command = { ...fp.command };
  if (fp.merged) rec.merged = JSON.parse(JSON.stringify(fp.merged)) as Record<string, unknown>;
  if (metadata !== undefined) rec.metadata = metadata;
  return rec;
}

/**
 * Records `decision` for every subject in one locked, atomic store update.
 * Approving keeps existing tool pins when the launch spec is unchanged, unless `metadata` gives new ones.
 * @returns the store snapshot as written.
 * @throws as {@link TrustStore.update}.
 */
export async function recordDecisions(
  store: TrustStore,
  subjects: readonly DecisionSubject[],
  decision: Decision,
  now: Date,
  metadata?: (s: DecisionSubject) => unknown,
): Promise<StoreSnapshot> {
  return store.update((data) => {
    for (const s of subjects) {
      const key = recordKey(s.spec.configFile, s.spec.pointer, s.spec.resolvedIn);
      const prev = data.records[key];
      const pins = metadata?.(s) ?? (prev && prev.fingerprint === s.fingerprint.fingerprint ? prev.metadata : undefined);
      data.records[key] = buildRecord(s, decision, now, decision === 'approved' ? pins : undefined);
    }
  });
}

/**
 * Removes the records of the given (config file, pointer[, workspace]) keys. The servers become `new` again.
 * @returns how many records were removed.
 */
export async function forgetRecords(store: TrustStore, keys: readonly { configFile: string; pointer: string; resolvedIn?: string }[]): Promise<number> {
  let removed = 0;
  await store.update((data) => {
    for (const k of keys) {
      const key = recordKey(k.configFile, k.pointer, k.resolvedIn);
      if (key in data.records) {
        delete data.records[key];
        removed++;
      }
    }
  });
  return removed;
}
