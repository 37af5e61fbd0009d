/**
 * Small helpers on parsed JSON-like values, shared by every parser and by the entry normalizer (one place).
 */

/** Whether `v` is a plain object (not `null`, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own-property test that a `__proto__` or `hasOwnProperty` member cannot fool. */
export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/** Sets `key` as an own enumerable data property, also when it is `__proto__` (no prototype change). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** `null`, `an array`, `an object`, `a number`, … for messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : t === 'number' ? 'a number' : t === 'boolean' ? 'a boolean' : t === 'string' ? 'a string' : t;
}

/** A short, single-line JSON rendering of a value for messages. */
export function preview(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
