import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkLaunchSpec } from '../../../../src/core/checks/launch/index';
import { checkItem } from '../../../../src/core/checks/tool/index';
import type { ServerSpec } from '../../../../src/core/types';
import { spec } from './helpers';

const ROOT = join(__dirname, '..', '..', '..', '..');

test('property: checkItem never throws and returns well-formed findings on arbitrary JSON', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
      const found = checkItem(v, { kind: 'tool', serverName: 's', otherServers: [{ name: 'o', toolNames: ['do_it', 'x'] }] });
      for (const f of found) {
        assert.ok(['high', 'medium', 'low', 'info'].includes(f.severity));
        assert.ok(f.pointer === '' || f.pointer.startsWith('/'));
        assert.notEqual(f.ruleId, 'internal-error', f.message);
      }
    }),
    { numRuns: 500 },
  );
});

test('property: checkLaunchSpec never throws on arbitrary field values', () => {
  const anyStr = fc.string({ unit: 'binary', maxLength: 60 });
  fc.assert(
    fc.property(
      fc.record({ command: fc.oneof(anyStr, fc.constantFrom('npx', 'sh', 'cmd.exe', 'docker', 'uvx', 'pwsh')), args: fc.array(fc.oneof(anyStr, fc.constantFrom('-c', '/c', 'run', '-y', '--from', '-e')), { maxLength: 8 }), env: fc.dictionary(anyStr, anyStr, { maxKeys: 4 }), url: fc.option(anyStr, { nil: undefined }), headers: fc.dictionary(anyStr, anyStr, { maxKeys: 3 }) }),
      (r) => {
        const s: ServerSpec = spec(r);
        for (const f of checkLaunchSpec(s)) assert.notEqual(f.ruleId, 'internal-error', f.message);
      },
    ),
    { numRuns: 1000 },
  );
});

test('scripts/dump-tools.ts reproduces the committed reference-server fixtures from the real servers', () => {
  const out = mkdtempSync(join(tmpdir(), 'mtg-dump-test-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dump-tools.ts'), out], { cwd: ROOT, timeout: 60_000, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const files = readdirSync(out).sort();
    assert.deepEqual(files, ['server-everything.json', 'server-filesystem.json', 'server-memory.json']);
    for (const f of files) {
      const fresh = JSON.parse(readFileSync(join(out, f), 'utf8')) as { tools: unknown[] };
      assert.ok(fresh.tools.length > 0);
      assert.deepEqual(fresh, JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'tools', f), 'utf8')), `${f} changed: re-run scripts/dump-tools.ts`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
