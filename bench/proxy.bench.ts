// Benchmark (issue 5): the guard proxy's overhead. 10,000 sequential `tools/call` round trips of
// server-everything's `echo` tool, once straight to the server and once through `mcp-trust-guard run` (bundled
// CLI, approved and pinned), in alternating blocks of 1,000 so machine noise hits both alike.
// Reports the total-time ratio (target <= 1.10x) and the added per-message latency at p50 and p99 (target p99
// under 1 ms). Run: `node --import tsx bench/proxy.bench.ts`. Bench code may import the SDK directly.
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EVERYTHING, guardSandbox, probePins } from '../test/unit/proxy/helpers';
import { percentile, printRow, type BenchRow } from './util';

const CALLS = 10_000;
const BLOCK = 1_000;

async function connect(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StdioClientTransport({ command, args, cwd, env, stderr: 'pipe' }), { timeout: 20_000 });
  return client;
}

async function block(client: Client, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = (await client.callTool({ name: 'echo', arguments: { message: `m${i}` } })) as { content: { text: string }[] };
    out.push(performance.now() - t0);
    if (r.content[0].text !== `Echo: m${i}`) throw new Error('wrong echo result');
  }
}

/** Direct vs. guarded `tools/call` round trips (see the file comment). */
export async function benchProxy(): Promise<BenchRow[]> {
  const node = process.execPath;
  const sb = await guardSandbox(node, [EVERYTHING, 'stdio']);
  try {
    await sb.approve(await probePins(node, [EVERYTHING, 'stdio']));
    const direct = await connect(node, [EVERYTHING, 'stdio'], sb.ws, sb.env);
    const guarded = await connect(node, sb.entryArgs(), sb.ws, sb.env);
    await block(direct, 500, []); // warm-up (JIT, caches)
    await block(guarded, 500, []);
    const d: number[] = [];
    const g: number[] = [];
    for (let done = 0; done < CALLS; done += BLOCK) {
      if ((done / BLOCK) % 2) {
        await block(direct, BLOCK, d);
        await block(guarded, BLOCK, g);
      } else {
        await block(guarded, BLOCK, g);
        await block(direct, BLOCK, d);
      }
    }
    await direct.close();
    await guarded.close();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const ratio = sum(g) / sum(d);
    const p50 = percentile(g, 50) - percentile(d, 50);
    const p99 = percentile(g, 99) - percentile(d, 99);
    return [
      { name: `proxy: ${CALLS} tools/call direct (total)`, value: sum(d), unit: 'ms', detail: `p50 ${percentile(d, 50).toFixed(3)} ms, p99 ${percentile(d, 99).toFixed(3)} ms` },
      { name: `proxy: ${CALLS} tools/call through the guard (total)`, value: sum(g), unit: 'ms', detail: `p50 ${percentile(g, 50).toFixed(3)} ms, p99 ${percentile(g, 99).toFixed(3)} ms` },
      { name: 'proxy: guarded / direct', value: ratio, unit: 'x', target: '<= 1.10x', ok: ratio <= 1.1 },
      { name: 'proxy: added latency per message, p50', value: p50, unit: 'ms' },
      { name: 'proxy: added latency per message, p99', value: p99, unit: 'ms', target: '< 1 ms', ok: p99 < 1 },
    ];
  } finally {
    sb.cleanup();
  }
}

if (require.main === module) {
  benchProxy().then(
    (rows) => rows.forEach(printRow),
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
