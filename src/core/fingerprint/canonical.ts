import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialization of a JSON value, via the `canonicalize` package
 * (by one of the RFC's authors). Object keys are sorted by UTF-16 code units, numbers use ECMAScript
 * formatting, strings use minimal escaping.
 *
 * @param value any JSON value (objects, arrays, strings, finite numbers, booleans, null).
 * @returns the canonical UTF-8 text as a JS string.
 * @throws TypeError for values JSON cannot represent at the top level (`undefined`, functions) or for
 *   non-finite numbers.
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return text;
}

const parsedTexts = new WeakMap<object, string>();

/**
 * {@link canonicalJson} of a value that is never changed after parsing (a config entry's `raw`), kept per object
 * while the object lives: a scan serializes each entry for its spec hash and again for the cross-config checks.
 * Throws as {@link canonicalJson} (nothing is kept then).
 */
export function canonicalJsonOfParsed(value: unknown): string {
  if (value === null || typeof value !== 'object') return canonicalJson(value);
  let text = parsedTexts.get(value);
  if (text === undefined) parsedTexts.set(value, (text = canonicalJson(value)));
  return text;
}

/** SHA-256 of a string (UTF-8 encoded) or bytes, as 64 lowercase hex digits. */
export function sha256Hex(data: string | Uint8Array): string {
  // `crypto.hash` (Node ≥ 20.12) is the one-shot form: no Hash object per call (a scan makes three per server).
  return oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string | Uint8Array, encoding: 'hex') => string }).hash;

/** SHA-256 (hex) of the RFC 8785 canonical JSON of `value`. Throws as {@link canonicalJson}. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
