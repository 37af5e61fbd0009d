/**
 * Builds the view models of the diff panel and the tool inspector (`src/webview/model.ts`) from core reports.
 * Runs on the extension host (it needs `node:crypto` through the canonical JSON and the `diff` package), but
 * imports no `vscode`, so it is unit-tested in plain Node.
 *
 * Every string that reaches a view model is display text: cut to a bounded length and passed through
 * `revealInvisible` (zero-width, bidi, tag and control characters become `⟦U+200B⟧` / `⟦TAG:…⟧` marks), so
 * what the page renders as text is what the model would read. Pure; never throws on any report.
 */
import { policyLabel } from '../../core/policy/evaluate';
import { diffLines } from 'diff';
import { checkItem } from '../../core/checks/tool';
import { findInvisible, revealInvisible } from '../../core/checks/text';
import { canonicalJson } from '../../core/fingerprint/canonical';
import { redactArgs, redactChanges, redactEntry, redactText, redactUrl } from '../../core/redact';
import { escapePointerToken } from '../../core/pins/jsonDiff';
import { describeShapePins, isShapePin } from '../../core/pins/shape';
import type { ItemKind, MetadataPins } from '../../core/pins/metadata';
import { fileChangeLabel, type ServerReport } from '../../core/scan/evaluate';
import type { ItemReport, MetadataReport } from '../../core/scan/metadata';
import type { Change, Finding, ServerSpec } from '../../core/types';
import type {
  DiffPartView,
  DiffViewModel,
  FieldRowView,
  FindingView,
  InspectorItemView,
  InspectorViewModel,
  ItemChangeView,
  JsonBlockView,
  ServerGoneView,
  ServerHeaderView,
} from '../../webview/model';

/** Caps of the view models (UTF-16 units for texts). Anything cut says how much was left out. */
export const VIEW_LIMITS = {
  /** One value of the field table, one finding message, one name. */
  text: 20_000,
  /** One description, one JSON block. */
  longText: 100_000,
  /** Rows of the field table. */
  fieldRows: 2_000,
  /** Lines of the pretty-printed canonical JSON of one side of the spec diff. */
  specLines: 5_000,
  /** Parts of one word diff. */
  wordParts: 5_000,
  /** Items of the inspector or of the diff panel. */
  items: 2_000,
  /** Nesting walked when pretty-printing or flattening JSON. */
  depth: 64,
} as const;

