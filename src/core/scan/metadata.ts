import { checkItem, checkToolNameCollisions } from '../checks/tool';
import type { OtherServer } from '../checks/rule';
import { diffMetadata, pinMetadata, type ItemDiff, type ItemKind, type ListKey, type MetadataPins } from '../pins';
import { probeServer, type ProbeOptions, type ProbeResult } from '../probe';
import { isGuarded } from '../edit/guard';
import type { Finding, ServerSpec } from '../types';
import type { ServerReport } from './evaluate';

/** One tool/prompt/resource/template/instructions item of a probed server, against its pin, with findings. */
export interface ItemReport extends ItemDiff {
  /** Static-check findings on the item as the server sent it now (none for removed items). */
  findings: Finding[];
  /** The item as sent now (absent for removed items). */
  item?: unknown;
}

/** The metadata verdict of one probed server. */
export interface MetadataReport {
  probe: { ok: boolean; error?: string; serverInfo?: unknown; ms: number; warnings: string[] };
  items: ItemReport[];
  /** Lists that were not read whole: their pins are shown as not read, never as removed, and kept on approval. */
  notRead: ListKey[];
  /** Pins of what the server sent now: what an approval of the metadata records. */
  current: MetadataPins;
}

const LIST_OF: Record<Exclude<ItemKind, 'instructions'>, 'tools' | 'prompts' | 'resources' | 'resourceTemplates'> = {
  tool: 'tools',
  prompt: 'prompts',
  resource: 'resources',
  resourceTemplate: 'resourceTemplates',
};

/** Pins with nothing in them: against these every item is new. */
export function emptyPins(now = new Date(0)): MetadataPins {
  return { pinnedAt: now.toISOString(), tools: {}, prompts: {}, resources: {}, resourceTemplates: {} };
}

/** The tool names of a probe result, for cross-server shadowing checks. Non-string names are skipped. */
export function toolNamesOf(result: ProbeResult): string[] {
  return result.tools.flatMap((t) => (t && typeof t === 'object' && typeof (t as { name?: unknown }).name === 'string' ? [(t as { name: string }).name] : []));
}

/**
 * Compares what a server sent (`result`) with its pins (none yet: every item is new) and runs the
 * tool-metadata checks on every current item, including cross-server shadowing against `otherServers`
 * (the other configured servers and their tool names, as far as known) and tool-name collisions.
 * Pure; never throws.
 */
export function evaluateMetadata(pins: MetadataPins | undefined, result: ProbeResult, serverName: string, otherServers: readonly OtherServer[], now = new Date()): MetadataReport {
  const current = pinMetadata(result, now);
  const diff = diffMetadata(pins ?? emptyPins(), result);
  // what was not read keeps its pins: approving a probe that failed to list resources must not drop them
  for (const list of diff.notRead) if (pins?.[list] && typeof pins[list] === 'object') current[list] = pins[list];
  // fields pinned by shape stay so; a shape-only change, once approved, is pinned by shape
  for (const d of diff.items) {
    const shapes = d.state === 'pinned' ? d.shapes : d.state === 'changed' ? d.shapeProposal : undefined;
    if (!shapes || d.kind === 'instructions') continue;
    const pin = current[LIST_OF[d.kind]][d.key];
    if (pin) pin.shapes = shapes;
  }
  const ownToolNames = toolNamesOf(result);
  const others = otherServers.filter((o) => o.name !== serverName);
  const describe = (server: string, tool: string): string | undefined => {
    if (server !== serverName) return undefined;
    const t = result.tools.find((x) => x !== null && typeof x === 'object' && (x as { name?: unknown }).name === tool) as { description?: unknown } | undefined;
    return typeof t?.description === 'string' ? t.description : undefined;
  };
  const collisions = checkToolNameCollisions([{ name: serverName, toolNames: ownToolNames }, ...others], describe).filter((c) => c.serverName === serverName);
  const items: ItemReport[] = diff.items.map((d) => {
    if (d.state === 'removed') return { ...d, findings: [] };
    const item = d.kind === 'instructions' ? current.instructions?.item : current[LIST_OF[d.kind]][d.key]?.item;
    const findings = item === undefined ? [] : checkItem(item, { kind: d.kind, serverName, otherServers: others, ownToolNames });
    if (d.kind === 'tool') for (const c of collisions) if (c.toolName === d.key) findings.push(c.finding);
    return { ...d, findings, item };
  });
  return {
    probe: { ok: result.ok, error: result.error, serverInfo: result.serverInfo, ms: result.ms, warnings: result.warnings },
    items,
    notRead: diff.notRead,
    current,
  };
}

/** Whether a metadata report needs the user: a new or changed item, or a high finding. Removed items do not. */
export function metadataNeedsReview(m: MetadataReport): boolean {
  return !m.probe.ok || m.items.some((i) => i.state === 'new' || i.state === 'changed' || i.findings.some((f) => f.severity === 'high'));
}

/** Thrown by {@link probeApproved} for a server whose current launch spec is not the approved one. */
export class NotApprovedError extends Error {
  constructor(report: ServerReport) {
    super(`"${report.spec.name}" is ${report.state}: only a server whose current launch spec is approved is ever launched`);
    this.name = 'NotApprovedError';
  }
}

/**
 * Probes a server — only if its current launch spec is exactly the approved one (state `approved`; a cosmetic
 * edit is fine unless the scan was strict). This is the one gate every entry point goes through before
 * launching a workspace-defined command.
 * @throws NotApprovedError for a new, changed or denied server; nothing is spawned then.
 */
export async function probeApproved(report: ServerReport, opts: ProbeOptions): Promise<ProbeResult> {
  if (report.state !== 'approved' || !report.record || report.record.decision !== 'approved' || report.record.fingerprint !== report.fingerprint.fingerprint) {
    throw new NotApprovedError(report);
  }
  return probeServer(probeTarget(report.spec), opts);
}

/**
 * What a probe launches for a spec: the spec itself, or — for an entry wrapped by the guard proxy
 * (`… run --config … --name … -- <command> <args…>`) — the wrapped command, since the proxy would withhold
 * every unpinned item from the probe. The wrapped command is part of the approved spec, so this launches
 * nothing that was not approved. A `--url` bridge is probed at its URL.
 */
export function probeTarget(spec: ServerSpec): ServerSpec {
  const g = isGuarded(spec.raw);
  if (!g) return spec;
  if (g.url) return { ...spec, transport: 'http', url: g.url, command: undefined, args: undefined };
  return g.command ? { ...spec, command: g.command, args: g.args } : spec;
}
