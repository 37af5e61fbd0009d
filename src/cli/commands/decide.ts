import { Scanner, type ServerReport } from '../../core/scan';
import { forgetRecords, recordDecisions, type Decision } from '../../core/trust';
import { CliError, Exit, openStore, scanOptionsFor, type GlobalOptions, type Io } from '../context';
import { launchLine } from '../format/table';
import { clip, safeText } from '../format/text';
import { selectServer } from './select';

function warnProblem(io: Io, problem: { message: string; keptAs?: string } | undefined) {
  if (problem) io.err(`warning: the trust store was unusable (${problem.message}); it was kept aside as ${problem.keptAs ?? '(not found)'}\n`);
}

/** `approve <configFile> <server>` / `deny <configFile> <server>`: records the decision for the server's current spec. */
export async function decideCommand(decision: Decision, configFile: string, name: string, opts: GlobalOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const current = await store.read();
  const s = await selectServer(configFile, name, opts, io, current.data);
  const snap = await recordDecisions(store, [s], decision, new Date());
  warnProblem(io, snap.problem);
  const verb = decision === 'approved' ? 'approved' : 'denied';
  if (opts.json) {
    io.out(JSON.stringify({ [verb]: [{ configFile: s.spec.configFile, name: s.spec.name, fingerprint: s.fingerprint.fingerprint }] }) + '\n');
  } else {
    io.out(`${verb} "${safeText(s.spec.name)}" in ${s.spec.configFile}\n  launch: ${clip(safeText(launchLine(s)), 200)}\n  fingerprint: ${s.fingerprint.fingerprint}\n`);
    for (const f of s.fingerprint.files) io.out(`  pinned file (${f.via}): ${safeText(f.ref)} ${f.sha256 ?? '(missing)'}\n`);
  }
  return Exit.Ok;
}

/** `approve --all [dir...]`: approves every server that is new or changed in the scan (never silently: each is printed). */
export async function approveAllCommand(dirs: string[], opts: GlobalOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const current = await store.read();
  const report = await new Scanner(scanOptionsFor(dirs, opts, io)).scanAll(current.data);
  const todo: ServerReport[] = report.servers.filter((s) => s.state === 'new' || s.state === 'changed');
  if (!todo.length) {
    io.out('Nothing to approve.\n');
    return Exit.Ok;
  }
  const snap = await recordDecisions(store, todo, 'approved', new Date());
  warnProblem(io, snap.problem);
  if (opts.json) io.out(JSON.stringify({ approved: todo.map((s) => ({ configFile: s.spec.configFile, name: s.spec.name, fingerprint: s.fingerprint.fingerprint })) }) + '\n');
  else for (const s of todo) io.out(`approved "${safeText(s.spec.name)}" (${s.spec.host}) in ${s.spec.configFile}: ${clip(safeText(launchLine(s)), 120)}\n`);
  return Exit.Ok;
}

/** `forget <configFile> <server>`: removes the record; the server is new again. */
export async function forgetCommand(configFile: string, name: string, opts: GlobalOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const current = await store.read();
  const s = await selectServer(configFile, name, opts, io, current.data);
  const n = await forgetRecords(store, [{ configFile: s.spec.configFile, pointer: s.spec.pointer }]);
  if (!n) throw new CliError(`nothing recorded for "${name}" in ${s.spec.configFile}`, Exit.Attention);
  io.out(opts.json ? JSON.stringify({ forgotten: [{ configFile: s.spec.configFile, name: s.spec.name }] }) + '\n' : `forgot "${safeText(s.spec.name)}" in ${s.spec.configFile}\n`);
  return Exit.Ok;
}
