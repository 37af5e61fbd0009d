// Benchmark: the guard proxy's overhead. Sequential `tools/call` round trips over stdio along three
// paths, in rotating blocks so machine noise hits all alike:
//   direct       host → server
//   bare relay   host → bench/fixtures/bare-relay.mjs → server: a Node process that only pipes bytes (the cost
//                of the extra process hop by itself, the floor under any out-of-process guard written in Node)
//   guard        host → `mcp-trust-guard run` (bundled CLI, server approved and pinned) → server
// Scenario 1 is the figure the README states: 10,000 calls of server-everything's `echo` (a tool that does no work, so the
// hop is all there is to see). Scenario 2 calls server-filesystem's `read_text_file` on a 4 KiB file: a tool that
// touches the disk, as most real tools do more. Reports guard/direct (target <= 1.10x), bare/direct (the floor),
// guard/bare (the guard's own work: framing, owning ids, parsing every message against the SDK schemas, filtering;
// target <= 1.05x on both scenarios), and the added latency per round trip at p50 and p99 (target p99 < 1 ms).
// Wall-clock ratios on a loaded machine mostly measure the scheduler, so each scenario also prints the load average
// over its run and, on Linux, the CPU time (user + system, all threads, from /proc) the relay process spent per
// round trip, guard against bare relay: the guard's own work, measured in a way the other processes do not move.
// Run: `node --import tsx bench/proxy.bench.ts`. Bench code may import the SDK directly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { EVERYTHING, guardSandbox, probePins, ROOT } from '../test/unit/proxy/helpers';
import { percentile, printRow, type BenchRow } from './util';

const BARE_RELAY = resolve(__dirname, 'fixtures/bare-relay.mjs');
const FILESYSTEM = join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const WARMUP = 500;

/** One workload: the server to run and one checked call. */
interface Scenario {
  label: string;
  calls: number;
  block: number;
  /** Server args for `node`, given a scratch data directory. */
  server(data: string): string[];
  /** Fills the data directory (files the tool reads). */
  prepare?(data: string): void;
  /** One round trip; throws when the result is wrong. */
  call(client: Client, i: number, data: string): Promise<void>;
}

type Text = { content: { text: string }[] };

const SCENARIOS: Scenario[] = [
  {
    label: 'echo',
    calls: 10_000,
    block: 1_000,
    server: () => [EVERYTHING, 'stdio'],
    async call(client, i) {
      const r = (await client.callTool({ name: 'echo', arguments: { message: `m${i}` } })) as Text;
      if (r.content[0].text !== `Echo: m${i}`) throw new Error('wrong echo result');
    },
  },
  {
    label: 'read_text_file 4 KiB',
    calls: 3_000,
    block: 500,
    server: (data) => [FILESYSTEM, data],
    prepare: (data) => writeFileSync(join(data, 'data.txt'), 'x'.repeat(4096)),
    async call(client, _i, data) {
      const r = (await client.callTool({ name: 'read_text_file', arguments: { path: join(data, 'data.txt') } })) as Text;
      if (r.content[0].text.length !== 4096) throw new Error('wrong read_text_file result');
    },
  },
];

async function connect(command: string, args: string[], cwd: string, env: Record<string, string>): Promise<[Client, number | undefined]> {
  const client = new Client({ name: 'bench', version: '1' });
  const transport = new StdioClientTransport({ command, args, cwd, env, stderr: 'pipe' });
  await client.connect(transport, { timeout: 20_000 });
  return [client, transport.pid ?? undefined];
}

