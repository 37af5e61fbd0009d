import { canonicalJson } from '../../core/fingerprint';
import { CliError, Exit, openStore, readStoreStrict, type GlobalOptions, type Io } from '../context';
import { safeText, showChangeValue } from '../format/text';
import { selectServer } from './select';

/**
 * `diff <configFile> <server>`: field-level changes between the recorded spec and the current one, plus
 * referenced-file changes. Exit 0 when unchanged, 1 when changed (or cosmetic under --strict).
 */
export async function diffCommand(configFile: string, name: string, opts: GlobalOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const snap = await readStoreStrict(store);
  const s = await selectServer(configFile, name, opts, io, snap.data);
  if (!s.record) throw new CliError(`"${name}" in ${s.spec.configFile} was never approved or denied; nothing to diff against`, Exit.Attention);
  const changed = s.changes.length > 0 || (opts.strict === true && s.cosmetic);
  if (opts.json) {
    io.out(JSON.stringify({ configFile: s.spec.configFile, name: s.spec.name, state: s.state, decision: s.record.decision, decidedAt: s.record.decidedAt, cosmetic: s.cosmetic, changes: s.changes, before: s.record.spec, after: s.spec.raw }, null, 2) + '\n');
    return changed ? Exit.Attention : Exit.Ok;
  }
  io.out(`${safeText(s.spec.name)} in ${s.spec.configFile}: ${s.record.decision} ${s.record.decidedAt}; now ${s.state}\n`);
  if (!s.changes.length) io.out(s.cosmetic ? 'Only a cosmetic edit (whitespace, comments, key order).\n' : 'No change.\n');
  for (const c of s.changes) {
    if (c.before === undefined) io.out(`+ ${safeText(c.pointer)}: ${showChangeValue(c.pointer, c.after, 400)}\n`);
    else if (c.after === undefined) io.out(`- ${safeText(c.pointer)}: ${showChangeValue(c.pointer, c.before, 400)}\n`);
    else io.out(`~ ${safeText(c.pointer)}: ${showChangeValue(c.pointer, c.before, 400)} → ${showChangeValue(c.pointer, c.after, 400)}\n`);
  }
  if (s.changes.some((c) => !c.pointer.startsWith('/$files/'))) {
    io.out(`\napproved: ${safeText(canonicalJson(s.record.spec))}\ncurrent:  ${safeText(canonicalJson(s.spec.raw))}\n`);
  }
  return changed ? Exit.Attention : Exit.Ok;
}
