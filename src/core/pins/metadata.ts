/**
 * Tool-metadata pins: every tool, prompt, resource, resource template and the
 * server instructions, pinned item by item as the SHA-256 of its RFC 8785 canonical JSON, and the diff of a
 * later probe against those pins.
 */
import { diffWords } from 'diff';
import { canonicalHash } from '../fingerprint/canonical';
import type { ProbeResult } from '../probe/types';
import type { Change } from '../types';
import { diffJson, jsonEqual } from './jsonDiff';
import { describeShapePins, equalByShape, isShapePin, proposeShapePins, type ShapePin } from './shape';

/** One pinned item: the hash and the full object as the server sent it (for showing a diff later). */
export interface ItemPin {
  /** SHA-256 (hex) of the RFC 8785 canonical JSON of `item`. */
  sha256: string;
  item: unknown;
  /** Set when the item is kept under a synthetic key (no usable name/uri, or a duplicate), saying why. */
  note?: string;
  /**
   * Fields pinned by shape rather than by value (see `./shape.ts`): recorded only when the user approved a change
   * that differed in nothing but such values. The rest of the item is still compared by value.
   */
  shapes?: ShapePin[];
}

/**
 * The pinned metadata of one server. Records are keyed by tool/prompt `name`, resource `uri` and template
 * `uriTemplate`; they are null-prototype objects when built here (a tool named `__proto__` is an ordinary key),
 * and are read with own-property checks only, so plain objects from `JSON.parse` work too.
 */
export interface MetadataPins {
  /** ISO 8601 time of pinning. */
  pinnedAt: string;
  /** `serverInfo` as sent (informational; not diffed: a version bump alone is not a rug pull). */
  serverInfo?: unknown;
  instructions?: ItemPin;
  tools: Record<string, ItemPin>;
  prompts: Record<string, ItemPin>;
  resources: Record<string, ItemPin>;
  resourceTemplates: Record<string, ItemPin>;
}

/** The kind of a pinned item. */
export type ItemKind = 'tool' | 'prompt' | 'resource' | 'resourceTemplate' | 'instructions';

/** One token run of a word-level diff (from the `diff` package's `diffWords`). */
export interface WordChange {
  added?: boolean;
  removed?: boolean;
  value: string;
}

/** The state of one item against its pin. */
export interface ItemDiff {
  kind: ItemKind;
  /** Tool/prompt name, resource uri, template uriTemplate, `instructions`, or a synthetic key (see `note`). */
  key: string;
  state: 'pinned' | 'new' | 'changed' | 'removed';
  /** Top-level members that differ (`description`, `inputSchema`, …); empty unless `changed`. */
  changedFields: string[];
  /** Field-level JSON changes (RFC 6901 pointers into the item), capped at 1,000; empty unless `changed`. */
  changes: Change[];
  /** Word-level diff of `description` (of the text itself for instructions), when it changed. */
  descriptionDiff?: WordChange[];
  note?: string;
  /** `pinned`: the item matched its pin only through these shape-pinned fields (their values differ). */
  shapes?: ShapePin[];
  /**
   * `changed`: every change is a value of one shape in place of another (a start-up timestamp, the launch
   * directory); approving this change pins those fields by shape for this item only.
   */
  shapeProposal?: ShapePin[];
}

/** Result of {@link diffMetadata}: every current item, then every removed one. */
export interface MetadataDiff {
  items: ItemDiff[];
  /**
   * Lists that were not read whole (see `ProbeResult.notRead`): none of their pinned items is reported removed,
   * and an approval keeps their pins as they were.
   */
  notRead: ListKey[];
}

/** The lists a probe result did not read whole: `notRead`, or every list of a failed probe that does not say. */
export function unreadLists(result: ProbeResult): ListKey[] {
  if (Array.isArray(result.notRead)) return result.notRead.filter((k): k is ListKey => KINDS.some((x) => x.list === k));
  return result.ok ? [] : KINDS.map((k) => k.list);
}

/** The four lists of a server (MCP `tools/list`, `prompts/list`, `resources/list`, `resources/templates/list`). */
export type ListKey = 'tools' | 'prompts' | 'resources' | 'resourceTemplates';

const KINDS: { list: ListKey; kind: ItemKind; keyField: string }[] = [
  { list: 'tools', kind: 'tool', keyField: 'name' },
  { list: 'prompts', kind: 'prompt', keyField: 'name' },
  { list: 'resources', kind: 'resource', keyField: 'uri' },
  { list: 'resourceTemplates', kind: 'resourceTemplate', keyField: 'uriTemplate' },
];

