/**
 * The two check corpora, read from committed fixtures (nothing is installed or launched here):
 * - real: what popular MCP servers from the npm registry sent the product's own probe
 *   (`test/fixtures/corpus/real/<id>.json`, written by `scripts/corpus-probe.ts`); every high or medium
 *   finding on them is a false alarm unless `test/fixtures/corpus/allowlist.json` says why it is right.
 * - poisoned: public tool-poisoning examples rewritten as server answers (`test/fixtures/corpus/poisoned/*.json`),
 *   each item naming the rules that must fire on it (`expect`).
 *
 * Every server of a corpus is checked as if the user had all of that corpus configured at once (so cross-server
 * shadowing and name collisions are exercised), through `evaluateMetadata`, the same path a scan takes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { OtherServer } from '../../src/core/checks/rule';
import { emptyProbeResult, type ProbeResult } from '../../src/core/probe/types';
import { evaluateMetadata, toolNamesOf } from '../../src/core/scan/metadata';
import type { Finding } from '../../src/core/types';

/** Where the fixtures are. */
export const CORPUS_DIR = resolve(__dirname, '..', 'fixtures', 'corpus');

/** One server answer of a corpus fixture. */
export interface CorpusServer {
  /** File name without `.json`. */
  id: string;
  /** The name the server has in the (imagined) config file. */
  name: string;
  /** npm package and exact version (real corpus), or the public source (poisoned corpus). */
  package?: string;
  version?: string;
  source?: string;
  result: ProbeResult;
  /** Poisoned corpus: `<kind>:<key>` → rule ids that must fire (medium or high) on that item. */
  expect: Record<string, string[]>;
}

/** One finding on one item, with where it was. */
export interface CorpusFinding extends Finding {
  server: string;
  /** `<kind>:<key>`, e.g. `tool:read_file`, or `server` for a finding on the server's name. */
  item: string;
}

/** An allowlisted medium finding of the real corpus: which one, and why it is right or acceptable. */
export interface AllowEntry {
  server: string;
  item: string;
  ruleId: string;
  reason: string;
}

function readServer(file: string, id: string): CorpusServer {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const result: ProbeResult = {
    ...emptyProbeResult(),
    serverInfo: j.serverInfo as ProbeResult['serverInfo'],
    tools: (j.tools as unknown[]) ?? [],
    prompts: (j.prompts as unknown[]) ?? [],
    resources: (j.resources as unknown[]) ?? [],
    resourceTemplates: (j.resourceTemplates as unknown[]) ?? [],
  };
  if (typeof j.instructions === 'string') result.instructions = j.instructions;
  return {
    id,
    name: String(j.name ?? id),
    package: j.package as string | undefined,
    version: j.version as string | undefined,
    source: j.source as string | undefined,
    result,
    expect: (j.expect as Record<string, string[]>) ?? {},
  };
}

/** Reads every server of one corpus (`real` or `poisoned`), sorted by file name. */
export function loadCorpus(which: 'real' | 'poisoned'): CorpusServer[] {
  const dir = join(CORPUS_DIR, which);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readServer(join(dir, f), f.slice(0, -'.json'.length)));
}

/** The reviewed allowlist of medium findings on the real corpus. */
export function loadAllowlist(): AllowEntry[] {
  return (JSON.parse(readFileSync(join(CORPUS_DIR, 'allowlist.json'), 'utf8')) as { entries: AllowEntry[] }).entries;
}

/**
 * Runs every check on every server of `servers`, each one seeing all the others as configured beside it.
 * Cached per `servers` array.
 * @returns every finding of severity low or above (info is left out: it never asks the user anything).
 */
export function checkCorpus(servers: readonly CorpusServer[]): CorpusFinding[] {
  const hit = checked.get(servers);
  if (hit) return hit;
  const all: OtherServer[] = servers.map((s) => ({ name: s.name, toolNames: toolNamesOf(s.result) }));
  const out: CorpusFinding[] = [];
  for (const s of servers) {
    const report = evaluateMetadata(undefined, s.result, s.name, all);
    for (const it of report.items) {
      for (const f of it.findings) if (f.severity !== 'info') out.push({ ...f, server: s.name, item: `${it.kind}:${it.key}` });
    }
  }
  checked.set(servers, out);
  return out;
}

const checked = new WeakMap<readonly CorpusServer[], CorpusFinding[]>();

/** Precision and recall of one rule over both corpora. */
export interface RuleScore {
  ruleId: string;
  /** Expected and fired (medium or high) on a poisoned item. */
  tp: number;
  /** Fired (medium or high) where not expected: any real-server item, or a poisoned item not expecting it. */
  fp: number;
  /** Expected on a poisoned item, did not fire at medium or high. */
  fn: number;
}

/**
 * Scores every rule: a finding counts when it is medium or high (low findings are hints that never ask
 * anything). Real-server findings are all counted as false alarms, allowlisted ones included.
 */
export function scoreRules(real: readonly CorpusServer[], poisoned: readonly CorpusServer[]): RuleScore[] {
  const scores = new Map<string, RuleScore>();
  const score = (id: string): RuleScore => {
    let s = scores.get(id);
    if (!s) scores.set(id, (s = { ruleId: id, tp: 0, fp: 0, fn: 0 }));
    return s;
  };
  const fired = (fs: readonly CorpusFinding[]): Map<string, Set<string>> => {
    const m = new Map<string, Set<string>>();
    for (const f of fs) {
      if (f.severity !== 'medium' && f.severity !== 'high') continue;
      const k = `${f.server}\n${f.item}`;
      if (!m.has(k)) m.set(k, new Set());
      m.get(k)!.add(f.ruleId);
    }
    return m;
  };
  for (const rules of fired(checkCorpus(real)).values()) for (const r of rules) score(r).fp++;
  const hits = fired(checkCorpus(poisoned));
  for (const s of poisoned) {
    for (const [item, rules] of Object.entries(s.expect)) {
      const got = hits.get(`${s.name}\n${item}`) ?? new Set<string>();
      for (const r of rules) {
        if (got.has(r)) score(r).tp++;
        else score(r).fn++;
      }
    }
    for (const [k, rules] of hits) {
      const [server, item] = k.split('\n') as [string, string];
      if (server !== s.name) continue;
      const want = new Set(s.expect[item] ?? []);
      for (const r of rules) if (!want.has(r)) score(r).fp++;
    }
  }
  return [...scores.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
}
