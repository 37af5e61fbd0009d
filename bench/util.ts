/** One printed benchmark figure. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
  ok?: boolean;
  detail?: string;
  /** When set, the figure could not be measured on this machine; printed instead of the value. */
  skipped?: string;
}

/** Median of a non-empty list. */
export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

/** Prints one row: `name  value unit  (target …, ok|MISSED)  detail`. */
export function printRow(r: BenchRow): void {
  if (r.skipped) {
    console.log(`${r.name.padEnd(52)} skipped: ${r.skipped}`);
    return;
  }
  const v = r.value >= 100 ? r.value.toFixed(0) : r.value >= 10 ? r.value.toFixed(1) : r.value.toFixed(2);
  const verdict = r.target ? `  [target ${r.target}: ${r.ok ? 'met' : 'MISSED'}]` : '';
  console.log(`${r.name.padEnd(52)} ${`${v} ${r.unit}`.padStart(12)}${verdict}${r.detail ? `  ${r.detail}` : ''}`);
}