/** Marker hash of an item that cannot be canonicalized; never equal to a real pin. */
const UNHASHABLE = 'unhashable';

/** Longest pair of texts (UTF-16 units, summed) given to the word diff; longer ones are shown replaced whole. */
const MAX_WORD_DIFF_CHARS = 100_000;

function hashItem(item: unknown): string {
  try {
    return canonicalHash(item);
  } catch {
    return UNHASHABLE;
  }
}

function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function hasOwn(o: unknown, k: string): boolean {
  return o !== null && typeof o === 'object' && Object.prototype.hasOwnProperty.call(o, k);
}

interface Keyed {
  key: string;
  item: unknown;
  note?: string;
}

/** Assigns each item its key; items without a usable key, and duplicates, get a unique synthetic key. */
function keyItems(kind: ItemKind, keyField: string, list: unknown[]): Keyed[] {
  const used = new Set<string>();
  const out: Keyed[] = [];
  list.forEach((item, index) => {
    const v = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>)[keyField] : undefined;
    let key: string;
    let note: string | undefined;
    if (typeof v === 'string' && hasOwn(item, keyField)) {
      key = v;
      if (used.has(key)) {
        let n = 2;
        while (used.has(`${v} (duplicate #${n})`)) n++;
        key = `${v} (duplicate #${n})`;
        note = `the server listed ${kind} ${JSON.stringify(v)} more than once; this copy is pinned under a synthetic key`;
      }
    } else {
      let n = index + 1;
      key = `(${kind} #${n} without ${keyField})`;
      while (used.has(key)) key = `(${kind} #${++n} without ${keyField})`;
      note = `item ${index + 1} of the ${kind} list is not an object with a string "${keyField}"; pinned under a synthetic key`;
    }
    used.add(key);
    out.push(note ? { key, item, note } : { key, item });
  });
  return out;
}

/**
 * Pins every item of a probe result: SHA-256 of its RFC 8785 canonical JSON (`canonicalHash`), plus the item
 * itself. Instructions are pinned when they are a string. Never throws.
 *
 * @param now the time recorded as `pinnedAt`.
 */
export function pinMetadata(result: ProbeResult, now: Date): MetadataPins {
  const pins: MetadataPins = {
    pinnedAt: now.toISOString(),
    tools: nullRecord(),
    prompts: nullRecord(),
    resources: nullRecord(),
    resourceTemplates: nullRecord(),
  };
  if (result.serverInfo !== undefined) pins.serverInfo = result.serverInfo;
  if (typeof result.instructions === 'string') {
    pins.instructions = { sha256: hashItem(result.instructions), item: result.instructions };
  }
  for (const { list, kind, keyField } of KINDS) {
    const rec = pins[list];
    for (const { key, item, note } of keyItems(kind, keyField, Array.isArray(result[list]) ? result[list] : [])) {
      rec[key] = note ? { sha256: hashItem(item), item, note } : { sha256: hashItem(item), item };
    }
  }
  return pins;
}

function wordDiff(before: string, after: string): WordChange[] {
  const whole = (): WordChange[] => [
    ...(before ? [{ removed: true, value: before }] : []),
    ...(after ? [{ added: true, value: after }] : []),
  ];
  if (before.length + after.length > MAX_WORD_DIFF_CHARS) return whole();
  const parts = diffWords(before, after, { maxEditLength: 10_000 });
  if (!parts) return whole();
  return parts.map((p) => (p.added ? { added: true, value: p.value } : p.removed ? { removed: true, value: p.value } : { value: p.value }));
}

function descriptionOf(item: unknown): string {
  const d = hasOwn(item, 'description') ? (item as Record<string, unknown>).description : undefined;
  return typeof d === 'string' ? d : '';
}

function changedItem(kind: ItemKind, key: string, before: unknown, after: unknown, note?: string): ItemDiff {
  const d: ItemDiff = { kind, key, state: 'changed', changedFields: [], changes: diffJson(before, after) };
  if (kind === 'instructions') {
    d.descriptionDiff = wordDiff(typeof before === 'string' ? before : '', typeof after === 'string' ? after : '');
  } else {
    const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (isObj(before) && isObj(after)) {
      const fields = new Set([...Object.keys(before), ...Object.keys(after)]);
      for (const f of fields) {
        if (hasOwn(before, f) !== hasOwn(after, f) || !jsonEqual(before[f], after[f])) d.changedFields.push(f);
      }
    }
    const db = descriptionOf(before);
    const da = descriptionOf(after);
    if (db !== da) d.descriptionDiff = wordDiff(db, da);
  }
  if (note) d.note = note;
  return d;
}

