import { approvePendingMetadata, PendingReviewError, readPendingReviews, recordDecisions, resolvePendingReviews, type PendingReview } from '../../core/trust';
import { CliError, Exit, openStore, type GlobalOptions, type Io } from '../context';
import { clip, safeText } from '../format/text';
import { selectServer } from './select';

function find(reviews: PendingReview[], id: string): PendingReview {
  const hits = reviews.filter((r) => r.id === id || r.id.startsWith(id));
  if (hits.length === 1) return hits[0];
  throw new CliError(hits.length ? `"${id}" matches ${hits.length} pending reviews; give more of the id` : `no pending review "${id}"`, Exit.Attention);
}

function describe(r: PendingReview): string {
  const lines = [`${r.id}  ${r.kind}  "${safeText(r.name)}" in ${safeText(r.configFile)}  (${r.at})`, `  ${clip(safeText(r.reason), 400)}`];
  for (const it of r.items ?? []) {
    const d = it.item && typeof it.item === 'object' ? (it.item as { description?: unknown }).description : undefined;
    lines.push(`  ${it.state} ${it.kind} ${safeText(JSON.stringify(it.key))}${typeof d === 'string' ? `: ${clip(safeText(d), 300)}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

/**
 * `review` — lists the pending reviews that guard proxies recorded (`--json`: `{"reviews": [PendingReview…]}`);
 * exit 0 when there are none, 1 otherwise.
 * `review approve <id>` — a `metadata` review: pins its items into the server's record (`approvePendingMetadata`);
 * a `launch` review: approves the server's current launch spec, but only if its fingerprint is still the one
 * the proxy saw (so the user approves what was reviewed). Removes the review.
 * `review dismiss <id>` — removes the review without deciding anything.
 * `<id>` may be a unique prefix of the review id.
 * @throws CliError on an unknown action or id, or when the review no longer applies.
 */
export async function reviewCommand(action: string | undefined, id: string | undefined, opts: GlobalOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const reviews = await readPendingReviews(store.path);
  if (action === undefined) {
    if (opts.json) io.out(JSON.stringify({ reviews }, null, 2) + '\n');
    else if (!reviews.length) io.out('No pending reviews.\n');
    else for (const r of reviews) io.out(describe(r));
    return reviews.length ? Exit.Attention : Exit.Ok;
  }
  if (action !== 'approve' && action !== 'dismiss') throw new CliError(`unknown review action "${action}" (use approve or dismiss)`);
  if (!id) throw new CliError(`review ${action} needs a review id`);
  const r = find(reviews, id);
  if (action === 'dismiss') {
    await resolvePendingReviews(store.path, { id: r.id });
    io.out(opts.json ? JSON.stringify({ dismissed: r.id }) + '\n' : `dismissed ${r.id}\n`);
    return Exit.Ok;
  }
  if (r.kind === 'metadata') {
    try {
      await approvePendingMetadata(store, r, new Date());
    } catch (e) {
      if (e instanceof PendingReviewError) throw new CliError(e.message, Exit.Attention);
      throw e;
    }
    io.out(opts.json ? JSON.stringify({ approved: r.id, items: (r.items ?? []).length }) + '\n' : `pinned ${(r.items ?? []).length} item(s) of "${safeText(r.name)}"\n`);
    return Exit.Ok;
  }
  const current = await store.read();
  const s = await selectServer(r.configFile, r.pointer || r.name, opts, io, current.data);
  if (s.state === 'approved') {
    throw new CliError(`"${r.name}" is approved as it is now; the block was about how it was launched (${r.reason}). Nothing to approve; dismiss the review.`, Exit.Attention);
  }
  if (r.fingerprint && s.fingerprint.fingerprint !== r.fingerprint) {
    throw new CliError(`"${r.name}" changed again since the guard blocked it; run "mcp-trust-guard diff" and approve it explicitly`, Exit.Attention);
  }
  await recordDecisions(store, [s], 'approved', new Date());
  await resolvePendingReviews(store.path, { id: r.id });
  io.out(opts.json ? JSON.stringify({ approved: r.id }) + '\n' : `approved "${safeText(s.spec.name)}" in ${s.spec.configFile}\n`);
  return Exit.Ok;
}
