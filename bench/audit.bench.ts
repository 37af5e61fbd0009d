// Benchmark: the audit trail's cost. The approve → change → block story (three CLI commands, in process) with
// no collector, a collector that answers, one that refuses connections (down), and one that accepts and never
// answers (hung). Target: a down or hung collector adds at most the flush bound per command.
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { AUDIT_FLUSH_BOUND_MS } from '../src/core/audit';
import { auditStory } from '../test/helpers/auditStory';
import { sandbox } from '../test/helpers/cli';
import { startOtlpReceiver } from '../test/helpers/otlpReceiver';
import { median, type BenchRow } from './util';

const RUNS = 5;

async function storyMs(endpoint: string | undefined): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const sb = sandbox();
    try {
      if (endpoint) sb.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = endpoint;
      const steps = await auditStory(sb);
      times.push(steps.reduce((a, b) => a + b, 0));
    } finally {
      sb.cleanup();
    }
  }
  return median(times);
}

/** Runs the audit benchmark and returns its rows. */
export async function benchAudit(): Promise<BenchRow[]> {
  const base = await storyMs(undefined);
  const rx = await startOtlpReceiver();
  const up = await storyMs(rx.url);
  await rx.close();
  const down = await storyMs(rx.url);
  const sockets: Socket[] = [];
  const hung = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const hungMs = await storyMs(`http://127.0.0.1:${(hung.address() as AddressInfo).port}/v1/logs`);
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => hung.close(() => resolve()));
  // Per command: the flush bound, plus 50 ms for the timer and the exporter's shutdown.
  const bound = 3 * (AUDIT_FLUSH_BOUND_MS + 50);
  const row = (name: string, ms: number): BenchRow => ({
    name,
    value: ms,
    unit: 'ms',
    target: `≤ ${Math.round(base)} + ${bound} ms (3 commands × (flush bound ${AUDIT_FLUSH_BOUND_MS} + 50 ms))`,
    ok: ms <= base + bound,
    detail: `${(ms / base).toFixed(2)}× no collector; +${Math.round(ms - base)} ms`,
  });
  return [
    { name: 'audit story (3 commands), no collector', value: base, unit: 'ms', detail: `median of ${RUNS}` },
    row('audit story, collector up', up),
    row('audit story, collector down (refused)', down),
    row('audit story, collector hung (never answers)', hungMs),
  ];
}
