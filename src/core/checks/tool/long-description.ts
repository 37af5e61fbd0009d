/**
 * Rule `long-description`: a string longer than a person will review (> 4,000 characters: low; > 20,000:
 * medium). Long texts are where instructions hide, and they fill the model's context.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { eachString, where } from './common';

/** Thresholds in UTF-16 code units. */
export const LONG_TEXT_LOW = 4_000;
export const LONG_TEXT_MEDIUM = 20_000;

/** See the file comment. Counts the full length even when the walk examined only a prefix. */
export const longDescription: ItemRule = {
  id: 'long-description',
  description: 'Very long text (> 4,000 characters: low; > 20,000: medium).',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      if (s.fullLength <= LONG_TEXT_LOW) return null;
      const sev = s.fullLength > LONG_TEXT_MEDIUM ? 'medium' : 'low';
      return finding('long-description', sev, `${where(s)} is ${s.fullLength.toLocaleString('en-US')} characters long; nobody reviews that much`, s.pointer);
    }, 50, { decoded: false });
  },
};
