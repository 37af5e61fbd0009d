/**
 * Pins by shape: a string field of one item whose value changes on every start of the server (a timestamp
 * taken at start-up in a schema `default`, the launch directory in a description) is pinned as "this text,
 * with one part of this shape", instead of by value. Everything else of the item stays pinned by value: any
 * other change, and a value of another shape, is still a change.
 *
 * A shape pin is only ever proposed from two real answers of the same item that differ in nothing but such a
 * part ({@link proposeShapePins}); the user's approval of that change records it.
 */
import { canonicalJson } from '../fingerprint/canonical';
import { valueAtPointer } from '../redact';

/** The shapes a varying part may have. */
export type ShapeName = 'iso-date-time' | 'epoch-time' | 'absolute-path' | 'uuid';

/** One field of an item pinned by shape: at `pointer`, a string `prefix` + (a value of `shape`) + `suffix`. */
export interface ShapePin {
  /** RFC 6901 pointer into the item (`/inputSchema/properties/since/default`, `/description`). */
  pointer: string;
  shape: ShapeName;
  /** The text before the varying part, as pinned. */
  prefix: string;
  /** The text after the varying part, as pinned. */
  suffix: string;
}

/** What each shape accepts, whole (anchored when used). */
const SHAPES: Record<ShapeName, RegExp> = {
  // ISO 8601 / RFC 3339 date or date-time, as `Date.prototype.toISOString` and most servers write it
  'iso-date-time': /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?/,
  // seconds or milliseconds since 1970 (10 or 13 digits)
  'epoch-time': /\d{13}|\d{10}/,
  // an absolute path with no `..` step (POSIX, or Windows drive or UNC)
  // (a trailing `.`, `,`, `:` or `;` is the sentence's, not the path's)
  'absolute-path': /(?:\/|[A-Za-z]:[\\/]|\\\\)(?:[^\s"'`<>|;&$*?\\/]+[\\/]?)*(?<![.,:;])/,
  uuid: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/,
};
const ORDER: ShapeName[] = ['iso-date-time', 'uuid', 'epoch-time', 'absolute-path'];

/** How a shape is named to a person. */
export const SHAPE_LABEL: Record<ShapeName, string> = {
  'iso-date-time': 'any ISO date-time',
  'epoch-time': 'any Unix time',
  'absolute-path': 'any absolute path',
  uuid: 'any UUID',
};

/** Longest string field considered for a shape pin (characters). */
const MAX_FIELD = 64 * 1024;

function whole(shape: ShapeName, s: string): boolean {
  const re = new RegExp(`^(?:${SHAPES[shape].source})$`);
  return re.test(s) && !(shape === 'absolute-path' && /(?:^|[\\/])\.\.(?:[\\/]|$)/.test(s));
}

/** Does `value` match the shape pin (prefix, a value of the shape, suffix)? */
export function matchesShape(pin: ShapePin, value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_FIELD) return false;
  if (!value.startsWith(pin.prefix) || !value.endsWith(pin.suffix)) return false;
  if (value.length < pin.prefix.length + pin.suffix.length) return false;
  return whole(pin.shape, value.slice(pin.prefix.length, value.length - pin.suffix.length));
}

/**
 * If `before` and `after` (two values of one string field) differ only in one part that has the same shape in
 * both, returns the shape pin that accepts both; else `undefined`.
 */
export function shapeOfChange(pointer: string, before: unknown, after: unknown): ShapePin | undefined {
  if (typeof before !== 'string' || typeof after !== 'string' || before === after) return undefined;
  if (before.length > MAX_FIELD || after.length > MAX_FIELD) return undefined;
  let p = 0;
  while (p < before.length && p < after.length && before[p] === after[p]) p++;
  let s = 0;
  while (s < before.length - p && s < after.length - p && before[before.length - 1 - s] === after[after.length - 1 - s]) s++;
  for (const shape of ORDER) {
    const re = new RegExp(SHAPES[shape].source, 'g');
    for (let m = re.exec(before); m; m = re.exec(before)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const start = m.index;
      const end = m.index + m[0].length;
      // the part must cover the whole difference in `before`
      if (start > p || end < before.length - s) continue;
      const prefix = before.slice(0, start);
      const suffix = before.slice(end);
      const pin: ShapePin = { pointer, shape, prefix, suffix };
      if (matchesShape(pin, after)) return pin;
    }
  }
  return undefined;
}

type Json = unknown;

/** A copy of `item` with each shape-pinned field that matches its pin replaced by a placeholder. */
function normalized(item: Json, shapes: readonly ShapePin[]): Json {
  const out = JSON.parse(JSON.stringify(item)) as Json;
  for (const sp of shapes) {
    const tokens = sp.pointer.split('/').slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (tokens.length === 0) continue;
    let host: Json = out;
    for (const t of tokens.slice(0, -1)) host = host !== null && typeof host === 'object' && Object.prototype.hasOwnProperty.call(host, t) ? (host as Record<string, Json>)[t] : undefined;
    const last = tokens[tokens.length - 1]!;
    if (host === null || typeof host !== 'object' || !Object.prototype.hasOwnProperty.call(host, last)) continue;
    if (matchesShape(sp, (host as Record<string, Json>)[last])) (host as Record<string, Json>)[last] = { '\u0000shape': sp.shape, prefix: sp.prefix, suffix: sp.suffix };
  }
  return out;
}

/**
 * Whether `current` equals the pinned `item` once every shape-pinned field is compared by shape (each must
 * match its pin in both). Any other difference, or a shaped field that does not match, makes it false.
 * Never throws (an item that cannot be canonicalized is not equal).
 */
export function equalByShape(pinned: Json, current: Json, shapes: readonly ShapePin[]): boolean {
  if (shapes.length === 0) return false;
  try {
    for (const sp of shapes) if (!matchesShape(sp, valueAtPointer(current, sp.pointer))) return false;
    return canonicalJson(normalized(pinned, shapes)) === canonicalJson(normalized(current, shapes));
  } catch {
    return false;
  }
}

/**
 * From the field changes between a pinned item and what the server sends now, the shape pins that would
 * explain all of them (each change a string field that differs only in one part of one shape), or `undefined`
 * when any change is of another kind. At most 8 fields.
 *
 * @param changes field-level changes (`diffJson`), pointers into the item.
 */
export function proposeShapePins(changes: readonly { pointer: string; before?: unknown; after?: unknown }[]): ShapePin[] | undefined {
  if (changes.length === 0 || changes.length > 8) return undefined;
  const out: ShapePin[] = [];
  for (const c of changes) {
    const sp = shapeOfChange(c.pointer, c.before, c.after);
    if (!sp) return undefined;
    out.push(sp);
  }
  return out;
}

/** Is `v` (read from the trust store file) a well-formed {@link ShapePin}? */
export function isShapePin(v: unknown): v is ShapePin {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.pointer === 'string' && typeof o.prefix === 'string' && typeof o.suffix === 'string' && typeof o.shape === 'string' && Object.prototype.hasOwnProperty.call(SHAPES, o.shape);
}

/** One line for a person: `/description is pinned by shape (any absolute path after "Allowed: ")`. */
export function describeShapePins(shapes: readonly ShapePin[]): string {
  return `pinned by shape: ${shapes.map((s) => `${s.pointer} (${SHAPE_LABEL[s.shape]} in place of the part after ${JSON.stringify(s.prefix.slice(-30))})`).join('; ')}; any other change is still a change`;
}
