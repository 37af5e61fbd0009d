/**
 * Quarantine edits on real fixture config texts (comments, trailing commas, nested sections): the entry leaves
 * the section the host reads (the parser no longer lists it), comments survive, and a restore gives back the
 * same launch spec at the same pointer.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { applyEdits, parse } from 'jsonc-parser';
import { parseConfigText, vscodeMcpJson, vscodeSettingsJson } from '../../../../src/core/config';
import { listQuarantined, quarantineEdits, QuarantineError, QUARANTINE_KEY, restoreEdits } from '../../../../src/core/edit/quarantine';
import type { ConfigLocation } from '../../../../src/core/types';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');

const cursorLoc: ConfigLocation = { host: 'cursor', scope: 'workspace', path: '/ws/.cursor/mcp.json', jsonc: false, serverSections: [['mcpServers'], ['servers']] };
const vscodeLoc = vscodeMcpJson('/ws/.vscode/mcp.json', 'workspace', '/ws');
const claudeLoc: ConfigLocation = {
  host: 'claude-code',
  scope: 'user',
  path: '/home/u/.claude.json',
  jsonc: false,
  serverSections: [['mcpServers'], ['projects', '*', 'mcpServers']],
};

function names(text: string, loc: ConfigLocation): string[] {
  return parseConfigText(text, loc).servers.map((s) => s.pointer);
}

function roundTrip(text: string, loc: ConfigLocation, pointer: string): { quarantined: string; restored: string } {
  const before = parseConfigText(text, loc).servers.find((s) => s.pointer === pointer);
  assert.ok(before, `fixture has no server at ${pointer}`);
  const quarantined = applyEdits(text, quarantineEdits(text, pointer));
  assert.ok(!names(quarantined, loc).includes(pointer), 'the host still sees the entry after quarantine');
  assert.deepEqual(
    names(quarantined, loc),
    names(text, loc).filter((p) => p !== pointer),
    'other servers must stay',
  );
  const listed = listQuarantined(quarantined);
  assert.equal(listed.length, 1);
  assert.equal(listed[0].pointer, pointer);
  assert.deepEqual(JSON.parse(JSON.stringify(listed[0].value)), JSON.parse(JSON.stringify(before.raw)));
  const restored = applyEdits(quarantined, restoreEdits(quarantined, pointer));
  const after = parseConfigText(restored, loc).servers.find((s) => s.pointer === pointer);
  assert.ok(after, 'restore did not bring the entry back');
  assert.deepEqual(JSON.parse(JSON.stringify(after.raw)), JSON.parse(JSON.stringify(before.raw)));
  assert.equal(listQuarantined(restored).length, 0);
  assert.ok(!restored.includes(QUARANTINE_KEY), 'an empty quarantine object is removed');
  assert.deepEqual(parseConfigText(restored, loc).errors, []);
  return { quarantined, restored };
}

describe('quarantineEdits / restoreEdits', () => {
  test('MCPoison cursor file (one-line strict JSON): build moves out and back', () => {
    const text = read('test/fixtures/workspaces/mcpoison/.cursor/mcp.json');
    const { quarantined, restored } = roundTrip(text, cursorLoc, '/mcpServers/build');
    // still strict JSON after the edit (Cursor parses strictly)
    assert.doesNotThrow(() => JSON.parse(quarantined));
    assert.deepEqual(JSON.parse(quarantined)[QUARANTINE_KEY], { '/mcpServers/build': { command: 'echo', args: ['safe'] } });
    assert.deepEqual(JSON.parse(quarantined).mcpServers, {});
    assert.deepEqual(JSON.parse(restored), JSON.parse(text));
  });

  test('VS Code mcp.json with comments, inputs and trailing commas keeps every comment', () => {
    const text = read('test/fixtures/workspaces/mcpoison/.vscode/mcp.json');
    const comments = text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
    assert.ok(comments.length >= 4);
    const { quarantined, restored } = roundTrip(text, vscodeLoc, '/servers/notes');
    for (const c of comments) {
      assert.ok(quarantined.includes(c), `comment lost by quarantine: ${c}`);
      assert.ok(restored.includes(c), `comment lost by restore: ${c}`);
    }
    // inputs untouched, docs still a server
    const value = parse(quarantined) as Record<string, unknown>;
    assert.equal((value.inputs as unknown[]).length, 1);
    assert.deepEqual(names(quarantined, vscodeLoc), ['/servers/docs']);
    // the entry's own text moved verbatim, with the comment above it; the next entry's comment stays with it
    assert.ok(quarantined.includes('"args": ["notes"]'));
    const q = quarantined.indexOf(QUARANTINE_KEY);
    assert.ok(quarantined.indexOf('/* A local stdio server') > q, 'the comment above notes moves with it');
    const docsComment = quarantined.indexOf('// A remote server');
    assert.ok(docsComment > 0 && docsComment < quarantined.indexOf('"docs"') && docsComment < q, 'the comment above docs stays above docs');
  });

  test('the last entry with a trailing comma (docs) and a nested settings.json section', () => {
    roundTrip(read('test/fixtures/workspaces/mcpoison/.vscode/mcp.json'), vscodeLoc, '/servers/docs');
    const settings = read('test/fixtures/configs/vscode/settings.json');
    const loc = vscodeSettingsJson('/ws/.vscode/settings.json', 'workspace', '/ws');
    const { quarantined } = roundTrip(settings, loc, '/mcp/servers/memory');
    assert.ok(quarantined.includes('"editor.formatOnSave": true'));
    assert.ok(quarantined.includes('// The `mcp` setting'));
  });

  test('Claude Code ~/.claude.json: a project-scoped server with a slash in its key restores to its project', () => {
    const text = read('test/fixtures/configs/claude-code/claude.json');
    const pointer = '/projects/~1home~1u~1proj/mcpServers/build';
    const { quarantined } = roundTrip(text, claudeLoc, pointer);
    assert.ok(Object.keys(JSON.parse(quarantined)[QUARANTINE_KEY]).includes(pointer));
    // the user-level server of the same file is not affected
    assert.ok(names(quarantined, claudeLoc).includes('/mcpServers/memory'));
  });

  test('two entries quarantined, one restored: the other stays quarantined', () => {
    const text = read('test/fixtures/workspaces/mcpoison/.vscode/mcp.json');
    const q1 = applyEdits(text, quarantineEdits(text, '/servers/notes'));
    const q2 = applyEdits(q1, quarantineEdits(q1, '/servers/docs'));
    assert.deepEqual(names(q2, vscodeLoc), []);
    assert.deepEqual(listQuarantined(q2).map((e) => e.name), ['notes', 'docs']);
    const r = applyEdits(q2, restoreEdits(q2, '/servers/docs'));
    assert.deepEqual(names(r, vscodeLoc), ['/servers/docs']);
    assert.deepEqual(listQuarantined(r).map((e) => e.pointer), ['/servers/notes']);
  });

  test('refusals: missing entry, duplicate key, occupied restore target, not quarantined, non-object file', () => {
    const text = read('test/fixtures/workspaces/mcpoison/.cursor/mcp.json');
    assert.throws(() => quarantineEdits(text, '/mcpServers/nope'), QuarantineError);
    assert.throws(() => quarantineEdits('{"mcpServers":{"a":{"command":"x"},"a":{"command":"y"}}}', '/mcpServers/a'), /twice/);
    assert.throws(() => quarantineEdits('[1]', '/mcpServers/a'), QuarantineError);
    assert.throws(() => quarantineEdits(text, 'mcpServers/build'), QuarantineError);
    assert.throws(() => restoreEdits(text, '/mcpServers/build'), /nothing is quarantined/);
    const q = applyEdits(text, quarantineEdits(text, '/mcpServers/build'));
    // someone re-added a "build" entry meanwhile: restoring must not overwrite it
    const readded = q.replace('"mcpServers": {}', '"mcpServers": {"build": {"command": "other"}}');
    assert.notEqual(readded, q);
    assert.throws(() => restoreEdits(readded, '/mcpServers/build'), /exists at/);
  });

  test('the edit is one minimal span: text before the section is untouched', () => {
    const text = read('test/fixtures/workspaces/mcpoison/.vscode/mcp.json');
    const edits = quarantineEdits(text, '/servers/notes');
    assert.equal(edits.length, 1);
    assert.ok(edits[0].offset > text.indexOf('"servers"'), 'the edit starts inside the servers section');
  });

  test('listQuarantined never throws on hostile text', () => {
    for (const t of ['', 'null', '{', `{"${QUARANTINE_KEY}": 5}`, `{"${QUARANTINE_KEY}": {"no-pointer": {}}}`, '\u0000\uffff']) {
      assert.doesNotThrow(() => listQuarantined(t));
    }
    assert.deepEqual(listQuarantined(`{"${QUARANTINE_KEY}": {"no-pointer": {}}}`)[0].name, 'no-pointer');
  });
});
