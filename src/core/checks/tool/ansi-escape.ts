/**
 * Rule `ansi-escape`: terminal escape sequences (ESC U+001B, C1 controls U+0080–U+009F such as CSI U+009B and
 * OSC U+009D) — high: in a terminal-based host they can hide text, rewrite what was printed or set hyperlinks —
 * and other C0 control characters (backspace, form feed, …; TAB, LF and CR are fine) — medium.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, where } from './common';

// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001B|[\u0080-\u009F]/;
// eslint-disable-next-line no-control-regex
const OTHER_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001A\u001C-\u001F\u007F]/;

/** See the file comment. */
export const ansiEscape: ItemRule = {
  id: 'ansi-escape',
  description: 'ANSI/C1 escape sequences (ESC[…, U+009B) or other control characters in any string of the item.',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      if (ESCAPES.test(s.text)) return finding('ansi-escape', 'high', `${where(s)} contains terminal escape sequences: ${snippet(s.text, 120)}`, s.pointer);
      if (OTHER_CONTROLS.test(s.text)) return finding('ansi-escape', 'medium', `${where(s)} contains control characters: ${snippet(s.text, 120)}`, s.pointer);
      return null;
    });
  },
};
