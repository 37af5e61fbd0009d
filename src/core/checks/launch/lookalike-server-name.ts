/**
 * Cross-config check `confusable-name` (look-alike): a server name that looks like another configured server's
 * name without being it — same UTS #39 confusable skeleton, different characters (an all-Cyrillic `ѕеrvеr`
 * beside a trusted `server`, `gіthub` beside `github`). In a server list or an approval prompt it reads as the
 * trusted one. Mixed-script names are already flagged alone (`./confusable-name.ts`); this also catches names
 * written entirely in another script, which are only suspicious beside the name they imitate.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding } from '../rule';
import { skeleton, snippet } from '../text';

// Specs are immutable once parsed; a scanner re-runs this check over unchanged specs after every file change.
const skeletonCache = new WeakMap<ServerSpec, string>();

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
    let k = skeletonCache.get(s);
    if (k === undefined) skeletonCache.set(s, (k = skeleton(s.name)));
    const list = bySkeleton.get(k);
    if (list) list.push(s);
    else bySkeleton.set(k, [s]);
  }
  const out = new Map<ServerSpec, Finding[]>();
  for (const list of bySkeleton.values()) {
    if (list.length < 2) continue;
    // Names in a group share a skeleton, so a look-alike (`isLookAlike`) is any other name of the group: compare against the
    // group's distinct names (first spec of each, in list order) instead of every spec, which is quadratic when
    // one name repeats across many files.
    const firstOf = new Map<string, ServerSpec>();
    for (const o of list) if (!firstOf.has(o.name)) firstOf.set(o.name, o);
    if (firstOf.size < 2) continue;
    for (const s of list) {
      let other: ServerSpec | undefined;
      for (const o of firstOf.values()) {
        if (s.name !== o.name && !(PLAIN.test(s.name) && !PLAIN.test(o.name))) {
          other = o;
          break;
        }
      }
      if (!other) continue;
      const f = finding('confusable-name', 'high', `server name "${snippet(s.name, 60)}" looks like "${snippet(other.name, 60)}" of ${other.configFile} (same confusable skeleton, different characters): it can pass for that server`, '');
      out.set(s, [...(out.get(s) ?? []), f]);
    }
  }
  return out;
}
