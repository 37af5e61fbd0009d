import { Scanner, type ScanReport } from '../../core/scan';
import { Exit, openStore, readStoreStrict, scanOptionsFor, type GlobalOptions, type Io } from '../context';
import { reportToJson } from '../format/json';
import { renderSarif } from '../format/sarif';
import { renderTable } from '../format/table';

/** Options of `scan`. */
export interface ScanCommandOptions extends GlobalOptions {
  sarif?: boolean;
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
  if (opts.sarif) io.out(JSON.stringify(renderSarif(report, version), null, 2) + '\n');
  else if (opts.json) io.out(JSON.stringify(reportToJson(report), null, 2) + '\n');
  else io.out(renderTable(report, Boolean(process.stdout.isTTY) && !io.env.NO_COLOR));
  return exitStatusOf(report);
}
