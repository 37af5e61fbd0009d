/**
 * Shared plumbing of the item rules: run a per-string test over the bounded walk of an item and phrase where a
 * string sits.
 */
import type { Finding } from '../../types';
import { walkStrings, type WalkedString } from './walk';

/** Where a string sits, for messages: `description`, `key "x"`, `item`. */
export function where(s: WalkedString): string {
  if (s.isKey) return 'property name';
  if (s.pointer === '') return 'text';
  return s.field ?? 'array element';
}

/**
 * Runs `test` on every string of `item` (see {@link walkStrings}) and collects its findings.
 * At most `maxFindings` (default 50) findings per rule and item, so a hostile item cannot flood a report.
 */
export function eachString(item: unknown, test: (s: WalkedString) => Finding | null, maxFindings = 50): Finding[] {
  const out: Finding[] = [];
  for (const s of walkStrings(item).strings) {
    const f = test(s);
    if (f) {
      out.push(f);
      if (out.length >= maxFindings) break;
    }
  }
  return out;
}

/** First match among patterns, or `null`. */
export function firstMatch(text: string, patterns: readonly RegExp[]): RegExpExecArray | null {
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return m;
  }
  return null;
}
