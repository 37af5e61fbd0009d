/**
 * Cross-config check `confusable-name` (look-alike): a server name that looks like another configured server's
 * name without being it — same UTS #39 confusable skeleton, different characters (an all-Cyrillic `ѕеrvеr`
 * beside a trusted `server`, `gіthub` beside `github`). In a server list or an approval prompt it reads as the
 * trusted one. Mixed-script names are already flagged alone (`./confusable-name.ts`); this also catches names
 * written entirely in another script, which are only suspicious beside the name they imitate.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding } from '../rule';
import { isLookAlike, skeleton, snippet } from '../text';

const PLAIN = /^[\x20-\x7e]+$/;

/**
 * Finds server names that imitate another configured server's name. The imitation gets a high finding
 * (pointer `""`, rule `confusable-name`); a plain-ASCII name being imitated gets none.
 *
 * @param specs every server of a scan, any order.
 * @returns findings per spec, only for specs that have some. Never throws.
 */
export function checkLookAlikeServerNames(specs: readonly ServerSpec[]): Map<ServerSpec, Finding[]> {
  const bySkeleton = new Map<string, ServerSpec[]>();
  for (const s of specs) {
    if (typeof s.name !== 'string') continue;
    const k = skeleton(s.name);
    const list = bySkeleton.get(k);
    if (list) list.push(s);
    else bySkeleton.set(k, [s]);
  }
  const out = new Map<ServerSpec, Finding[]>();
  for (const list of bySkeleton.values()) {
    if (list.length < 2) continue;
    for (const s of list) {
      const other = list.find((o) => isLookAlike(s.name, o.name) && !(PLAIN.test(s.name) && !PLAIN.test(o.name)));
      if (!other) continue;
      const f = finding('confusable-name', 'high', `server name "${snippet(s.name, 60)}" looks like "${snippet(other.name, 60)}" of ${other.configFile} (same confusable skeleton, different characters): it can pass for that server`, '');
      out.set(s, [...(out.get(s) ?? []), f]);
    }
  }
  return out;
}
