/**
 * Pure parts of the pending-review prompts: which reviews are new to the window, the remembered-id cap, and the
 * prompt text (hostile names and reasons shown as text). Reviews are real ones written with `addPendingReview`
 * and read back with `readPendingReviews` from a temp store directory.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { addPendingReview, readPendingReviews, type PendingItem } from '../../../src/core/trust/pending';
import { freshReviews, launchPromptText, metadataPromptText, rememberIds, withheldList } from '../../../src/vscode/services/pendingText';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-pending-text-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('freshReviews: only ids not seen yet, oldest first, each once', async () => {
  const store = path.join(tmp, 'a', 'trust-store.json');
  const base = { configFile: '/w/.cursor/mcp.json', name: 'build', pointer: '/mcpServers/build', kind: 'launch' as const };
  await addPendingReview(store, { ...base, reason: 'no approved record' });
  await addPendingReview(store, { ...base, reason: 'fingerprint mismatch' });
  const all = await readPendingReviews(store);
  assert.equal(all.length, 2);
  assert.deepEqual(freshReviews(all, new Set()).map((r) => r.reason), ['no approved record', 'fingerprint mismatch']);
  assert.deepEqual(freshReviews(all, new Set([all[0].id])).map((r) => r.id), [all[1].id]);
  assert.deepEqual(freshReviews([...all, all[1]], new Set()).length, 2, 'a duplicate id is prompted once');
  assert.deepEqual(freshReviews(all, new Set(all.map((r) => r.id))), []);
});

test('rememberIds: keeps order, no repeats, drops the oldest past the cap and junk entries', () => {
  assert.deepEqual(rememberIds(['a', 'b'], ['c', 'a']), ['b', 'c', 'a']);
  assert.deepEqual(rememberIds(['a', 7, null, 'b'], []), ['a', 'b']);
  assert.deepEqual(rememberIds(['1', '2', '3'], ['4', '5'], 3), ['3', '4', '5']);
});

test('prompt text: launch names server and reason; metadata names the withheld items; hostile text revealed', async () => {
  const store = path.join(tmp, 'b', 'trust-store.json');
  const launch = await addPendingReview(store, {
    configFile: '/w/.cursor/mcp.json',
    name: 'evil\u202e\nname',
    pointer: '/mcpServers/evil',
    kind: 'launch',
    reason: 'the launch spec differs from the approved one',
  });
  const text = launchPromptText(launch);
  assert.match(text, /^MCP Trust Guard blocked evil/);
  assert.match(text, /\(the launch spec differs from the approved one\)$/);
  assert.doesNotMatch(text, /[\n\u202e]/);

  const items: PendingItem[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'tool', key: `t${i}`, state: i === 1 ? 'changed' : 'new', item: { name: `t${i}`, description: 'd' } }));
  const meta = await addPendingReview(store, { configFile: '/w/.cursor/mcp.json', name: 'notes', pointer: '/mcpServers/notes', kind: 'metadata', reason: 'tools changed mid-session', items });
  const m = metadataPromptText(meta);
  assert.match(m, /^MCP Trust Guard withheld from notes: tool "t0" \(new\), tool "t1" \(changed\)/);
  assert.match(m, /and 2 more\. tools changed mid-session$/);
  assert.equal(withheldList({ ...meta, items: [] }), 'no items');
});
