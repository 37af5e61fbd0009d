import { evaluateMetadata, metadataNeedsReview, NotApprovedError, probeApproved, toolNamesOf, type MetadataReport, type ServerReport } from '../../core/scan';
import type { ProbeOptions, ProbeResult } from '../../core/probe';
import type { MetadataPins } from '../../core/pins';
import { homeOf, type GlobalOptions, type Io } from '../context';
import { clip, safeText, showValue } from '../format/text';

/** Probe-related options (`--probe-timeout <ms>`, `--client-name`, `--client-version`). */
export interface ProbeCliOptions extends GlobalOptions {
  probeTimeout?: string;
  clientName?: string;
  clientVersion?: string;
}

/** Probe options from the command line; the base environment is the CLI's own, as a host's would be. */
export function probeOptionsOf(opts: ProbeCliOptions, io: Io): ProbeOptions {
  const timeoutMs = opts.probeTimeout ? Number(opts.probeTimeout) : undefined;
  const o: ProbeOptions = { env: io.env, home: homeOf(io) };
  if (timeoutMs && Number.isFinite(timeoutMs) && timeoutMs > 0) o.timeoutMs = timeoutMs;
  if (opts.clientName) o.clientInfo = { name: opts.clientName, version: opts.clientVersion ?? '1.0.0' };
  return o;
}

/** What probing one server gave: a metadata report, or why it was not probed. */
export type ProbeOutcome = { report: MetadataReport; result: ProbeResult } | { skipped: string };

/**
 * Probes every server whose current launch spec is approved (one at a time: each is a process the user's
 * machine runs), and compares its metadata with its pins. Servers that are new, changed or denied are never
 * launched; their outcome says so. Progress goes to stderr.
 */
export async function probeAll(servers: readonly ServerReport[], opts: ProbeCliOptions, io: Io): Promise<Map<ServerReport, ProbeOutcome>> {
  const out = new Map<ServerReport, ProbeOutcome>();
  const po = probeOptionsOf(opts, io);
  const results = new Map<ServerReport, ProbeResult>();
  const approved = servers.filter((s) => s.state === 'approved');
  let i = 0;
  for (const s of servers) {
    if (s.state !== 'approved') {
      out.set(s, { skipped: new NotApprovedError(s).message });
      continue;
    }
    i++;
    if (!opts.json) io.err(`probing ${i}/${approved.length}: ${safeText(s.spec.name)}…\n`);
    results.set(s, await probeApproved(s, po));
  }
  const others = [...results].map(([s, r]) => ({ name: s.spec.name, toolNames: toolNamesOf(r) }));
  for (const [s, r] of results) {
    out.set(s, { report: evaluateMetadata(s.record?.metadata as MetadataPins | undefined, r, s.spec.name, others), result: r });
  }
  return out;
}

/** Whether a probe outcome needs the user (see `metadataNeedsReview`); skipped probes do not add to it. */
export function outcomeNeedsReview(o: ProbeOutcome | undefined): boolean {
  return !!o && 'report' in o && metadataNeedsReview(o.report);
}

/** The `scan --json` fields of a probe outcome: `probe`, and `tools`/`prompts`/`resources`/`resourceTemplates`/`instructions`. */
export function outcomeToJson(o: ProbeOutcome): Record<string, unknown> {
  if ('skipped' in o) return { probe: { ok: false, error: o.skipped, ms: 0 } };
  const { probe, items } = o.report;
  const list = (kind: string) =>
    items.filter((i) => i.kind === kind).map((i) => ({ name: i.key, state: i.state, changedFields: i.changedFields, changes: i.changes, findings: i.findings }));
  return {
    probe: { ok: probe.ok, error: probe.error, serverInfo: probe.serverInfo, ms: Math.round(probe.ms), warnings: probe.warnings, notRead: o.report.notRead },
    tools: list('tool'),
    prompts: list('prompt'),
    resources: list('resource'),
    resourceTemplates: list('resourceTemplate'),
    instructions: list('instructions')[0],
  };
}

/** Human-readable lines for a probe outcome (items that are not plainly pinned, and notable findings). */
export function outcomeToText(o: ProbeOutcome): string[] {
  if ('skipped' in o) return [`  not probed: ${o.skipped}`];
  const { probe, items } = o.report;
  if (!probe.ok) return [`  probe failed: ${safeText(probe.error ?? 'unknown error')}`];
  const lines = [`  probed in ${Math.round(probe.ms)} ms: ${items.filter((i) => i.kind === 'tool' && i.state !== 'removed').length} tool(s), ${items.filter((i) => i.state === 'pinned').length} item(s) as pinned`];
  for (const w of probe.warnings) lines.push(`  warning: ${safeText(w)}`);
  if (o.report.notRead.length) lines.push(`  not read: ${o.report.notRead.join(', ')} (the request failed; their pins are kept, none counts as removed)`);
  for (const i of items) {
    const notable = i.findings.filter((f) => f.severity === 'high' || f.severity === 'medium');
    if (i.state === 'pinned' && !notable.length) continue;
    lines.push(`  ${i.kind} ${clip(safeText(i.key), 60)}: ${i.state.toUpperCase()}${i.changedFields.length ? ` (${i.changedFields.join(', ')})` : ''}`);
    if (i.descriptionDiff) {
      const words = i.descriptionDiff.map((w) => (w.added ? `[+${w.value}+]` : w.removed ? `[-${w.value}-]` : w.value)).join('');
      lines.push(`    description: ${clip(safeText(words), 400)}`);
    } else {
      for (const c of i.changes.slice(0, 5)) lines.push(`    ${safeText(c.pointer)}: ${showValue(c.before, 80)} → ${showValue(c.after, 80)}`);
    }
    for (const f of notable) lines.push(`    ${f.severity} ${f.ruleId}${f.pointer ? ` at ${safeText(f.pointer)}` : ''}: ${clip(safeText(f.message), 300)}`);
  }
  return lines;
}
