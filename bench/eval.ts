/**
 * `npm run eval`: precision and recall of every check, measured on the two committed corpora (see
 * `test/corpus/corpus.ts`): the real servers (every medium or high finding there counts as a false alarm) and the
 * poisoned examples (each item names the rules that must fire). Prints one table; reads fixtures only.
 */
import { checkCorpus, loadCorpus, scoreRules } from '../test/corpus/corpus';

function pct(n: number, d: number): string {
  return d === 0 ? '   n/a' : `${((100 * n) / d).toFixed(1).padStart(5)}%`;
}

const real = loadCorpus('real');
const poisoned = loadCorpus('poisoned');
const t0 = performance.now();
const realFindings = checkCorpus(real);
const ms = performance.now() - t0;
const items = real.reduce((n, s) => n + s.result.tools.length + s.result.prompts.length + s.result.resources.length + s.result.resourceTemplates.length + (s.result.instructions ? 1 : 0), 0);
const count = (sev: string): number => realFindings.filter((f) => f.severity === sev).length;
console.log(`real corpus: ${real.length} servers from the npm registry, ${items} items; findings: ${count('high')} high, ${count('medium')} medium, ${count('low')} low (checked in ${Math.round(ms)} ms)`);
const poisonedFindings = checkCorpus(poisoned);
const expected = poisoned.flatMap((s) => Object.keys(s.expect).map((item) => ({ server: s.name, item })));
const caught = expected.filter((e) => poisonedFindings.some((f) => f.server === e.server && f.item === e.item && (f.severity === 'high' || f.severity === 'medium')));
console.log(`poisoned corpus: ${poisoned.length} servers, ${expected.length} poisoned items; ${caught.length} flagged medium or high (${pct(caught.length, expected.length).trim()})`);
for (const e of expected) if (!caught.includes(e)) console.log(`  missed: ${e.server} ${e.item}`);
console.log('');
console.log('rule                       TP   FP   FN  precision  recall');
for (const s of scoreRules(real, poisoned)) {
  console.log(`${s.ruleId.padEnd(25)} ${String(s.tp).padStart(3)}  ${String(s.fp).padStart(3)}  ${String(s.fn).padStart(3)}     ${pct(s.tp, s.tp + s.fp)}  ${pct(s.tp, s.tp + s.fn)}`);
}
