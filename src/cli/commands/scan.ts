import { resolve } from 'node:path';
import { Scanner, type ScanReport } from '../../core/scan';
import { emptyStore } from '../../core/trust';
import { scanAuditRecords } from '../../core/audit';
import { Exit, openAudit, openStore, policyFor, readStoreStrict, reportPolicyProblems, scanOptionsFor, type Io } from '../context';
import { outcomeNeedsReview, outcomeToJson, outcomeToText, probeAll, type ProbeCliOptions } from './probe';
import { reportToJson, serverToJson } from '../format/json';
import { renderSarif } from '../format/sarif';
import { renderTable } from '../format/table';

/** Options of `scan`. */
export interface ScanCommandOptions extends ProbeCliOptions {
  sarif?: boolean;
  probe?: boolean;
}

/** 0 when every server is approved and nothing is high and every file parsed; else 1. */
export function exitStatusOf(r: ScanReport): Exit {
  const attention =
    r.errors.length > 0 ||
    r.findings.some((f) => f.severity === 'high') ||
    r.servers.some((s) => s.state !== 'approved' || s.findings.some((f) => f.severity === 'high'));
  return attention ? Exit.Attention : Exit.Ok;
}

/**
 * `mcp-trust-guard scan [dir...]`: every server of the dirs' configs (and the user's), against the trust store
 * and the organization policy. With `--policy <file>` (CI) only that policy decides: no store, no user files.
 * Exit 0 all approved, 1 something to look at, 2 an error (the policy is unusable, the store unreadable).
 */
export async function scanCommand(dirs: string[], opts: ScanCommandOptions, io: Io, version: string): Promise<Exit> {
  const policy = await policyFor(opts, io);
  const data = opts.policy ? emptyStore() : (await readStoreStrict(openStore(opts, io))).data;
  const report = await new Scanner(scanOptionsFor(dirs, opts, io, policy)).scanAll(data);
  const unusable = reportPolicyProblems(policy, io);
  const audit = openAudit(opts, io, policy);
  for (const rec of scanAuditRecords(report.servers)) audit.record(rec);
  const outcomes = opts.probe ? await probeAll(report.servers, opts, io) : undefined;
  if (opts.sarif) {
    io.out(JSON.stringify(renderSarif(report, version, resolve(io.cwd, dirs[0] ?? '.')), null, 2) + '\n');
  } else if (opts.json) {
    const doc = reportToJson(report);
    if (outcomes) doc.servers = report.servers.map((s) => ({ ...serverToJson(s), ...outcomeToJson(outcomes.get(s)!) }));
    io.out(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const extra = outcomes && new Map(report.servers.map((s) => [s, s.state === 'approved' ? outcomeToText(outcomes.get(s)!) : []]));
    io.out(renderTable(report, Boolean(process.stdout.isTTY) && !io.env.NO_COLOR, extra));
  }
  const status = unusable ? Exit.Usage : exitStatusOf(report);
  return outcomes && status !== Exit.Usage && [...outcomes.values()].some(outcomeNeedsReview) ? Exit.Attention : status;
}
