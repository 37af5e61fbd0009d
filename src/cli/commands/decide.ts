import { evaluateServer, Scanner, type ServerReport } from '../../core/scan';
import { forgetRecords, recordDecisions, recordKey, type Decision, type TrustStore } from '../../core/trust';
import { serverFields } from '../../core/audit';
import { CliError, Exit, openAudit, openStore, scanOptionsFor, type GlobalOptions, type Io } from '../context';
import { outcomeToText, probeAll, type ProbeCliOptions } from './probe';
import { inWorkspace, launchLine } from '../format/table';
import { clip, safeText } from '../format/text';
import { selectServer } from './select';

function warnProblem(io: Io, problem: { message: string; keptAs?: string } | undefined) {
  if (problem) io.err(`warning: the trust store was unusable (${problem.message}); it was kept aside as ${problem.keptAs ?? '(not found)'}\n`);
}

/** One audit record per decision (lever `user`). */
function auditDecisions(opts: GlobalOptions, io: Io, servers: readonly ServerReport[], decision: Decision): void {
  const audit = openAudit(opts, io);
  for (const s of servers) {
    audit.record({ ...serverFields(s), event: decision === 'approved' ? 'server.approved' : 'server.denied', outcome: decision, lever: 'user', reason: `${decision} by the user` });
  }
}

/** Options of approve/deny: `--probe` also launches the (now approved) server and pins its tool metadata. */
export interface DecideOptions extends ProbeCliOptions {
  probe?: boolean;
}

/**
 * After an approval: probes the servers (their launch spec is approved now) and pins what they sent into
 * their records. A record whose fingerprint moved in the meantime is left alone.
 * @returns Exit.Attention when a probe failed (the launch approval stands; tools are not pinned).
 */
async function probeAndPin(store: TrustStore, approved: readonly ServerReport[], opts: DecideOptions, io: Io): Promise<Exit> {
  const snap = await store.read();
  const now = approved.map((s) => evaluateServer(s.spec, s.fingerprint, snap.data, { strict: false }));
  const outcomes = await probeAll(now, opts, io);
  let status = Exit.Ok;
  await store.update((data) => {
    for (const [s, o] of outcomes) {
      const rec = data.records[recordKey(s.spec.configFile, s.spec.pointer, s.spec.resolvedIn)];
      if (!('report' in o) || !o.report.probe.ok) {
        status = Exit.Attention;
        continue;
      }
      if (rec && rec.decision === 'approved' && rec.fingerprint === s.fingerprint.fingerprint) rec.metadata = o.report.current;
    }
  });
  for (const [s, o] of outcomes) {
    const lines = outcomeToText(o);
    if (opts.json) continue;
    io.out(`tool metadata of "${safeText(s.spec.name)}": ${'report' in o && o.report.probe.ok ? 'pinned' : 'NOT pinned'}\n${lines.join('\n')}\n`);
  }
  return status;
}

/** `approve <configFile> <server>` / `deny <configFile> <server>`: records the decision for the server's current spec. */
export async function decideCommand(decision: Decision, configFile: string, name: string, opts: DecideOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const current = await store.read();
  const s = await selectServer(configFile, name, opts, io, current.data);
  const snap = await recordDecisions(store, [s], decision, new Date());
  warnProblem(io, snap.problem);
  auditDecisions(opts, io, [s], decision);
  const verb = decision === 'approved' ? 'approved' : 'denied';
  if (opts.json) {
    io.out(JSON.stringify({ [verb]: [{ configFile: s.spec.configFile, name: s.spec.name, fingerprint: s.fingerprint.fingerprint }] }) + '\n');
  } else {
    io.out(`${verb} "${safeText(s.spec.name)}" in ${s.spec.configFile}${inWorkspace(s)}\n  launch: ${clip(safeText(launchLine(s)), 200)}\n  fingerprint: ${s.fingerprint.fingerprint}\n`);
    // Files the entry names are listed; the code closure (modules, manifests, trees) is summed up by kind.
    const named = s.fingerprint.files.filter((f) => f.via === 'command' || f.via === 'arg' || f.via === 'envFile' || f.via === 'cwd');
    for (const f of named) io.out(`  pinned file (${f.via}): ${safeText(f.ref)} ${f.sha256 ?? '(missing)'}\n`);
    const byKind = new Map<string, number>();
    for (const f of s.fingerprint.files) if (!named.includes(f)) byKind.set(f.via, (byKind.get(f.via) ?? 0) + 1);
    if (byKind.size) io.out(`  pinned code closure: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')} file(s)\n`);
    for (const f of s.findings) if (f.severity === 'high') io.out(`  ${f.ruleId} (high): ${clip(safeText(f.message), 300)}\n`);
  }
  return decision === 'approved' && opts.probe ? probeAndPin(store, [s], opts, io) : Exit.Ok;
}

/** `approve --all [dir...]`: approves every server that is new or changed in the scan (never silently: each is printed). */
export async function approveAllCommand(dirs: string[], opts: DecideOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const current = await store.read();
  const report = await new Scanner(scanOptionsFor(dirs, opts, io)).scanAll(current.data);
  const todo: ServerReport[] = report.servers.filter((s) => s.state === 'new' || s.state === 'changed');
  // With --probe, approved servers whose tools were never pinned are probed and pinned too.
  const unpinned = report.servers.filter((s) => s.state === 'approved' && s.record?.metadata === undefined);
  if (!todo.length) {
    if (!opts.json) io.out('No new or changed server to approve.\n');
    return opts.probe && unpinned.length ? probeAndPin(store, unpinned, opts, io) : Exit.Ok;
  }
  const snap = await recordDecisions(store, todo, 'approved', new Date());
  warnProblem(io, snap.problem);
  auditDecisions(opts, io, todo, 'approved');
  if (opts.json) io.out(JSON.stringify({ approved: todo.map((s) => ({ configFile: s.spec.configFile, name: s.spec.name, fingerprint: s.fingerprint.fingerprint })) }) + '\n');
  else for (const s of todo) io.out(`approved "${safeText(s.spec.name)}" (${s.spec.host}) in ${s.spec.configFile}${inWorkspace(s)}: ${clip(safeText(launchLine(s)), 120)}\n`);
  return opts.probe ? probeAndPin(store, [...todo, ...unpinned], opts, io) : Exit.Ok;
}

/** `forget <configFile> <server>`: removes the record; the server is new again. */
export async function forgetCommand(configFile: string, name: string, opts: GlobalOptions, io: Io): Promise<Exit> {
  const store = openStore(opts, io);
  const current = await store.read();
  const s = await selectServer(configFile, name, opts, io, current.data);
  const n = await forgetRecords(store, [{ configFile: s.spec.configFile, pointer: s.spec.pointer, resolvedIn: s.spec.resolvedIn }]);
  if (!n) throw new CliError(`nothing recorded for "${name}" in ${s.spec.configFile}`, Exit.Attention);
  openAudit(opts, io).record({ ...serverFields(s), event: 'server.forgotten', outcome: 'forgotten', lever: 'user', reason: 'the decision was removed; the server is new again' });
  io.out(opts.json ? JSON.stringify({ forgotten: [{ configFile: s.spec.configFile, name: s.spec.name }] }) + '\n' : `forgot "${safeText(s.spec.name)}" in ${s.spec.configFile}\n`);
  return Exit.Ok;
}
