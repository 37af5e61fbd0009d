/**
 * Static checks of the metadata a server sends: the list of item
 * rules and the per-item entry point, plus the cross-server tool-name collision check. Each rule lives in its
 * own file of this folder; all of them share one bounded walk over the item (`./walk.ts`).
 */
import type { Finding } from '../../types';
import type { ItemCheckContext, ItemRule } from '../rule';
import { ansiEscape } from './ansi-escape';
import { base64Blob } from './base64-blob';
import { commandInstruction } from './command-instruction';
import { confusableNameItem } from './confusable-name';
import { crossServerShadowing } from './cross-server-shadowing';
import { encodedPayload } from './encoded-payload';
import { exfiltration } from './exfiltration';
import { hiddenInstructions } from './hidden-instructions';
import { invisibleUnicode } from './invisible-unicode';
import { longDescription } from './long-description';
import { metadataTooLarge } from './metadata-too-large';
import { secrecyDirective } from './secrecy-directive';
import { sensitivePath } from './sensitive-path';

export { checkToolNameCollisions, TOOL_NAME_COLLISION, type ToolNameCollision } from './tool-name-collision';

/** Every item rule, in the order their findings are reported. */
export const itemRules: readonly ItemRule[] = [
  hiddenInstructions,
  secrecyDirective,
  commandInstruction,
  exfiltration,
  sensitivePath,
  invisibleUnicode,
  confusableNameItem,
  ansiEscape,
  crossServerShadowing,
  longDescription,
  base64Blob,
  encodedPayload,
  metadataTooLarge,
];

/**
 * Runs every rule of {@link itemRules} on one item (a tool, prompt, resource, resource template, or the
 * server instructions string) exactly as the server sent it.
 *
 * @param item hostile JSON of any shape and size; the walk is bounded (see `./walk.ts`).
 * @param ctx what the item is and which other servers are configured.
 * @returns findings with RFC 6901 pointers into the item. Never throws: a rule that fails yields an
 *   `internal-error` finding (info).
 */
export function checkItem(item: unknown, ctx: ItemCheckContext): Finding[] {
  const out: Finding[] = [];
  for (const rule of itemRules) {
    try {
      for (const f of rule.check(item, ctx)) out.push(f);
    } catch (err) {
      out.push({ ruleId: 'internal-error', severity: 'info', message: `check ${rule.id} failed: ${err instanceof Error ? err.message : String(err)}`, pointer: '' });
    }
  }
  return out;
}
