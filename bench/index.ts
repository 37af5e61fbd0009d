// `npm run bench`: prints every figure the project promises, each against its target, in one run.
import { benchAudit } from './audit.bench';
import { benchClosure } from './closure.bench';
import { benchPackage } from './package.bench';
import { benchProbe } from './probe.bench';
import { benchProxy } from './proxy.bench';
import { benchScan } from './scan.bench';
import { printRow, type BenchRow } from './util';
import { benchVscode } from './vscode.bench';

async function main() {
  const sections: [string, () => Promise<BenchRow[]>][] = [
    ['Scan', benchScan],
    ['Code closure', benchClosure],
    ['Probe and tool pins', benchProbe],
    ['Guard proxy', benchProxy],
    ['Extension in code-server', benchVscode],
    ['Package', benchPackage],
    ['Audit trail', benchAudit],
  ];
  for (const [title, run] of sections) {
    console.log(`\n${title}`);
    for (const row of await run()) printRow(row);
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
