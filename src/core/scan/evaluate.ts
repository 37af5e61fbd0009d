import { isGuarded } from '../edit/guard';
import { guardedForm } from '../edit/guardForm';
import { canonicalHash } from '../fingerprint/canonical';
import type { SpecFingerprint } from '../fingerprint/fingerprint';
import { diffJson, escapePointerToken } from '../pins/jsonDiff';
import type { PolicyVerdict } from '../policy/types';
import { recordKey } from '../trust/store';
import type { TrustRecord, TrustStoreData } from '../trust/types';
import type { Change, Finding, ReferencedFile, ServerSpec } from '../types';

/**
 * A server's state against the trust store:
 * `new` (no decision), `approved` (approved and unchanged — cosmetic edits included unless strict),
 * `changed` (approved, but the fingerprint moved), `denied` (denied by the user).
 */
export type ServerState = 'new' | 'approved' | 'changed' | 'denied';

/** Reference to another server, e.g. the approved one whose spec a new server carries. */
export interface ServerRef {
  configFile: string;
  name: string;
}

/** The verdict on one server. */
export interface ServerReport {
  spec: ServerSpec;
  state: ServerState;
  fingerprint: SpecFingerprint;
  /** True when the canonical spec and files are as approved but the entry's source bytes differ. */
  cosmetic: boolean;
  /**
   * Field-level differences from the approved (or denied) spec. Launch-spec fields have RFC 6901 pointers
   * into the entry (`/command`, `/args/1`); referenced files use the virtual member `/$files/<ref>` with
   * before/after content hashes (`null` = missing); duplicate keys use `/$duplicateKeys`; a source the host merges into the launch
   * (VS Code `inputs`, Claude Code settings `env`, Gemini `.env`, …) uses `/$merged/<source>/…`; the binary a
   * guarded entry's bare command resolves to uses `/$command` (before/after: the absolute paths, `null` = not found).
   */
  changes: Change[];
  findings: Finding[];
  /** The record the state was decided by, if any. */
  record?: TrustRecord;
  /** An approved server elsewhere (other name or file) whose launch spec this entry carries exactly. */
  sameAs?: ServerRef;
  /** The organization policy's verdict, when a policy decided (it overrides the user's decision). */
  policy?: PolicyVerdict;
}

/**
 * Differences between the referenced files of a record and the current ones, as `/$files/<ref>` changes (the
 * file's path is one pointer token). For a manifest whose top-level keys were hashed on both sides, the change
 * names each key whose value moved: `/$files/<ref>/<key>` (before/after: the key's value hash, `null` = absent).
 */
export function diffFiles(before: readonly ReferencedFile[], after: readonly ReferencedFile[]): Change[] {
  const key = (f: ReferencedFile) => `${f.via}\0${f.ref}`;
  const a = new Map(before.map((f) => [key(f), f]));
  const b = new Map(after.map((f) => [key(f), f]));
  const out: Change[] = [];
  for (const [k, f] of a) {
    const g = b.get(k);
    const pointer = `/$files/${escapePointerToken(f.ref)}`;
    if (!g) out.push({ pointer, before: f.sha256 });
    else if (g.sha256 !== f.sha256) {
      const keyed = f.keys && g.keys ? diffKeys(pointer, f.keys, g.keys) : [];
      out.push(...(keyed.length ? keyed : [{ pointer, before: f.sha256, after: g.sha256 }]));
    }
  }
  for (const [k, g] of b) if (!a.has(k)) out.push({ pointer: `/$files/${escapePointerToken(g.ref)}`, after: g.sha256 });
  return out;
}

/**
 * A readable name for a referenced-file change: `file node/lib/util.js`, or `file package.json, key "scripts"` for
 * a manifest key (see {@link diffFiles}); for `/$command`, the binary a guarded entry's command resolves to;
 * undefined for any other pointer. Tokens are unescaped (RFC 6901).
 */
export function fileChangeLabel(pointer: string): string | undefined {
  if (pointer === '/$command') return 'the binary the command after "--" resolves to on PATH';
  const parts = fileChangeParts(pointer);
  if (!parts) return undefined;
  return parts.key !== undefined ? `file ${parts.file}, key ${JSON.stringify(parts.key)}` : `file ${parts.file}`;
}

/**
 * The parts of a referenced-file pointer `/$files/<file>[/<manifest key>]` (tokens unescaped, RFC 6901): the
 * file as pinned (workspace-relative or absolute) and, for a manifest key change, the key; undefined for any
 * other pointer.
 */
export function fileChangeParts(pointer: string): { file: string; key?: string } | undefined {
  if (!pointer.startsWith('/$files/')) return undefined;
  const [file, ...key] = pointer.slice('/$files/'.length).split('/').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  return key.length ? { file: file!, key: key.join('/') } : { file: file! };
}

function diffKeys(pointer: string, before: Record<string, string>, after: Record<string, string>): Change[] {
  const out: Change[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const x = Object.hasOwn(before, k) ? before[k] : null;
    const y = Object.hasOwn(after, k) ? after[k] : null;
    if (x !== y) out.push({ pointer: `${pointer}/${escapePointerToken(k)}`, before: x, after: y });
  }
  return out;
}

