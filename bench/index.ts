// `npm run bench`: prints every figure the project promises, each against its target, in one run.
import { benchProbe } from './probe.bench';
import { benchProxy } from './proxy.bench';
import { benchScan } from './scan.bench';
import { printRow, type BenchRow } from './util';

async function main() {
  const sections: [string, () => Promise<BenchRow[]>][] = [
    ['Scan (issue 2)', benchScan],
    ['Probe and tool pins (issue 3)', benchProbe],
    ['Guard proxy (issue 5)', benchProxy],
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
