import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeServer } from '../../../../src/core/probe';
import { diffMetadata, pinMetadata } from '../../../../src/core/pins';
import { assertGone, refServer, stdioSpec } from './helpers';

// The official reference servers from the npm registry, over stdio: pin, probe again, nothing changed.
const cases = [
  { name: 'server-everything', args: () => ['stdio'], env: (): Record<string, string> => ({}), minTools: 5 },
  { name: 'server-filesystem', args: (dir: string) => [dir], env: (): Record<string, string> => ({}), minTools: 5 },
  { name: 'server-memory', args: () => [], env: (dir: string) => ({ MEMORY_FILE_PATH: join(dir, 'memory.jsonl') }), minTools: 5 },
];

for (const c of cases) {
  test(`${c.name}: probe, pin, probe again: every item pinned, process gone`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtg-probe-'));
    try {
      writeFileSync(join(dir, 'hello.txt'), 'hi');
      const spec = stdioSpec(process.execPath, [refServer(c.name), ...c.args(dir)], { env: c.env(dir) });
      const first = await probeServer(spec, { timeoutMs: 10_000 });
      assert.equal(first.ok, true, first.error);
      await assertGone(first.pid);
      assert.ok(first.tools.length >= c.minTools, `${first.tools.length} tools`);
      assert.equal(typeof first.serverInfo?.name, 'string');
      assert.equal(typeof first.protocolVersion, 'string');
      assert.deepEqual(first.clientInfo, { name: 'Visual Studio Code', version: '1.101.0' });
      assert.equal(first.truncated, false);
      for (const t of first.tools) assert.equal(typeof (t as { inputSchema?: unknown }).inputSchema, 'object');

      const pins = pinMetadata(first, new Date('2025-01-01T00:00:00Z'));
      assert.equal(Object.keys(pins.tools).length, first.tools.length);
      const second = await probeServer(spec, { timeoutMs: 10_000 });
      assert.equal(second.ok, true, second.error);
      await assertGone(second.pid);
      const diff = diffMetadata(pins, second);
      const notPinned = diff.items.filter((d) => d.state !== 'pinned');
      assert.deepEqual(notPinned, []);
      assert.equal(
        diff.items.length,
        second.tools.length + second.prompts.length + second.resources.length + second.resourceTemplates.length + (second.instructions ? 1 : 0),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('server-everything: items are kept exactly as sent (prompts, resources, templates, instructions too)', async () => {
  const r = await probeServer(stdioSpec(process.execPath, [refServer('server-everything'), 'stdio']), { timeoutMs: 10_000, clientInfo: { name: 'probe-test', version: '9' } });
  assert.equal(r.ok, true, r.error);
  await assertGone(r.pid);
  assert.deepEqual(r.clientInfo, { name: 'probe-test', version: '9' });
  assert.ok(r.prompts.length > 0 && r.resources.length > 0 && r.resourceTemplates.length > 0);
  assert.match(r.instructions ?? '', /Everything Server/);
  // serverInfo fields beyond name/version (e.g. title) survive: the SDK schema does not strip them.
  assert.equal((r.serverInfo as { title?: string }).title, 'Everything Reference Server');
  assert.ok(r.stderr.length > 0, 'stderr of the server is kept');
});