/** Field-level changes between a record and the current spec (see {@link ServerReport.changes}). */
export function diffAgainstRecord(record: TrustRecord, spec: ServerSpec, fp: SpecFingerprint): Change[] {
  const changes = diffJson(record.spec, spec.raw);
  const dupBefore = record.duplicateKeys ?? [];
  if (canonicalHash(dupBefore) !== canonicalHash(spec.duplicateKeys)) {
    changes.push({ pointer: '/$duplicateKeys', before: dupBefore, after: spec.duplicateKeys });
  }
  // Sources merged into the launch: `/$merged/<source>/…` names the source that moved.
  if (record.merged !== undefined || fp.merged !== undefined) changes.push(...diffJson(record.merged ?? {}, fp.merged ?? {}, '/$merged'));
  changes.push(...diffFiles(record.files, fp.files));
  const [was, now] = [record.command, fp.command];
  if (!was !== !now || was?.name !== now?.name || was?.path !== now?.path) {
    changes.push({ pointer: '/$command', before: record.command?.path, after: fp.command?.path });
  }
  return changes;
}

/** Index of approved records by spec hash, to recognise an approved launch spec under another name. */
export type ApprovedIndex = Map<string, TrustRecord[]>;

/** Builds the {@link ApprovedIndex} of a store. O(records). */
export function indexApproved(data: TrustStoreData): ApprovedIndex {
  const idx: ApprovedIndex = new Map();
  for (const r of Object.values(data.records)) {
    if (r.decision !== 'approved') continue;
    const list = idx.get(r.fingerprint);
    if (list) list.push(r);
    else idx.set(r.fingerprint, [r]);
  }
  return idx;
}

/** Options of {@link evaluateServer}. */
export interface EvaluateOptions {
  /** Any byte change of the entry counts as a change (Cursor ≥ 1.3 behaviour). */
  strict: boolean;
  approved?: ApprovedIndex;
}

/**
 * Decides a server's state against the trust store (pure; no I/O).
 * Findings are not computed here; the caller adds them.
 */
export function evaluateServer(spec: ServerSpec, fp: SpecFingerprint, data: TrustStoreData, opts: EvaluateOptions): ServerReport {
  const record = data.records[recordKey(spec.configFile, spec.pointer, spec.resolvedIn)];
  const report: ServerReport = { spec, state: 'new', fingerprint: fp, cosmetic: false, changes: [], findings: [], record };
  const approved = opts.approved ?? indexApproved(data);
  const other = (approved.get(fp.fingerprint) ?? []).find((r) => r.configFile !== spec.configFile || r.pointer !== spec.pointer);

  if (!record) {
    if (other) report.sameAs = { configFile: other.configFile, name: other.name };
    return report;
  }
  const sameSpec = record.fingerprint === fp.fingerprint;
  report.cosmetic = sameSpec && record.sourceHash !== fp.sourceHash;
  if (!sameSpec) report.changes = diffAgainstRecord(record, spec, fp);
  if (record.decision === 'denied') {
    report.state = 'denied';
    return report;
  }
  if (!sameSpec || (opts.strict && report.cosmetic)) {
    report.state = 'changed';
    if (other) report.sameAs = { configFile: other.configFile, name: other.name };
  } else {
    report.state = 'approved';
  }
  return report;
}

/** Rule id of the finding {@link guardRemovedFinding} makes. */
export const GUARD_REMOVED_RULE = 'guard-removed';

/**
 * A high-severity finding when a changed (or denied) server's record was approved as launching through the
 * guard proxy and the current entry no longer does: the guard was stripped (`isGuarded` fails: the host now
 * launches the server directly, "a config change that strips the guard is a change like any other, and is called
 * out as such"), or it was defeated — the record passed the strict parse (`guardedForm`) and the current entry does
 * not (it now sets `PATH`, a loader variable or an `envFile`, names another file or launcher, …: the host might run
 * something else before the guard). Pure; never throws.
 *
 * @param home the user's home directory (for `${userHome}` in a `--config`).
 * @returns the finding (pointer `''`, the whole entry), or undefined when the guard was not removed.
 */
export function guardRemovedFinding(report: ServerReport, home: string): Finding | undefined {
  if (!report.record || report.state === 'approved' || report.state === 'new') return undefined;
  const was = isGuarded(report.record.spec);
  if (!was) return undefined;
  const name = report.spec.name;
  if (!isGuarded(report.spec.raw)) {
    return {
      ruleId: GUARD_REMOVED_RULE,
      severity: 'high',
      message: `The guard proxy was removed from this entry: "${name}" was approved launching through mcp-trust-guard run, and the host would now launch it directly, without the guard's checks`,
      pointer: '',
    };
  }
  // The launcher the user approved counts as the guard's, whatever its path: only what changed is judged.
  const opts = { home, installedLaunchers: [was.launcher.command] };
  if (!guardedForm({ ...report.spec, raw: report.record.spec, duplicateKeys: [] }, opts).guarded) return undefined;
  const now = guardedForm(report.spec, opts);
  if (now.guarded) return undefined;
  return {
    ruleId: GUARD_REMOVED_RULE,
    severity: 'high',
    message: `The guard proxy may no longer hold for this entry: "${name}" was approved launching through mcp-trust-guard run, and now ${now.why ?? 'it is not in the guard\'s form'}, so the host may run something else before the guard`,
    pointer: '',
  };
}
