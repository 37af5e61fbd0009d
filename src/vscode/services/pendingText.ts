/**
 * Pure parts of the pending-review prompts: which reviews recorded by a running guard proxy are new
 * to this window, and the text of their prompts. No `vscode` import, so unit tests run them directly.
 * Everything in a review is attacker-influenced (server names, reasons, tool names): it is shown through
 * {@link safeText} only.
 */
import type { PendingReview } from '../../core/trust/pending';
import { safeText } from '../text';

/** Most review ids remembered as prompted (memory and `globalState`); the oldest are forgotten first. */
export const MAX_REMEMBERED_REVIEW_IDS = 2_000;
/** Most prompts opened for one read of the pending file; the rest get one summary line. */
export const MAX_PROMPTS_AT_ONCE = 5;
/** Most withheld items named in one metadata prompt. */
const MAX_ITEMS_NAMED = 8;

/**
 * The reviews of `reviews` whose `id` is not in `seen`, in file order (oldest first), without duplicate ids.
 * Does not change `seen`.
 */
export function freshReviews(reviews: readonly PendingReview[], seen: ReadonlySet<string>): PendingReview[] {
  const out: PendingReview[] = [];
  const taken = new Set<string>();
  for (const r of reviews) {
    if (seen.has(r.id) || taken.has(r.id)) continue;
    taken.add(r.id);
    out.push(r);
  }
  return out;
}

/**
 * `previous` followed by `added` (ids already present are not repeated), cut to the newest `max` ids: what is
 * stored in `globalState`. Non-string entries of `previous` (a corrupted state) are dropped.
 */
export function rememberIds(previous: readonly unknown[], added: readonly string[], max = MAX_REMEMBERED_REVIEW_IDS): string[] {
  const set = new Set<string>();
  for (const id of previous) if (typeof id === 'string') set.add(id);
  for (const id of added) {
    set.delete(id);
    set.add(id);
  }
  const all = [...set];
  return all.length > max ? all.slice(all.length - max) : all;
}

/** The warning for a `launch` review: `MCP Trust Guard blocked <server> (<reason>)`. */
export function launchPromptText(r: PendingReview): string {
  return `MCP Trust Guard blocked ${safeText(r.name, 60)} (${safeText(r.reason, 200)})`;
}

/** The items of a `metadata` review as a list: `tool "a", prompt "b", … and N more`. */
export function withheldList(r: PendingReview, max = MAX_ITEMS_NAMED): string {
  const items = r.items ?? [];
  const named = items.slice(0, max).map((i) => `${i.kind === 'resourceTemplate' ? 'resource template' : i.kind} "${safeText(i.key, 60)}" (${i.state})`);
  if (items.length > max) named.push(`and ${items.length - max} more`);
  return named.length ? named.join(', ') : 'no items';
}

/** The warning for a `metadata` review, naming the withheld tools (and prompts, resources). */
export function metadataPromptText(r: PendingReview): string {
  return `MCP Trust Guard withheld from ${safeText(r.name, 60)}: ${withheldList(r)}. ${safeText(r.reason, 160)}`;
}
