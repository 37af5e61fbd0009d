/**
 * Bounded walk over every string of an item a server sent (values and object keys), with the RFC 6901 pointer
 * of each. Item rules share one walk per item (cached), so a hostile item is walked once whatever the number
 * of rules.
 */
import type { DecodedText } from '../decode';
import { escapePointerToken } from '../pointer';

/** One string found in an item. */
export interface WalkedString {
  /** RFC 6901 pointer of the value; for an object key, the pointer of the member it names. */
  pointer: string;
  /** The text, cut when the walk's character budget ran out (see {@link WalkResult.truncated}). */
  text: string;
  /** Length of the string before any cut, in UTF-16 code units. */
  fullLength: number;
  /** True when the string is an object key rather than a value. */
  isKey: boolean;
  /** The property name the value sits under (`description`, `title`, …), `null` for array elements and the root. */
  field: string | null;
  /** Its decoded readings, filled in on first use by `decodedOf` (`./common.ts`) and kept with the cached walk. */
  decoded?: DecodedText[];
}

/** Result of {@link walkStrings}. */
export interface WalkResult {
  strings: WalkedString[];
  /** Where and why the walk stopped early, or `null` when the whole item was walked. */
  truncated: { pointer: string; reason: string } | null;
}

/** Deepest nesting walked (JSON Schema in tool metadata rarely exceeds 10). */
export const MAX_DEPTH = 64;
/** Total characters of strings (keys included) examined per item: 2 MiB of UTF-16 code units. */
export const MAX_CHARS = 2 * 1024 * 1024;
/** Total JSON nodes (objects, arrays, scalars) visited per item. */
export const MAX_NODES = 200_000;

const objectCache = new WeakMap<object, WalkResult>();
let lastString: string | null = null;
let lastStringResult: WalkResult | null = null;

interface Frame {
  value: unknown;
  pointer: string;
  depth: number;
  field: string | null;
}

/**
 * Walks every string of `item` in document order, bounded by {@link MAX_DEPTH}, {@link MAX_CHARS} and
 * {@link MAX_NODES}. Cycles (impossible in parsed JSON, possible in objects built in code) are bounded by the
 * depth cap. Results are cached per item object.
 *
 * @param item any value, typically parsed JSON from a server.
 * @returns the strings and whether the walk was cut. Never throws (getters and proxies are not expected: items
 *   come from `JSON.parse`; a throwing accessor ends the walk as truncated).
 */
export function walkStrings(item: unknown): WalkResult {
  if (typeof item === 'string') {
    if (item === lastString && lastStringResult) return lastStringResult;
  } else if (item !== null && typeof item === 'object') {
    const hit = objectCache.get(item);
    if (hit) return hit;
  }
  const result = doWalk(item);
  if (typeof item === 'string') {
    lastString = item;
    lastStringResult = result;
  } else if (item !== null && typeof item === 'object') {
    objectCache.set(item, result);
  }
  return result;
}

function doWalk(item: unknown): WalkResult {
  const strings: WalkedString[] = [];
  let truncated: WalkResult['truncated'] = null;
  let budget = MAX_CHARS;
  let nodes = 0;
  const stack: Frame[] = [{ value: item, pointer: '', depth: 0, field: null }];

  const take = (text: string, pointer: string, isKey: boolean, field: string | null): boolean => {
    if (budget <= 0) {
      truncated ??= { pointer, reason: `more than ${MAX_CHARS} characters of text` };
      return false;
    }
    const cut = text.length > budget ? text.slice(0, budget) : text;
    budget -= cut.length;
    strings.push({ pointer, text: cut, fullLength: text.length, isKey, field, decoded: undefined });
    if (cut.length < text.length) truncated ??= { pointer, reason: `more than ${MAX_CHARS} characters of text` };
    return true;
  };

  try {
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (++nodes > MAX_NODES) {
        truncated ??= { pointer: f.pointer, reason: `more than ${MAX_NODES} JSON values` };
        break;
      }
      const v = f.value;
      if (typeof v === 'string') {
        if (!take(v, f.pointer, false, f.field)) break;
        continue;
      }
      if (v === null || typeof v !== 'object') continue;
      if (f.depth >= MAX_DEPTH) {
        truncated ??= { pointer: f.pointer, reason: `nested deeper than ${MAX_DEPTH} levels` };
        continue;
      }
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], pointer: f.pointer + '/' + i, depth: f.depth + 1, field: null });
        continue;
      }
      const keys = Object.keys(v);
      const children: Frame[] = [];
      let stop = false;
      for (const k of keys) {
        const p = f.pointer + '/' + escapePointerToken(k);
        if (!take(k, p, true, k)) {
          stop = true;
          break;
        }
        children.push({ value: (v as Record<string, unknown>)[k], pointer: p, depth: f.depth + 1, field: k });
      }
      if (stop) break;
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
  } catch {
    truncated ??= { pointer: '', reason: 'the item could not be read' };
  }
  return { strings, truncated };
}
