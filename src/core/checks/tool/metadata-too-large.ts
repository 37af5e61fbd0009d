/**
 * Rule `metadata-too-large`: the item is too big or too deeply nested to check whole (over 2 MiB of text,
 * 200,000 JSON values or 64 levels; see `./walk.ts`). The part beyond the cut was not checked.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { walkStrings } from './walk';

/** See the file comment. Severity medium; pointer where the walk stopped. */
export const metadataTooLarge: ItemRule = {
  id: 'metadata-too-large',
  description: 'The item is too large or too deeply nested to be checked whole.',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    const t = walkStrings(item).truncated;
    return t ? [finding('metadata-too-large', 'medium', `only part of the item was checked: ${t.reason}`, t.pointer)] : [];
  },
};
