/**
 * Shared plumbing of the item rules: run a per-string test over the bounded walk of an item and phrase where a
 * string sits.
 */
import type { Finding } from '../../types';
import { decodeEncoded, type DecodedText } from '../decode';
import { snippet } from '../text';
import { walkStrings, type WalkedString } from './walk';

/** The decoded readings of a walked string (see `../decode.ts`), computed once per string for all rules. */
export function decodedOf(s: WalkedString): DecodedText[] {
  return (s.decoded ??= decodeEncoded(s.text));
}

/** Where a string sits, for messages: `description`, `key "x"`, `item`. */
export function where(s: WalkedString): string {
  if (s.isKey) return 'property name';
  if (s.pointer === '') return 'text';
  return s.field ?? 'array element';
}

/**
 * Runs `test` on every string of `item` (see {@link walkStrings}) and collects its findings. When a string
 * yields nothing as written, `test` runs again on each decoded reading of it (base64, hex, percent-encoding,
 * `\u` escapes, HTML entities; see `../decode.ts`), and a finding there says what was decoded and shows it.
 * At most `maxFindings` (default 50) findings per rule and item, so a hostile item cannot flood a report.
 *
 * @param opts.decoded false for rules about the text as written (length, the blob itself).
 */
export function eachString(item: unknown, test: (s: WalkedString) => Finding | null, maxFindings = 50, opts: { decoded?: boolean } = {}): Finding[] {
  const out: Finding[] = [];
  for (const s of walkStrings(item).strings) {
    let f = test(s);
    if (!f && opts.decoded !== false) {
      for (const d of decodedOf(s)) {
        const g = test({ ...s, text: d.text });
        if (g) {
          f = { ...g, message: `${g.message} [in ${d.encoding}-encoded text that decodes to "${snippet(d.decoded, 160)}"]` };
          break;
        }
      }
    }
    if (f) {
      out.push(f);
      if (out.length >= maxFindings) break;
    }
  }
  return out;
}

/**
 * The sentence around [start, end) of `text`: from just after the last `.`/`!`/`?` followed by a space (or line
 * break) before `start`, to the next one after `end`, each at most `reach` characters away.
 *
 * @returns `[from, to)` offsets into `text`.
 */
export function sentenceBounds(text: string, start: number, end: number, reach = 400): [number, number] {
  let from = Math.max(0, start - reach);
  const ends = /[.!?](?=\s)|\n/g;
  ends.lastIndex = from;
  for (let m = ends.exec(text); m && m.index < start; m = ends.exec(text)) from = m.index + 1;
  ends.lastIndex = end;
  const next = ends.exec(text);
  return [from, next && next.index < end + reach ? next.index + 1 : Math.min(text.length, end + reach)];
}

/** First match among patterns, or `null`. */
export function firstMatch(text: string, patterns: readonly RegExp[]): RegExpExecArray | null {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m;
  }
  return null;
}