/** CPU time (user + system, ms) process `pid` has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

async function timed(s: Scenario, data: string, client: Client, n: number, out: number[]): Promise<void> {
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await s.call(client, i, data);
    out.push(performance.now() - t0);
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const stats = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(3)} ms, p99 ${percentile(xs, 99).toFixed(3)} ms`;

async function runScenario(s: Scenario): Promise<BenchRow[]> {
  const node = process.execPath;
  const data = mkdtempSync(join(tmpdir(), 'mtg-bench-data-'));
  s.prepare?.(data);
  const args = s.server(data);
  const sb = await guardSandbox(node, args);
  try {
    await sb.approve(await probePins(node, args));
    const [direct, bare, guard] = [
      await connect(node, args, sb.ws, sb.env),
      await connect(node, [BARE_RELAY, node, ...args], sb.ws, sb.env),
      await connect(node, sb.entryArgs(), sb.ws, sb.env),
    ];
    const paths: [string, Client][] = [
      ['direct', direct[0]],
      ['bare', bare[0]],
      ['guard', guard[0]],
    ];
    const times = new Map<string, number[]>(paths.map(([k]) => [k, []]));
    for (const [, c] of paths) await timed(s, data, c, WARMUP, []);
    const load0 = loadavg()[0];
    const cpu0 = [cpuMs(bare[1]), cpuMs(guard[1])];
    for (let round = 0; round * s.block < s.calls; round++) {
      for (let j = 0; j < paths.length; j++) {
        const [k, c] = paths[(round + j) % paths.length];
        await timed(s, data, c, s.block, times.get(k)!);
      }
    }
    const cpu1 = [cpuMs(bare[1]), cpuMs(guard[1])];
    const load = `load average ${load0.toFixed(2)} → ${loadavg()[0].toFixed(2)} (1 min, ${cpus().length} cores)`;
    for (const [, c] of paths) await c.close();
    const d = times.get('direct')!;
    const b = times.get('bare')!;
    const g = times.get('guard')!;
    const ratio = sum(g) / sum(d);
    const p99 = percentile(g, 99) - percentile(d, 99);
    const main = s === SCENARIOS[0];
    const own = sum(g) / sum(b);
    return [
      { name: `proxy ${s.label}: ${s.calls} calls direct`, value: sum(d), unit: 'ms', detail: stats(d) },
      { name: `proxy ${s.label}: ${s.calls} calls via bare relay`, value: sum(b), unit: 'ms', detail: stats(b) },
      { name: `proxy ${s.label}: ${s.calls} calls via the guard`, value: sum(g), unit: 'ms', detail: stats(g) },
      { name: `proxy ${s.label}: guard / direct`, value: ratio, unit: 'x', ...(main ? { target: '<= 1.10x', ok: ratio <= 1.1 } : {}) },
      { name: `proxy ${s.label}: bare relay / direct (floor)`, value: sum(b) / sum(d), unit: 'x', detail: 'extra process hop, no checks' },
      { name: `proxy ${s.label}: guard / bare relay`, value: own, unit: 'x', detail: "the guard's own work: ids, schema parsing, filtering", target: '<= 1.05x', ok: own <= 1.05 },
      { name: `proxy ${s.label}: added per round trip, p50`, value: percentile(g, 50) - percentile(d, 50), unit: 'ms' },
      { name: `proxy ${s.label}: added per round trip, p99`, value: p99, unit: 'ms', target: '< 1 ms', ok: p99 < 1, detail: load },
      ...cpuRows(s, cpu0, cpu1),
    ];
  } finally {
    sb.cleanup();
    rmSync(data, { recursive: true, force: true });
  }
}

/** The relay processes' CPU per round trip (bare relay, guard), when /proc gave both readings. */
function cpuRows(s: Scenario, before: (number | undefined)[], after: (number | undefined)[]): BenchRow[] {
  const [b0, g0] = before;
  const [b1, g1] = after;
  if (b0 === undefined || g0 === undefined || b1 === undefined || g1 === undefined) return [];
  const perCall = (x: number) => (x * 1000) / s.calls;
  const bare = perCall(b1 - b0);
  const guard = perCall(g1 - g0);
  return [
    { name: `proxy ${s.label}: relay CPU per round trip, bare`, value: bare, unit: 'µs', detail: 'user + system, all threads' },
    { name: `proxy ${s.label}: relay CPU per round trip, guard`, value: guard, unit: 'µs', detail: `+${(guard - bare).toFixed(0)} µs over the bare relay` },
  ];
}

/** Direct vs. bare relay vs. guarded `tools/call` round trips (see the file comment). */
export async function benchProxy(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const s of SCENARIOS) rows.push(...(await runScenario(s)));
  return rows;
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
