import { Scanner, type ScanReport } from '../../core/scan';
import { Exit, openStore, readStoreStrict, scanOptionsFor, type Io } from '../context';
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

/** `mcp-trust-guard scan [dir...]`: every server of the dirs' configs (and the user's), against the trust store. */
export async function scanCommand(dirs: string[], opts: ScanCommandOptions, io: Io, version: string): Promise<Exit> {
  const store = openStore(opts, io);
  const snap = await readStoreStrict(store);
  const report = await new Scanner(scanOptionsFor(dirs, opts, io)).scanAll(snap.data);
  const outcomes = opts.probe ? await probeAll(report.servers, opts, io) : undefined;
  if (opts.sarif) {
    io.out(JSON.stringify(renderSarif(report, version), null, 2) + '\n');
  } else if (opts.json) {
    const doc = reportToJson(report);
    if (outcomes) doc.servers = report.servers.map((s) => ({ ...serverToJson(s), ...outcomeToJson(outcomes.get(s)!) }));
    io.out(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const extra = outcomes && new Map(report.servers.map((s) => [s, s.state === 'approved' ? outcomeToText(outcomes.get(s)!) : []]));
    io.out(renderTable(report, Boolean(process.stdout.isTTY) && !io.env.NO_COLOR, extra));
  }
  const status = exitStatusOf(report);
  return outcomes && [...outcomes.values()].some(outcomeNeedsReview) ? Exit.Attention : status;
}
