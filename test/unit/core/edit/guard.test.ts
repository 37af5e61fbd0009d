import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits, parse } from 'jsonc-parser';
import { guardEntryEdits, GuardEditError, isGuarded, unguardEntryEdits } from '../../../../src/core/edit/guard';

const text = `{
  // my servers
  "servers": {
    "build": {
      "type": "stdio",
      "command": "node", // the runtime
      "args": ["./server.js", "--port", "3000"],
      "env": { "A": "1" },
      "cwd": "\${workspaceFolder}"
    },
    "remote": { "url": "https://example.com/mcp" },
    "bare": { "command": "srv" }
  }
}
`;
const launcher = { command: '/home/u/.mtg/bin/mcp-trust-guard', args: [] };

test('guard wraps command and args, keeps comments and other members; unguard restores', () => {
  const guarded = applyEdits(text, guardEntryEdits(text, '/servers/build', launcher, '/ws/.vscode/mcp.json'));
  assert.match(guarded, /\/\/ my servers/);
  const entry = parse(guarded).servers.build;
  assert.equal(entry.command, launcher.command);
  assert.deepEqual(entry.args, ['run', '--config', '/ws/.vscode/mcp.json', '--name', 'build', '--', 'node', './server.js', '--port', '3000']);
  assert.deepEqual(entry.env, { A: '1' });
  assert.equal(entry.cwd, '${workspaceFolder}');
  assert.deepEqual(isGuarded(entry), {
    launcher,
    configFile: '/ws/.vscode/mcp.json',
    name: 'build',
    command: 'node',
    args: ['./server.js', '--port', '3000'],
  });
  const back = applyEdits(guarded, unguardEntryEdits(guarded, '/servers/build'));
  assert.deepEqual(parse(back), parse(text));
  assert.match(back, /\/\/ my servers/);
  assert.throws(() => guardEntryEdits(guarded, '/servers/build', launcher, '/x'), /guarded already/);
});

test('an entry without args gets them, and loses them again on unguard', () => {
  const g = applyEdits(text, guardEntryEdits(text, '/servers/bare', { command: 'node', args: ['/ext/dist/cli.js'] }, '/c.json'));
  assert.deepEqual(parse(g).servers.bare.args, ['/ext/dist/cli.js', 'run', '--config', '/c.json', '--name', 'bare', '--', 'srv']);
  assert.deepEqual(isGuarded(parse(g).servers.bare)?.launcher, { command: 'node', args: ['/ext/dist/cli.js'] });
  assert.deepEqual(parse(applyEdits(g, unguardEntryEdits(g, '/servers/bare'))), parse(text));
});

test('refusals: remote entries, missing entries, duplicate keys, unguarded entries', () => {
  assert.throws(() => guardEntryEdits(text, '/servers/remote', launcher, '/c'), GuardEditError);
  assert.throws(() => guardEntryEdits(text, '/servers/none', launcher, '/c'), /no server entry/);
  assert.throws(() => guardEntryEdits('{"servers":{"d":{"command":"a","command":"b"}}}', '/servers/d', launcher, '/c'), /twice/);
  assert.throws(() => unguardEntryEdits(text, '/servers/build'), /not guarded/);
});

test('isGuarded rejects look-alikes and never throws', () => {
  for (const raw of [null, 1, [], {}, { command: 'x', args: ['run', '--config', 'c', '--', 'a'] }, { command: 'x', args: ['run', '--config', 'c', '--name', 'n', '--evil', '1', '--', 'a'] }, { command: 'x', args: ['run', '--config', 'c', '--name', 'n', '--'] }, { command: 'x', args: [1] }]) {
    assert.equal(isGuarded(raw), undefined, JSON.stringify(raw));
  }
  assert.equal(isGuarded({ command: 'g', args: ['run', '--url', 'https://h/mcp', '--config', 'c', '--name', 'n'] })?.url, 'https://h/mcp');
});
