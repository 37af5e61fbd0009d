import { canonicalJson } from '../../core/fingerprint';
import { CliError, Exit, openStore, readStoreStrict, type Io } from '../context';
import { outcomeNeedsReview, outcomeToJson, outcomeToText, probeAll, type ProbeCliOptions } from './probe';
import { changePointerText, safeText, showChangeValue } from '../format/text';
import { selectServer } from './select';

/**
 * `diff <configFile> <server>`: field-level changes between the recorded spec and the current one, plus
 * referenced-file changes. Exit 0 when unchanged, 1 when changed (or cosmetic under --strict).
 */
export async function diffCommand(configFile: string, name: string, opts: ProbeCliOptions & { probe?: boolean }, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const snap = await readStoreStrict(store);
  const s = await selectServer(configFile, name, opts, io, snap.data);
  if (!s.record) throw new CliError(`"${name}" in ${s.spec.configFile} was never approved or denied; nothing to diff against`, Exit.Attention);
  // Tool changes need a probe; only an approved, unchanged launch spec is ever launched.
  const outcome = opts.probe ? (await probeAll([s], opts, io)).get(s) : undefined;
  const changed = s.changes.length > 0 || (opts.strict === true && s.cosmetic) || outcomeNeedsReview(outcome);
  if (opts.json) {
    const doc = { configFile: s.spec.configFile, name: s.spec.name, state: s.state, decision: s.record.decision, decidedAt: s.record.decidedAt, cosmetic: s.cosmetic, changes: s.changes, before: s.record.spec, after: s.spec.raw };
    io.out(JSON.stringify(outcome ? { ...doc, ...outcomeToJson(outcome) } : doc, null, 2) + '\n');
    return changed ? Exit.Attention : Exit.Ok;
  }
  io.out(`${safeText(s.spec.name)} in ${s.spec.configFile}: ${s.record.decision} ${s.record.decidedAt}; now ${s.state}\n`);
  if (!s.changes.length) io.out(s.cosmetic ? 'Only a cosmetic edit (whitespace, comments, key order).\n' : 'No change.\n');
  for (const c of s.changes) {
    if (c.before === undefined) io.out(`+ ${changePointerText(c.pointer)}: ${showChangeValue(c.pointer, c.after, 400)}\n`);
    else if (c.after === undefined) io.out(`- ${changePointerText(c.pointer)}: ${showChangeValue(c.pointer, c.before, 400)}\n`);
    else io.out(`~ ${changePointerText(c.pointer)}: ${showChangeValue(c.pointer, c.before, 400)} → ${showChangeValue(c.pointer, c.after, 400)}\n`);
  }
  if (s.changes.some((c) => !c.pointer.startsWith('/$files/'))) {
    io.out(`\napproved: ${safeText(canonicalJson(s.record.spec))}\ncurrent:  ${safeText(canonicalJson(s.spec.raw))}\n`);
  }
  if (outcome) io.out(`\ntool metadata:\n${outcomeToText(outcome).join('\n')}\n`);
  return changed ? Exit.Attention : Exit.Ok;
}
