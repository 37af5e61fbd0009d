// Benchmark: the code closure of a launch.
// - closure of a 500-module Node server: cold (fresh caches, the tracer already loaded) and warm re-check;
// - full scan of 10,000 servers with the closure (cold and warm) against the same scan without it;
// - memory held by the closure cache for 1,000 servers.
// Targets (2-core machine): 500 modules < 200 ms cold, < 5 ms warm; 10,000 servers < 1 s.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ClosureCache, computeClosure } from '../src/core/launch';
import { FileHashCache } from '../src/core/launch/hash';
import { Scanner } from '../src/core/scan';
import { emptyStore } from '../src/core/trust';
import { median, printRow, type BenchRow } from './util';

/** A Node server of `n` modules in `dir` (a tree: module i requires 2i+1 and 2i+2), with a package.json. */
function nodeServer(dir: string, n: number): string {
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'srv', version: '1.0.0', main: 'server.js' }));
  for (let i = 0; i < n - 1; i++) {
    const kids = [2 * i + 1, 2 * i + 2].filter((k) => k < n - 1).map((k) => `require('./m${k}.js');`);
    writeFileSync(join(dir, 'lib', `m${i}.js`), `${kids.join('\n')}\nmodule.exports = function f${i}(x) { return x + ${i}; };\n`);
  }
  writeFileSync(join(dir, 'server.js'), "require('./lib/m0.js');\n");
  return join(dir, 'server.js');
}

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function time<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await f();
  return [performance.now() - t0, r];
}

/** Runs the closure benchmark and returns its rows. */
export async function benchClosure(): Promise<BenchRow[]> {
  const root = mkdtempSync(join(tmpdir(), 'mtg-bench-closure-'));
  try {
    const rows: BenchRow[] = [];
    // Load and JIT the tracer on another tree first, so "cold" measures the caches, not module loading.
    const warmDir = join(root, 'warm');
    nodeServer(warmDir, 50);
    await computeClosure({ command: 'node', args: ['server.js'], cwd: warmDir, repoRoot: warmDir, workspaceFolder: warmDir }, { cache: new ClosureCache(10, new FileHashCache()) });

    const cold: number[] = [];
    const warm: number[] = [];
    let files = 0;
    for (let round = 0; round < 3; round++) {
      const dir = join(root, `srv${round}`);
      nodeServer(dir, 500);
      const launch = { command: 'node', args: ['server.js'], cwd: dir, repoRoot: dir, workspaceFolder: dir };
      const cache = new ClosureCache(10, new FileHashCache());
      const [ms, c] = await time(() => computeClosure(launch, { cache }));
      cold.push(ms);
      files = c.files.filter((f) => f.sha256).length;
      for (let i = 0; i < 50; i++) warm.push((await time(() => computeClosure(launch, { cache })))[0]);
    }
    rows.push({ name: `closure of a 500-module Node server, cold (${files} files)`, value: median(cold), unit: 'ms', target: '< 200 ms', ok: median(cold) < 200, detail: `median of 3; min ${Math.min(...cold).toFixed(0)} ms` });
    rows.push({ name: 'closure of the same server, warm re-check', value: median(warm), unit: 'ms', target: '< 5 ms', ok: median(warm) < 5, detail: `median of ${warm.length}` });

    // Memory of the closure cache for 1,000 servers (each its own 20-module server), measured before the scans so
    // their garbage does not enter the heap delta.
    const memRoot = join(root, 'mem');
    const launches = [];
    for (let i = 0; i < 1000; i++) {
      const dir = join(memRoot, `s${i}`);
      nodeServer(dir, 20);
      launches.push({ command: 'node', args: ['server.js'], cwd: dir, repoRoot: dir, workspaceFolder: dir });
    }
    gc();
    gc();
    const before = process.memoryUsage().heapUsed;
    const memCache = new ClosureCache(20_000, new FileHashCache());
    for (const l of launches) await computeClosure(l, { cache: memCache });
    gc();
    gc();
    const held = process.memoryUsage().heapUsed - before;
    rows.push({ name: `closure cache for 1,000 servers (${memCache.size} closures, ${memCache.hashes.size} file hashes)`, value: held / 1024 / 1024, unit: 'MiB', detail: `${(held / 1000 / 1024).toFixed(1)} KiB per server (heap after GC)` });
    if (memCache.size !== 1000) throw new Error('the cache must hold every closure while measured');
    // 10,000 servers: 250 workspaces × 4 config files × 10 servers, a third of them `node tools/server.js`
    // (a 20-module server per workspace), a third `npx -y pkg`, a third remote.
    const folders: string[] = [];
    for (let f = 0; f < 250; f++) {
      const ws = join(root, `ws${f}`);
      folders.push(ws);
      nodeServer(join(ws, 'tools'), 20);
      for (const [rel, key] of [['.cursor/mcp.json', 'mcpServers'], ['.vscode/mcp.json', 'servers'], ['.mcp.json', 'mcpServers'], ['.gemini/settings.json', 'mcpServers']]) {
        const servers: Record<string, unknown> = {};
        for (let i = 0; i < 10; i++) {
          servers[`s${i}`] =
            i % 3 === 0
              ? { command: 'npx', args: ['-y', `@acme/mcp-${i}@1.0.0`] }
              : i % 3 === 1
                ? { command: 'node', args: ['${workspaceFolder}/tools/server.js', `--port=${3000 + i}`] }
                : { type: 'http', url: `https://mcp.example.com/${f}/${i}` };
        }
        mkdirSync(join(ws, rel, '..'), { recursive: true });
        writeFileSync(join(ws, rel), JSON.stringify({ [key]: servers }));
      }
    }
    const home = join(root, 'home');
    mkdirSync(home);
    const store = emptyStore();
    const base = { workspaceFolders: folders, home, includeUser: false };
    await new Scanner({ ...base, codeClosure: false }).scanAll(store); // warm-up (JIT, page cache)
    const without: number[] = [];
    for (let i = 0; i < 3; i++) without.push((await time(() => new Scanner({ ...base, codeClosure: false }).scanAll(store)))[0]);
    const cache = new ClosureCache(20_000, new FileHashCache());
    const [coldScan, report] = await time(() => new Scanner({ ...base, closureCache: cache }).scanAll(store));
    const warmScan: number[] = [];
    for (let i = 0; i < 3; i++) warmScan.push((await time(() => new Scanner({ ...base, closureCache: cache }).scanAll(store)))[0]);
    const n = report.servers.length;
    const w = median(without);
    rows.push({ name: `full scan of ${n} servers without the closure`, value: w, unit: 'ms', detail: 'median of 3 (baseline of this run)' });
    rows.push({ name: `full scan of ${n} servers with the closure, cold`, value: coldScan, unit: 'ms', target: '< 1000 ms', ok: coldScan < 1000, detail: `${(coldScan / w).toFixed(1)}× the baseline` });
    rows.push({ name: `full scan of ${n} servers with the closure, warm`, value: median(warmScan), unit: 'ms', target: '< 1000 ms', ok: median(warmScan) < 1000, detail: `${(median(warmScan) / w).toFixed(2)}× the baseline; median of 3` });

    const [l1, l5] = loadavg();
    for (const r of rows) r.detail = `${r.detail ?? ''}; load average ${l1.toFixed(1)} (5 min ${l5.toFixed(1)}) on ${cpus().length} cores`;
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchClosure().then((rows) => rows.forEach(printRow), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
