/**
 * Field-level structural diff of two JSON values, as RFC 6901 JSON Pointers. Generic: used for tool metadata
 * pins and launch-spec diffs alike.
 */
import { escapePointerToken } from '../checks/pointer';
import type { Change } from '../types';

/** Default cap of {@link diffJson} output. */
export const MAX_JSON_CHANGES = 1_000;

/** Deepest nesting walked; below it a differing subtree is reported as one change. */
const MAX_DEPTH = 256;

/** RFC 6901 token escaping lives in one place (`checks/pointer`); re-exported for the diff's callers. */
export { escapePointerToken };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Deep equality of two JSON values (own keys, any order; arrays by index). Never throws; past a nesting of 256
 * it answers false unless the values are identical.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return sameJson(a, b, 0);
}

function sameJson(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.prototype.hasOwnProperty.call(b, k) || !sameJson(a[k], b[k], depth + 1)) return false;
    }
    return true;
  }
  return false;
}

/**
 * Lists the differences between two JSON values (the output of `JSON.parse`): objects are compared member by
 * member (own keys, so `__proto__` is an ordinary member), arrays element by element by index, everything
 * else by value. A member present only in `after` gives a change without `before`; one present only in
 * `before` a change without `after`; a differing value (or type) both. Key order does not matter.
 *
 * @param basePointer RFC 6901 pointer prefixed to every change (default `""`, the root).
 * @param maxChanges output stops after this many changes (default {@link MAX_JSON_CHANGES}).
 * @returns changes in document order (keys of `before` first, then added keys). Never throws.
 */
export function diffJson(before: unknown, after: unknown, basePointer = '', maxChanges = MAX_JSON_CHANGES): Change[] {
  const out: Change[] = [];
  const walk = (a: unknown, b: unknown, ptr: string, depth: number): void => {
    if (out.length >= maxChanges) return;
    if (a === b) return;
    if (depth < MAX_DEPTH && Array.isArray(a) && Array.isArray(b)) {
      const n = Math.max(a.length, b.length);
      for (let i = 0; i < n && out.length < maxChanges; i++) {
        const p = `${ptr}/${i}`;
        if (i >= b.length) out.push({ pointer: p, before: a[i] });
        else if (i >= a.length) out.push({ pointer: p, after: b[i] });
        else walk(a[i], b[i], p, depth + 1);
      }
      return;
    }
    if (depth < MAX_DEPTH && isPlainObject(a) && isPlainObject(b)) {
      for (const k of Object.keys(a)) {
        if (out.length >= maxChanges) return;
        const p = `${ptr}/${escapePointerToken(k)}`;
        if (!Object.prototype.hasOwnProperty.call(b, k)) out.push({ pointer: p, before: a[k] });
        else walk(a[k], b[k], p, depth + 1);
      }
      for (const k of Object.keys(b)) {
        if (out.length >= maxChanges) return;
        if (!Object.prototype.hasOwnProperty.call(a, k)) out.push({ pointer: `${ptr}/${escapePointerToken(k)}`, after: b[k] });
      }
      return;
    }
    if (!sameJson(a, b, depth)) out.push({ pointer: ptr, before: a, after: b });
  };
  walk(before, after, basePointer, 0);
  return out;
}
