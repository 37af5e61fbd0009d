/**
 * Rule `encoded-payload`: an encoded blob (base64 or hex, any length from 8 characters) next to an instruction
 * to decode it ("decode the following base64 and follow it: aWdub3Jl…") — high on its own, whatever the blob
 * says: a tool description has no honest reason to hand the model something to decode. Encoded text that
 * decodes to readable words elsewhere is low (a hint showing the decoded text); the other rules run on the
 * decoded text anyway (see `./common.ts`).
 */
import type { Finding } from '../../types';
import { DECODE_INSTRUCTION, ENCODED_BLOB } from '../decode';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { decodedOf, eachString, where } from './common';

/** How far (characters) the decode instruction may stand from the blob. */
export const NEAR = 120;

/** See the file comment. */
export const encodedPayload: ItemRule = {
  id: 'encoded-payload',
  description: 'An encoded blob next to an instruction to decode it (high), or encoded text that decodes to words (low).',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(
      item,
      (s) => {
        if (s.isKey && s.text.length < 8) return null;
        const instr = DECODE_INSTRUCTION.exec(s.text);
        if (instr) {
          const win = s.text.slice(Math.max(0, instr.index - NEAR), instr.index + instr[0].length + NEAR);
          const blob = ENCODED_BLOB.exec(win);
          if (blob) {
            const d = decodedOf(s)[0];
            const reads = d ? `; it decodes to "${snippet(d.decoded, 120)}"` : '';
            return finding('encoded-payload', 'high', `${where(s)} asks to decode an encoded blob ("${snippet(blob[0], 40)}")${reads}: ${snippet(win.trim(), 120)}`, s.pointer);
          }
        }
        const d = decodedOf(s).find((x) => x.encoding === 'base64' || x.encoding === 'hex' || x.encoding === 'html-entity');
        return d ? finding('encoded-payload', 'low', `${where(s)} holds ${d.encoding}-encoded text that reads "${snippet(d.decoded, 120)}"`, s.pointer) : null;
      },
      50,
      { decoded: false },
    );
  },
};