/** Cuts `text` to `max` UTF-16 units (never inside a surrogate pair), saying how much was left out. */
export function capText(text: string, max: number = VIEW_LIMITS.text): string {
  if (text.length <= max) return text;
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** Display text: capped, then invisible characters revealed. */
export function displayText(text: string, max: number = VIEW_LIMITS.text): string {
  return revealInvisible(capText(text, max));
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function hasOwn(o: unknown, k: string): boolean {
  return isObj(o) && Object.prototype.hasOwnProperty.call(o, k);
}

/** RFC 8785 text of a JSON leaf, or a readable stand-in for what JSON cannot represent. */
function leafJson(v: unknown): string {
  try {
    return canonicalJson(v);
  } catch {
    return String(v);
  }
}

/**
 * Pretty-prints a JSON value with the member order of RFC 8785 (keys sorted by UTF-16 code units) and
 * canonical leaves, two-space indented, as lines. Stops after `maxLines` lines (the last says how many were
 * left out) and below {@link VIEW_LIMITS.depth} (the subtree is printed on one line). Never throws.
 */
export function canonicalPrettyLines(value: unknown, maxLines: number = VIEW_LIMITS.specLines): string[] {
  const lines: string[] = [];
  let dropped = 0;
  const push = (s: string): void => {
    if (lines.length < maxLines) lines.push(s);
    else dropped++;
  };
  const walk = (v: unknown, indent: string, prefix: string, suffix: string, depth: number): void => {
    if (lines.length >= maxLines) {
      dropped++;
      return;
    }
    if (depth < VIEW_LIMITS.depth && Array.isArray(v) && v.length > 0) {
      push(`${indent}${prefix}[`);
      v.forEach((x, i) => walk(x, `${indent}  `, '', i < v.length - 1 ? ',' : '', depth + 1));
      push(`${indent}]${suffix}`);
      return;
    }
    if (depth < VIEW_LIMITS.depth && isObj(v) && Object.keys(v).length > 0) {
      const keys = Object.keys(v).sort();
      push(`${indent}${prefix}{`);
      keys.forEach((k, i) => walk(v[k], `${indent}  `, `${leafJson(k)}: `, i < keys.length - 1 ? ',' : '', depth + 1));
      push(`${indent}}${suffix}`);
      return;
    }
    push(`${indent}${prefix}${capText(leafJson(v))}${suffix}`);
  };
  walk(value, '', '', '', 0);
  if (dropped > 0) lines.push(`… (${dropped} more lines)`);
  return lines;
}

/** {@link canonicalPrettyLines} joined and revealed, capped at {@link VIEW_LIMITS.longText}. */
export function prettyJsonText(value: unknown): string {
  return displayText(canonicalPrettyLines(value).join('\n'), VIEW_LIMITS.longText);
}

function quoteArg(a: string): string {
  return a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a;
}

/** The header of a view: who, where, and the command line or URL. */
export function serverHeader(report: ServerReport): ServerHeaderView {
  const s: ServerSpec = report.spec;
  // secrets masked as everywhere else (core/redact)
  const launch =
    s.transport === 'stdio' ? [redactText(s.command ?? ''), ...redactArgs(s.args ?? [])].map((a) => quoteArg(String(a))).join(' ') : redactUrl(String(s.url ?? ''));
  return {
    name: displayText(s.name),
    host: s.host,
    configFile: displayText(s.configFile),
    pointer: displayText(s.pointer),
    transport: s.transport,
    state: report.state,
    launch: displayText(launch),
    ...(report.policy ? { organization: displayText(policyLabel(report.policy)), organizationBlocks: report.policy.outcome === 'denied' } : {}),
  };
}

/** A finding as shown: message and pointer revealed and capped. */
export function findingView(f: Finding): FindingView {
  const severity = f.severity === 'high' || f.severity === 'medium' || f.severity === 'low' ? f.severity : 'info';
  return { severity, ruleId: displayText(String(f.ruleId), 200), message: displayText(String(f.message)), pointer: displayText(String(f.pointer)) };
}

/** Leaf members of a JSON value as `[pointer, value]` (RFC 6901), empty objects/arrays counting as leaves. */
function flattenLeaves(value: unknown, max: number): { leaves: Array<[string, unknown]>; dropped: number } {
  const out: Array<[string, unknown]> = [];
  let dropped = 0;
  const walk = (v: unknown, ptr: string, depth: number): void => {
    if (out.length >= max) {
      dropped++;
      return;
    }
    if (depth < VIEW_LIMITS.depth && Array.isArray(v) && v.length > 0) {
      v.forEach((x, i) => walk(x, `${ptr}/${i}`, depth + 1));
    } else if (depth < VIEW_LIMITS.depth && isObj(v) && Object.keys(v).length > 0) {
      for (const k of Object.keys(v)) walk(v[k], `${ptr}/${escapePointerToken(k)}`, depth + 1);
    } else {
      out.push([ptr, v]);
    }
  };
  walk(value, '', 0);
  return { leaves: out, dropped };
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/** A change's value as shown; referenced files (`/$files/…`) carry a content hash or `null` (missing). */
function changeValue(pointer: string, v: unknown): string {
  if (pointer.startsWith('/$files/')) return v === null ? '(file missing)' : typeof v === 'string' ? `sha256 ${capText(v, 200)}` : displayText(leafJson(v));
  return displayText(leafJson(v));
}

function changeRow(c: Change): FieldRowView {
  const hasBefore = 'before' in c;
  const hasAfter = 'after' in c;
  const row: FieldRowView = { pointer: displayText(fileChangeLabel(c.pointer) ?? c.pointer), status: hasBefore && hasAfter ? 'changed' : hasAfter ? 'added' : 'removed' };
  if (hasBefore) row.before = changeValue(c.pointer, c.before);
  if (hasAfter) row.after = changeValue(c.pointer, c.after);
  return row;
}

/** Word diff / line diff runs as display parts. */
function parts(runs: ReadonlyArray<{ added?: boolean; removed?: boolean; value: string }>, max: number): { parts: DiffPartView[]; omitted: number } {
  const out: DiffPartView[] = [];
  for (const r of runs.slice(0, max)) {
    out.push({ kind: r.added ? 'added' : r.removed ? 'removed' : 'same', text: displayText(String(r.value), VIEW_LIMITS.longText) });
  }
  return { parts: out, omitted: Math.max(0, runs.length - max) };
}

/** Line diff of two line lists (the `diff` package's `diffLines`), one part per line. */
function lineDiff(before: string[], after: string[]): DiffPartView[] {
  const a = before.length ? `${before.join('\n')}\n` : '';
  const b = after.length ? `${after.join('\n')}\n` : '';
  const runs = diffLines(a, b, { maxEditLength: 5_000 }) ?? [
    ...(a ? [{ removed: true, value: a }] : []),
    ...(b ? [{ added: true, value: b }] : []),
  ];
  const out: DiffPartView[] = [];
  for (const r of runs) {
    const kind = r.added ? 'added' : r.removed ? 'removed' : 'same';
    const lines = r.value.endsWith('\n') ? r.value.slice(0, -1).split('\n') : r.value.split('\n');
    for (const l of lines) out.push({ kind, text: displayText(l) });
  }
  return out;
}

function itemChangeView(i: ItemReport): ItemChangeView {
  const v: ItemChangeView = {
    kind: i.kind,
    key: displayText(String(i.key)),
    state: i.state,
    changedFields: i.changedFields.slice(0, 200).map((f) => displayText(String(f), 200)),
    findings: i.findings.map(findingView),
  };
  if (i.descriptionDiff) {
    const p = parts(i.descriptionDiff, VIEW_LIMITS.wordParts);
    v.descriptionDiff = p.parts;
    if (p.omitted) v.descriptionDiff.push({ kind: 'same', text: ` … (${p.omitted} more diff runs)` });
  }
  if (i.note) v.note = displayText(i.note);
  return v;
}

/**
 * The diff panel's model of one server: the launch-spec field table (the report's changes, then every
 * unchanged leaf field of the current entry; for a new server every field as `added`), the line diff of the
 * approved vs current entry as pretty-printed RFC 8785 canonical JSON, the metadata items that are new,
 * changed or removed or have findings (with the word diff of each changed description), and the findings.
 *
 * @param report the verdict on the server (`report.record.spec` is the approved entry).
 * @param metadata the metadata verdict of a probe, when there was one.
 * @param holds what holds the server back before launch (see `whatHolds` in `../tree/nodes`), when known.
 * @returns a JSON-safe model; texts revealed and capped (see {@link VIEW_LIMITS}). Never throws.
 */
export function buildDiffViewModel(report: ServerReport, metadata?: MetadataReport, holds?: { lines: readonly string[]; heldBack: boolean }): DiffViewModel {
  let omitted = 0;
  const record = report.record;
  // what is shown of both entries has its secrets masked (core/redact); the changes read their values from them
  const current = redactEntry(report.spec.raw);
  const approved = record ? redactEntry(record.spec) : undefined;

  const fields: FieldRowView[] = [];
  if (record) {
    for (const c of redactChanges(report.changes, record.spec, report.spec.raw)) fields.push(changeRow(c));
    const changed = report.changes.map((c) => c.pointer);
    const flat = flattenLeaves(current, VIEW_LIMITS.fieldRows);
    omitted += flat.dropped;
    for (const [ptr, v] of flat.leaves) {
      if (changed.some((p) => overlaps(p, ptr))) continue;
      const text = displayText(leafJson(v));
      fields.push({ pointer: displayText(ptr), status: 'unchanged', before: text, after: text });
    }
  } else {
    const flat = flattenLeaves(current, VIEW_LIMITS.fieldRows);
    omitted += flat.dropped;
    for (const [ptr, v] of flat.leaves) fields.push({ pointer: displayText(ptr), status: 'added', after: displayText(leafJson(v)) });
  }
  if (fields.length > VIEW_LIMITS.fieldRows) {
    omitted += fields.length - VIEW_LIMITS.fieldRows;
    fields.length = VIEW_LIMITS.fieldRows;
  }

  const specDiff = lineDiff(record ? canonicalPrettyLines(approved) : [], canonicalPrettyLines(current));

  const items: ItemChangeView[] = [];
  for (const i of metadata?.items ?? []) {
    if (i.state === 'pinned' && i.findings.length === 0) continue;
    if (items.length >= VIEW_LIMITS.items) {
      omitted++;
      continue;
    }
    items.push(itemChangeView(i));
  }

  const model: DiffViewModel = {
    server: serverHeader(report),
    cosmetic: report.cosmetic,
    fields,
    specDiff,
    items,
    findings: report.findings.map(findingView),
    omitted,
  };
  if (record) model.decision = { decision: record.decision, decidedAt: displayText(String(record.decidedAt), 100) };
  if (report.sameAs) model.sameAs = { configFile: displayText(report.sameAs.configFile), name: displayText(report.sameAs.name) };
  if (metadata && !metadata.probe.ok) model.probeError = displayText(metadata.probe.error ?? 'the probe failed');
  if (holds) model.holds = { lines: holds.lines.slice(0, 8).map((l) => displayText(l, 300)), heldBack: holds.heldBack };
  return model;
}

/** What an open diff panel shows: the server's diff, or why there is none any more. */
export type DiffPanelContent = { kind: 'diff'; model: DiffViewModel } | { kind: 'gone'; gone: ServerGoneView };

/**
 * The content of an open diff panel for the current state of its server, after any change of the
 * extension's state (a decision, Block, Restore, an edit of the file):
 * - the server is an entry of its file → its diff model (as {@link buildDiffViewModel}: an approved server
 *   shows state `approved` and no changed field);
 * - its entry is quarantined (`blocked`) → a {@link ServerGoneView} saying it is blocked and where it went;
 * - neither → a {@link ServerGoneView} saying it is no longer in the file.
 *
 * @param report the server's current report, if it is still an entry of its file.
 * @param quarantine the file's quarantine key (`mcpTrustGuard.quarantine`) when the entry is quarantined now.
 * @param last the header the panel showed last (names the server when there is no report any more).
 * @param metadata the metadata verdict of the server's last probe, if any.
 * @param holds what holds the server back before launch, when known (see {@link buildDiffViewModel}).
 * @returns a JSON-safe content; texts revealed and capped. Never throws.
 */
export function buildDiffPanelContent(
  report: ServerReport | undefined,
  quarantine: string | undefined,
  last: ServerHeaderView,
  metadata?: MetadataReport,
  holds?: { lines: readonly string[]; heldBack: boolean },
): DiffPanelContent {
  if (report) return { kind: 'diff', model: buildDiffViewModel(report, metadata, holds) };
  const who = { name: last.name, host: last.host, configFile: last.configFile, pointer: last.pointer };
  if (quarantine !== undefined) {
    const key = displayText(quarantine, 200);
    return {
      kind: 'gone',
      gone: {
        ...who,
        reason: 'blocked',
        message: `"${last.name}" is blocked: its entry ${last.pointer} was moved out of the servers of ${last.configFile} into "${key}", where no host reads it, and its denial is on record. Restore (in the Servers view) puts it back; this panel then shows it again.`,
      },
    };
  }
  return {
    kind: 'gone',
    gone: {
      ...who,
      reason: 'removed',
      message: `"${last.name}" is no longer in ${last.configFile}: there is no entry at ${last.pointer} (it was removed or renamed, or the file is gone). There is nothing to approve or block here; if it comes back, this panel shows it again.`,
    },
  };
}

const LISTS: Array<{ list: 'tools' | 'prompts' | 'resources' | 'resourceTemplates'; kind: ItemKind }> = [
  { list: 'tools', kind: 'tool' },
  { list: 'prompts', kind: 'prompt' },
  { list: 'resources', kind: 'resource' },
  { list: 'resourceTemplates', kind: 'resourceTemplate' },
];

/** Members shown as their own JSON block, in this order; any other member goes to "Other members". */
const BLOCKS: Array<[string, string]> = [
  ['inputSchema', 'Input schema'],
  ['outputSchema', 'Output schema'],
  ['arguments', 'Arguments'],
  ['annotations', 'Annotations'],
  ['uri', 'URI'],
  ['uriTemplate', 'URI template'],
  ['mimeType', 'MIME type'],
];
const SHOWN_APART = new Set(['name', 'title', 'description', ...BLOCKS.map(([k]) => k)]);

/** One item as the inspector shows it (the item is hostile JSON of any shape). */
export function inspectorItemView(kind: string, key: string, state: string, item: unknown, findings: readonly Finding[], note?: string): InspectorItemView {
  const view: InspectorItemView = {
    kind,
    key: displayText(key),
    state,
    name: displayText(key),
    invisibleCount: 0,
    blocks: [],
    findings: findings.map(findingView),
  };
  if (note) view.note = displayText(note);
  if (typeof item === 'string') {
    view.description = displayText(item, VIEW_LIMITS.longText);
    view.invisibleCount = findInvisible(item).length;
    return view;
  }
  if (!isObj(item)) {
    if (item !== undefined) view.blocks.push({ label: 'Item', json: prettyJsonText(item) });
    return view;
  }
  for (const k of ['name', 'uri', 'uriTemplate']) {
    const v = item[k];
    if (hasOwn(item, k) && typeof v === 'string') {
      view.name = displayText(v);
      break;
    }
  }
  const annotations = item.annotations;
  const title = hasOwn(item, 'title') ? item.title : isObj(annotations) && hasOwn(annotations, 'title') ? annotations.title : undefined;
  if (typeof title === 'string') view.title = displayText(title);
  const description = hasOwn(item, 'description') ? item.description : undefined;
  if (typeof description === 'string') {
    view.description = displayText(description, VIEW_LIMITS.longText);
    view.invisibleCount = findInvisible(description).length;
  }
  const blocks: JsonBlockView[] = [];
  for (const [k, label] of BLOCKS) if (hasOwn(item, k)) blocks.push({ label, json: prettyJsonText(item[k]) });
  const rest: Record<string, unknown> = {};
  let restCount = 0;
  for (const k of Object.keys(item)) {
    // name/title/description are shown apart only when they are strings; otherwise they are shown raw here
    const apart = k === 'name' || k === 'title' || k === 'description' ? typeof item[k] === 'string' : SHOWN_APART.has(k);
    if (apart) continue;
    Object.defineProperty(rest, k, { value: item[k], enumerable: true, writable: true, configurable: true });
    restCount++;
  }
  if (restCount > 0) blocks.push({ label: 'Other members', json: prettyJsonText(rest) });
  view.blocks = blocks;
  return view;
}

/** The pinned items of a record's metadata (read defensively: it comes from the trust store file). */
function pinnedItems(pins: unknown): Array<{ kind: ItemKind; key: string; item: unknown; note?: string }> {
  if (!isObj(pins)) return [];
  const out: Array<{ kind: ItemKind; key: string; item: unknown; note?: string }> = [];
  const instr = (pins as Partial<MetadataPins>).instructions;
  if (isObj(instr) && hasOwn(instr, 'item')) out.push({ kind: 'instructions', key: 'instructions', item: instr.item });
  for (const { list, kind } of LISTS) {
    const rec = pins[list];
    if (!isObj(rec)) continue;
    for (const key of Object.keys(rec)) {
      const pin = rec[key];
      if (!isObj(pin)) continue;
      const shapes = Array.isArray(pin.shapes) && pin.shapes.every(isShapePin) ? describeShapePins(pin.shapes) : undefined;
      const note = [typeof pin.note === 'string' ? pin.note : undefined, shapes].filter(Boolean).join(' ');
      out.push({ kind, key, item: pin.item, ...(note ? { note } : {}) });
    }
  }
  return out;
}

function pinnedItemOf(pins: unknown, kind: ItemKind, key: string): unknown {
  if (!isObj(pins)) return undefined;
  if (kind === 'instructions') return isObj(pins.instructions) ? pins.instructions.item : undefined;
  const list = LISTS.find((l) => l.kind === kind)?.list;
  const rec = list ? pins[list] : undefined;
  return hasOwn(rec, key) && isObj((rec as Record<string, unknown>)[key]) ? ((rec as Record<string, Record<string, unknown>>)[key]!.item) : undefined;
}

/**
 * The tool inspector's model of one server: its tools, prompts, resources, resource templates and
 * instructions with name, title, description (revealed), JSON blocks (input schema, annotations, …) and
 * findings. With `metadata` (a probe just now) the items are what the server sent, with their state against
 * the pins (a removed item shows its pinned copy); without it, the pinned items of `report.record.metadata`
 * are listed as `pinned`, with the tool-metadata checks run on them here.
 *
 * @returns a JSON-safe model; texts revealed and capped (see {@link VIEW_LIMITS}). Never throws.
 */
export function buildInspectorViewModel(report: ServerReport, metadata?: MetadataReport): InspectorViewModel {
  const items: InspectorItemView[] = [];
  let omitted = 0;
  const add = (make: () => InspectorItemView): void => {
    if (items.length >= VIEW_LIMITS.items) omitted++;
    else items.push(make());
  };
  const pins = report.record?.metadata;
  if (metadata) {
    for (const i of metadata.items) {
      const item = i.state === 'removed' ? pinnedItemOf(pins, i.kind, i.key) : i.item;
      add(() => inspectorItemView(i.kind, String(i.key), i.state, item, i.findings, i.note));
    }
    return {
      server: serverHeader(report),
      source: 'probe',
      probe: {
        ok: metadata.probe.ok,
        ms: Math.round(metadata.probe.ms),
        warnings: metadata.probe.warnings.slice(0, 100).map((w) => displayText(String(w))),
        ...(metadata.probe.ok ? {} : { error: displayText(metadata.probe.error ?? 'the probe failed') }),
      },
      items,
      omitted,
    };
  }
  const pinned = pinnedItems(pins);
  const toolNames = pinned.filter((p) => p.kind === 'tool').map((p) => p.key);
  for (const p of pinned) {
    add(() => {
      let findings: Finding[];
      try {
        findings = checkItem(p.item, { kind: p.kind, serverName: report.spec.name, otherServers: [], ownToolNames: toolNames });
      } catch {
        findings = []; // checks never throw by contract; a broken rule must not break the view
      }
      return inspectorItemView(p.kind, p.key, 'pinned', p.item, findings, p.note);
    });
  }
  const model: InspectorViewModel = { server: serverHeader(report), source: pinned.length || isObj(pins) ? 'pins' : 'none', items, omitted };
  if (isObj(pins) && typeof pins.pinnedAt === 'string') model.pinnedAt = displayText(pins.pinnedAt, 100);
  return model;
}
