/**
 * Rule `invisible-unicode`: invisible Unicode in any string of the item: zero-width characters, bidi controls
 * (U+202A–U+202E, U+2066–U+2069), tag characters U+E0000–U+E007F ("ASCII smuggling": decoded and shown in the
 * message) — high — and other invisible format characters (soft hyphen, variation selectors, fillers) —
 * medium. The model reads them; a person reviewing the description does not see them.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { decodeTagChars, describeCodePoints, findInvisible, mayContainInvisible, snippet } from '../text';
import { eachString, where } from './common';

/** See the file comment. Control characters are left to `ansi-escape`. */
export const invisibleUnicode: ItemRule = {
  id: 'invisible-unicode',
  description: 'Invisible Unicode (zero-width, bidi controls, tag characters decoded and shown) in any string of the item.',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      if (!mayContainInvisible(s.text)) return null;
      const found = findInvisible(s.text).filter((f) => f.kind !== 'control');
      if (found.length === 0) return null;
      const high = found.some((f) => f.kind !== 'format');
      const tags = found.some((f) => f.kind === 'tag') ? ` Hidden text in tag characters: "${snippet(decodeTagChars(s.text), 300)}".` : '';
      return finding(
        'invisible-unicode',
        high ? 'high' : 'medium',
        `${where(s)} contains ${found.length} invisible character(s) (${describeCodePoints(found)}).${tags} Shown: ${snippet(s.text, 160)}`,
        s.pointer,
      );
    });
  },
};
