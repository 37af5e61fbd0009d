import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, checkCorpus, loadAllowlist, loadCorpus, scoreRules } from '../../../corpus/corpus';

const real = loadCorpus('real');
const poisoned = loadCorpus('poisoned');

test('real corpus: at least 30 servers from the npm registry, each pinned to the exact version the setup script installs', () => {
  const manifest = JSON.parse(readFileSync(join(CORPUS_DIR, 'servers.json'), 'utf8')) as { servers: { id: string; name: string; package: string; version: string }[] };
  assert.ok(real.length >= 30, `${real.length} servers`);
  for (const s of real) {
    const m = manifest.servers.find((x) => x.id === s.id);
    assert.ok(m, `${s.id} is in servers.json`);
    assert.equal(s.package, m.package);
    assert.equal(s.version, m.version, `${s.id} fixture was probed from the manifest's version`);
    assert.equal(s.name, m.name);
    assert.ok(s.result.tools.length > 0, `${s.id} has tools`);
  }
  assert.equal(new Set(real.map((s) => s.name)).size, real.length, 'server names are unique');
});

test('real corpus: no high finding, every medium finding is in the reviewed allowlist, and every allowlist entry still fires', () => {
  const findings = checkCorpus(real);
  const high = findings.filter((f) => f.severity === 'high');
  assert.deepEqual(high.map((f) => `${f.server} ${f.item} ${f.ruleId}: ${f.message}`), []);
  const allow = loadAllowlist();
  for (const a of allow) assert.ok(a.reason.length >= 20 && !a.reason.includes('\n'), `allowlist reason for ${a.server} ${a.item} ${a.ruleId} is one line`);
  const key = (x: { server: string; item: string; ruleId: string }): string => `${x.server} ${x.item} ${x.ruleId}`;
  const allowed = new Set(allow.map(key));
  const medium = findings.filter((f) => f.severity === 'medium');
  assert.deepEqual(medium.filter((f) => !allowed.has(key(f))).map((f) => `${key(f)}: ${f.message}`), [], 'a medium finding that is not in test/fixtures/corpus/allowlist.json');
  const fired = new Set(medium.map(key));
  assert.deepEqual(allow.filter((a) => !fired.has(key(a))).map(key), [], 'allowlist entries that no longer fire (remove them)');
  console.log(`real corpus: ${real.length} servers, ${findings.filter((f) => f.severity === 'low').length} low findings, ${medium.length} medium (allowlisted), 0 high`);
});

test('poisoned corpus: every poisoned item is flagged medium or high, and the benign neighbours are not', () => {
  const findings = checkCorpus(poisoned).filter((f) => f.severity === 'high' || f.severity === 'medium');
  for (const s of poisoned) {
    for (const item of Object.keys(s.expect)) {
      assert.ok(findings.some((f) => f.server === s.name && f.item === item), `${s.id} ${item} is flagged`);
    }
    if (Object.keys(s.expect).length === 0) assert.deepEqual(findings.filter((f) => f.server === s.name).map((f) => f.message), [], `${s.id} is benign`);
  }
  // precision and recall per rule (also printed by npm run eval): a floor, so a rule that stops firing fails here
  const scores = scoreRules(real, poisoned);
  const tp = scores.reduce((n, s) => n + s.tp, 0);
  const fn = scores.reduce((n, s) => n + s.fn, 0);
  const fp = scores.reduce((n, s) => n + s.fp, 0);
  console.log(`poisoned corpus: rule-level recall ${tp}/${tp + fn}, precision ${tp}/${tp + fp}`);
  assert.ok(tp / (tp + fn) >= 0.95, `recall ${tp}/${tp + fn}`);
  assert.ok(tp / (tp + fp) >= 0.9, `precision ${tp}/${tp + fp}`);
});
