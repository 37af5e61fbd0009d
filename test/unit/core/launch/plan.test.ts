import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { planClosure } from '../../../../src/core/launch/plan';

test('a NUL character in the command, an argument, the cwd or the environment is a gap, never a throw', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'mtg-plan-'));
  try {
    mkdirSync(join(ws, '.git'));
    const base = { command: 'node', args: ['./server.js'], cwd: ws, env: {}, workspaceFolder: ws, repoRoot: ws };
    const cases: [Partial<typeof base> & { env?: Record<string, string> }, string][] = [
      [{ command: '\u0000' }, 'command'],
      [{ args: ['./s.js', 'x\u0000y'] }, 'argument 2'],
      [{ cwd: `${ws}/\u0000` }, 'cwd'],
      [{ env: { NODE_OPTIONS: '--require ./a\u0000.js' } }, 'env NODE_OPTIONS'],
    ];
    for (const [over, named] of cases) {
      const plan = await planClosure({ ...base, ...over });
      assert.equal(plan.gaps.length, 1, named);
      assert.equal(plan.gaps[0]!.subject, named);
      assert.equal(plan.gaps[0]!.reason, 'untraceable');
      assert.match(plan.gaps[0]!.detail, /NUL character/);
      assert.equal(plan.files.size, 0);
    }
    // control: the same launch without a NUL is planned (the entry script is a node entry)
    const clean = await planClosure(base);
    assert.deepEqual(clean.gaps, []);
    assert.ok(clean.nodeEntries.size + clean.files.size > 0 || clean.manifestDirs.size > 0, 'the clean launch is followed');
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});