/**
 * Marks a changed item whose every change is a value of one shape in place of another (see `./shape.ts`), with
 * the shape pins (its existing ones kept) that an approval would record.
 */
function withShapeProposal(d: ItemDiff, before: unknown, after: unknown, existing: readonly ShapePin[]): ItemDiff {
  const proposal = proposeShapePins(d.changes);
  if (!proposal) return d;
  const merged = [...existing.filter((e) => !proposal.some((p) => p.pointer === e.pointer)), ...proposal];
  if (!equalByShape(before, after, merged)) return d;
  d.shapeProposal = merged;
  const note = `differs only in values that change on every start (${proposal.map((p) => p.pointer).join(', ')}); approving it pins ${proposal.length > 1 ? 'these fields' : 'this field'} by shape for this item only: ${describeShapePins(merged)}`;
  d.note = d.note ? `${d.note} ${note}` : note;
  return d;
}

/**
 * Compares a probe result with the pins: every current item appears (`pinned` when its hash matches, `new`
 * when no pin has its key, `changed` otherwise, with the changed top-level fields, RFC 6901 field changes and a
 * word-level description diff), followed by every pinned item that is gone (`removed`). Instructions are one
 * item of kind `instructions`, key `instructions`. `serverInfo` is not compared. A list the probe did not read
 * whole ({@link unreadLists}) reports no removed item: it is listed in `notRead` instead. Never throws; a pins
 * object read from disk with missing records is treated as having no pins there.
 */
export function diffMetadata(pins: MetadataPins, result: ProbeResult): MetadataDiff {
  const items: ItemDiff[] = [];
  const notRead = unreadLists(result);
  const pinOf = (rec: unknown, key: string): ItemPin | undefined =>
    hasOwn(rec, key) ? ((rec as Record<string, ItemPin>)[key] ?? undefined) : undefined;

  const pinnedInstr = pins.instructions;
  const instr = typeof result.instructions === 'string' ? result.instructions : undefined;
  if (instr !== undefined) {
    if (!pinnedInstr) items.push({ kind: 'instructions', key: 'instructions', state: 'new', changedFields: [], changes: [] });
    else if (pinnedInstr.sha256 !== UNHASHABLE && pinnedInstr.sha256 === hashItem(instr)) {
      items.push({ kind: 'instructions', key: 'instructions', state: 'pinned', changedFields: [], changes: [] });
    } else items.push(changedItem('instructions', 'instructions', pinnedInstr.item, instr));
  }

  for (const { list, kind, keyField } of KINDS) {
    const rec: unknown = pins[list];
    const current = keyItems(kind, keyField, Array.isArray(result[list]) ? result[list] : []);
    const seen = new Set<string>();
    for (const { key, item, note } of current) {
      seen.add(key);
      const pin = pinOf(rec, key);
      const base = note ? { note } : {};
      if (!pin || typeof pin !== 'object') {
        items.push({ kind, key, state: 'new', changedFields: [], changes: [], ...base });
        continue;
      }
      const h = hashItem(item);
      const shapes = Array.isArray(pin.shapes) && pin.shapes.every(isShapePin) ? pin.shapes : [];
      if (h !== UNHASHABLE && h === pin.sha256) items.push({ kind, key, state: 'pinned', changedFields: [], changes: [], ...base, ...(shapes.length ? { shapes } : {}) });
      else if (shapes.length > 0 && equalByShape(pin.item, item, shapes)) {
        items.push({ kind, key, state: 'pinned', changedFields: [], changes: [], shapes, note: [note, describeShapePins(shapes)].filter(Boolean).join(' ') });
      } else items.push(withShapeProposal(changedItem(kind, key, pin.item, item, note), pin.item, item, shapes));
    }
    if (rec && typeof rec === 'object' && !notRead.includes(list)) {
      for (const key of Object.keys(rec)) {
        if (!seen.has(key)) items.push({ kind, key, state: 'removed', changedFields: [], changes: [] });
      }
    }
  }
  // instructions come with `initialize`: unknown only when the probe failed before it answered
  if (instr === undefined && pinnedInstr && (result.ok || result.serverInfo !== undefined)) {
    items.push({ kind: 'instructions', key: 'instructions', state: 'removed', changedFields: [], changes: [] });
  }
  return { items, notRead };
}
