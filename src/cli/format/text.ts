import { displayText } from '../../core/checks/text';
import { fileChangeLabel } from '../../core/scan/evaluate';

/**
 * Makes attacker-written text safe to print on a terminal (see `displayText` in `src/core/checks/text.ts`):
 * control characters become `\xNN`, invisible ones `⟦U+200B⟧`; newlines become `\n` unless `keepNewlines`.
 */
export const safeText: (s: string, keepNewlines?: boolean) => string = displayText;

/** Cuts `s` to `max` characters with an ellipsis. */
export function clip(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.max(0, max - 1)) + '…';
}

/** A JSON value shown on one line, safe for a terminal, at most `max` characters. */
export function showValue(v: unknown, max = 120): string {
  if (v === undefined) return '(absent)';
  return clip(safeText(JSON.stringify(v) ?? String(v)), max);
}

/**
 * Shows the before/after value of a change. Referenced-file changes (`/$files/…`) carry content hashes:
 * shown as the first 12 hex digits, `null` as "missing".
 */
export function showChangeValue(pointer: string, v: unknown, max = 120): string {
  if (pointer.startsWith('/$files/')) {
    if (v === undefined) return '(not referenced)';
    if (v === null) return 'missing';
    if (typeof v === 'string') return `sha256:${v.slice(0, 12)}`;
  }
  return showValue(v, max);
}

/** A change's pointer for a terminal; a referenced-file change also says which file (and manifest key) it is. */
export function changePointerText(pointer: string): string {
  const label = fileChangeLabel(pointer);
  return safeText(label ? `${pointer} (${label})` : pointer);
}

/** Colours for a TTY; identity functions otherwise (and when NO_COLOR is set). */
export function palette(enabled: boolean) {
  const wrap = (code: string) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: wrap('31'), green: wrap('32'), yellow: wrap('33'), dim: wrap('2'), bold: wrap('1') };
}

/** Length of `s` as shown on a terminal, ignoring the SGR colour codes of {@link palette}. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}
