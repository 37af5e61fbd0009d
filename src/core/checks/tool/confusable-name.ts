/**
 * Check `confusable-name`: a tool or prompt name that can pass for another (letters of several scripts outside
 * the UTS #39 "Highly Restrictive" combinations, or compatibility characters NFKC folds to something else).
 * A `reаd_file` with a Cyrillic `а` sits beside the real `read_file` in the model's tool list and in the
 * approval prompt, and takes its calls.
 */
import type { Finding } from '../../types';
import { finding, type ItemRule } from '../rule';
import { confusableName, snippet } from '../text';

/** See the file comment. Severity medium; pointer `/name`. Resources are named by URI and are not checked. */
export const confusableNameItem: ItemRule = {
  id: 'confusable-name',
  description: 'A tool or prompt name that mixes scripts or uses compatibility characters, so it can pass for another name.',
  check(item, ctx): Finding[] {
    if (ctx.kind !== 'tool' && ctx.kind !== 'prompt') return [];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return [];
    const name = (item as { name?: unknown }).name;
    if (typeof name !== 'string') return [];
    const c = confusableName(name);
    return c ? [finding('confusable-name', 'medium', `${ctx.kind} name "${snippet(name, 60)}" ${c.reason}: it can pass for another ${ctx.kind}`, '/name')] : [];
  },
};
