// Hostile input: whatever the file holds, parsing reports errors and findings and never throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { MAX_NESTING, parseConfigText, readConfigFile } from '../../../../src/core/config';
import { vscodeCodeWorkspace, vscodeSettingsJson } from '../../../../src/core/hosts';
import { canonicalJson } from '../../../../src/core/fingerprint/canonical';
import type { ParsedConfig } from '../../../../src/core/types';
import { fixture, locationFor } from './helpers';

const cursor = (text: string | Uint8Array) => parseConfigText(text, locationFor('cursor', '/ws/.cursor/mcp.json', { workspaceFolder: '/ws' }));
const vscode = (text: string | Uint8Array) => parseConfigText(text, locationFor('vscode', '/ws/.vscode/mcp.json', { workspaceFolder: '/ws' }));
const gemini = (text: string) => parseConfigText(text, locationFor('gemini-cli', '/ws/.gemini/settings.json'));
const rules = (r: ParsedConfig) => r.findings.map((f) => [f.ruleId, f.severity, f.pointer]);

test('a syntax error is reported with file, 1-based line and column; the recovered servers are still listed', async () => {
  const r = await readConfigFile(locationFor('cursor', fixture('hostile', 'syntax-error.json')));
  assert.deepEqual(r.errors, [{ configFile: fixture('hostile', 'syntax-error.json'), message: "expected ','", line: 5, column: 7 }]);
  assert.deepEqual(r.servers.map((s) => [s.name, s.command]), [['build', 'echo']]);
  // CRLF line ends count as one line break.
  const crlf = cursor(readFileSync(fixture('hostile', 'syntax-error.json'), 'utf8').replace(/\n/g, '\r\n'));
  assert.deepEqual(crlf.errors.map((e) => [e.line, e.column]), [[5, 7]]);
});

test('comments and trailing commas: errors for strict-JSON hosts as the host sees them, fine in VS Code', () => {
  const text = '{\n  // build server\n  "mcpServers": {\n    "build": {"command": "echo", "args": ["safe"],}\n  }\n}';
  const c = cursor(text);
  assert.deepEqual(
    c.errors.map((e) => [e.message, e.line, e.column]),
    [
      ['comments are not allowed: Cursor parses this file as strict JSON', 2, 3],
      ['trailing comma is not allowed: Cursor parses this file as strict JSON', 4, 50],
    ],
  );
  assert.deepEqual(c.servers.map((s) => s.name), ['build']);

  const g = gemini(text);
  assert.deepEqual(
    g.errors.map((e) => [e.message, e.line, e.column]),
    [['trailing comma is not allowed: Gemini CLI accepts comments but not trailing commas', 4, 50]],
  );
  const v = vscode(text.replace('mcpServers', 'servers'));
  assert.deepEqual(v.errors, []);
  assert.deepEqual(v.servers.map((s) => [s.name, s.args]), [['build', ['safe']]]);
});

test('an empty file is "no servers" for VS Code and an error for strict-JSON hosts', () => {
  assert.deepEqual(vscode('  // nothing yet\n'), { ...vscode('  // nothing yet\n'), servers: [], errors: [], findings: [] });
  assert.deepEqual(cursor('').errors.map((e) => [e.message, e.line, e.column]), [['the file is empty; Cursor expects a JSON object', 1, 1]]);
});

test('a UTF-8 BOM is dropped: offsets, lines and columns count from the character after it', async () => {
  const file = fixture('hostile', 'bom.json');
  const bytes = readFileSync(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const r = await readConfigFile(locationFor('cursor', file));
  assert.deepEqual(r.errors, []);
  const [s] = r.servers;
  const text = bytes.subarray(3).toString('utf8');
  assert.equal(s.sourceText, '{ "command": "echo", "args": ["bom"] }');
  assert.equal(text.slice(s.range.offset, s.range.offset + s.range.length), s.sourceText);
  assert.deepEqual([s.range.line, s.range.column], [3, 12]);
  // The same from a string that still carries the BOM.
  assert.deepEqual(cursor(`\ufeff${text}`).servers[0].range, s.range);
});

test('invalid UTF-8 is decoded with U+FFFD (as Node-based hosts do) and reported', () => {
  const bytes = Buffer.concat([Buffer.from('{"mcpServers":{"x":{"command":"ech'), Buffer.from([0xff, 0xc3]), Buffer.from('o"}}}')]);
  const r = cursor(bytes);
  assert.deepEqual(r.errors, []);
  assert.equal(r.servers[0].command, 'ech\ufffd\ufffdo');
  assert.deepEqual(rules(r), [['invalid-utf8', 'medium', '']]);
  assert.match(r.findings[0].message, /offset 34, line 1/);
  // Overlong encodings and surrogates are invalid too (they would let two byte strings decode alike).
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
    const t = Buffer.concat([Buffer.from('{"a":"'), Buffer.from(bad), Buffer.from('"}')]);
    assert.deepEqual(rules(cursor(t)), [['invalid-utf8', 'medium', '']], JSON.stringify(bad));
  }
});

test('duplicate keys in an entry: last value in raw (as JSON.parse), every value in duplicateKeys, a high finding', async () => {
  const r = await readConfigFile(locationFor('cursor', fixture('hostile', 'duplicates.json')));
  assert.deepEqual(r.errors, []);
  const [build, twice] = r.servers;
  assert.equal(build.command, 'cmd.exe');
  assert.deepEqual(build.raw, { command: 'cmd.exe', args: ['safe'] });
  assert.deepEqual(build.raw, JSON.parse(build.sourceText));
  assert.deepEqual(build.duplicateKeys, [{ pointer: '/command', values: ['echo', 'cmd.exe'] }]);
  // A server name defined twice: the last definition is the server, every definition is pinned.
  assert.equal(twice.command, 'second');
  assert.equal(twice.pointer, '/mcpServers/twice');
  assert.deepEqual(twice.duplicateKeys, [
    { pointer: '', values: [{ command: 'first' }, { command: 'second', env: { A: '2' } }] },
    { pointer: '/env/A', values: ['1', '2'] },
  ]);
  assert.deepEqual(rules(r), [
    ['duplicate-key', 'high', '/mcpServers/build/command'],
    ['duplicate-key', 'high', '/mcpServers/twice/env/A'],
    ['duplicate-key', 'high', '/mcpServers/twice'],
  ]);
  assert.match(r.findings[0].message, /"command" 2 times \("echo", "cmd.exe"\)/);
});

test('duplicate sections: servers of every occurrence are listed, names merged across them', () => {
  const r = cursor('{"mcpServers":{"a":{"command":"1"},"b":{"command":"2"}},"mcpServers":{"b":{"command":"3"}}}');
  assert.deepEqual(r.servers.map((s) => [s.name, s.command, s.duplicateKeys.length]), [['a', '1', 0], ['b', '3', 1]]);
  assert.deepEqual(rules(r), [['duplicate-key', 'high', '/mcpServers'], ['duplicate-key', 'high', '/mcpServers/b']]);
});

test('~/.claude.json: a project path given twice is reported and the servers of both are listed', () => {
  const text = JSON.stringify({ projects: { '/p': { mcpServers: { a: { command: '1' } } } } }).replace(/}}$/, ',"/p":{"mcpServers":{"b":{"command":"2"}}}}}');
  const r = parseConfigText(text, { host: 'claude-code', scope: 'user', path: '/home/u/.claude.json', jsonc: false, serverSections: [['mcpServers'], ['projects', '*', 'mcpServers']] });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.servers.map((s) => [s.name, s.workspaceFolder]), [['a', '/p'], ['b', '/p']]);
  assert.deepEqual(rules(r), [['duplicate-key', 'high', '/projects/~1p']]);
});

test('a *.code-workspace file: dotted keys inside its settings count too', () => {
  const text = JSON.stringify({ folders: [], settings: { 'mcp.servers': { x: { command: 'y' } } }, 'mcp.servers': { ignored: { command: 'z' } } });
  const r = parseConfigText(text, vscodeCodeWorkspace('/ws/a.code-workspace', '/ws'));
  assert.deepEqual(r.servers.map((s) => s.pointer), ['/settings/mcp.servers/x']);
  assert.deepEqual(rules(r), [['dotted-settings-key', 'high', '/settings/mcp.servers']]);
});

test('escaped keys are decoded as JSON.parse decodes them ("comm\\u0061nd" is command)', async () => {
  const file = fixture('hostile', 'escaped-keys.json');
  const r = await readConfigFile(locationFor('cursor', file));
  assert.deepEqual(r.errors, []);
  const [s] = r.servers;
  assert.equal(s.name, 'build');
  assert.equal(s.pointer, '/mcpServers/build');
  assert.equal(s.command, 'echo');
  assert.deepEqual(s.args, ['/c', 'shell.bat']);
  assert.deepEqual(s.raw, JSON.parse(readFileSync(file, 'utf8')).mcpServers.build);
  assert.deepEqual(s.duplicateKeys, [{ pointer: '/command', values: ['cmd.exe', 'echo'] }]);
  // Other escapes, lone surrogates and "/" or "~" in names (escaped in pointers per RFC 6901).
  const text = '{"mcpServers":{"a/b~c":{"command":"\\ud800\\u00e9\\n"}}}';
  const [t] = cursor(text).servers;
  assert.equal(t.name, 'a/b~c');
  assert.equal(t.pointer, '/mcpServers/a~1b~0c');
  assert.equal(t.command, JSON.parse(text).mcpServers['a/b~c'].command);
});

test('__proto__, constructor, hasOwnProperty as names and keys are plain data: no prototype pollution, canonical JSON intact', async () => {
  const r = await readConfigFile(locationFor('cursor', fixture('hostile', 'proto.json')));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.servers.map((s) => [s.name, s.pointer, s.transport]), [
    ['__proto__', '/mcpServers/__proto__', 'stdio'],
    ['constructor', '/mcpServers/constructor', 'stdio'],
    ['hasOwnProperty', '/mcpServers/hasOwnProperty', 'stdio'],
    ['toString', '/mcpServers/toString', 'http'],
  ]);
  const [proto, ctor, hop] = r.servers;
  assert.equal(proto.command, 'evil');
  const raw = ctor.raw as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(raw), Object.prototype);
  assert.ok(Object.prototype.hasOwnProperty.call(raw, '__proto__'));
  assert.deepEqual(Object.keys(raw), ['command', '__proto__']);
  assert.equal(canonicalJson(ctor.raw), '{"__proto__":{"polluted":true},"command":"node"}');
  assert.equal(canonicalJson(ctor.raw), canonicalJson(JSON.parse(ctor.sourceText)));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(canonicalJson(hop.raw), '{"command":"echo","env":{"__proto__":"x","toJSON":"y"}}');
  assert.deepEqual(Object.keys(hop.env ?? {}), ['__proto__', 'toJSON']);
  assert.equal(Object.getPrototypeOf(hop.env), Object.prototype);
  // A duplicated __proto__ key is a duplicate like any other.
  const d = cursor('{"mcpServers":{"__proto__":{"__proto__":1,"__proto__":2}}}');
  assert.deepEqual(d.servers[0].duplicateKeys, [{ pointer: '/__proto__', values: [1, 2] }]);
  assert.equal(canonicalJson(d.servers[0].raw), '{"__proto__":2}');
});

test('a file with both servers and mcpServers: both parsed, a medium finding names the one the host reads', async () => {
  const file = fixture('hostile', 'both-sections.json');
  const c = await readConfigFile(locationFor('cursor', file));
  assert.deepEqual(c.servers.map((s) => s.pointer), ['/servers/a', '/mcpServers/hidden']);
  assert.deepEqual(rules(c), [['ambiguous-sections', 'medium', '/servers']]);
  assert.match(c.findings[0].message, /Cursor reads "mcpServers" and ignores "servers"/);
  const v = await readConfigFile(locationFor('vscode', file));
  assert.deepEqual(rules(v), [['ambiguous-sections', 'medium', '/mcpServers']]);
  assert.match(v.findings[0].message, /VS Code reads "servers" and ignores "mcpServers"/);
  // Only the other spelling: listed, with a low finding that the host does not launch them.
  const only = vscode('{"mcpServers":{"x":{"command":"echo"}}}');
  assert.deepEqual(only.servers.map((s) => s.name), ['x']);
  assert.deepEqual(rules(only), [['ignored-section', 'low', '/mcpServers']]);
});

test('malformed entries: a medium finding at the member, no crash, the raw value kept for the fingerprint', async () => {
  const r = await readConfigFile(locationFor('cursor', fixture('hostile', 'malformed.json')));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(rules(r), [
    ['malformed-entry', 'medium', '/mcpServers/string-entry'],
    ['malformed-entry', 'medium', '/mcpServers/array-entry'],
    ['malformed-entry', 'medium', '/mcpServers/bad-args/args'],
    ['malformed-entry', 'medium', '/mcpServers/mixed-args/args/1'],
    ['malformed-entry', 'medium', '/mcpServers/bad-env/env/NUM'],
    ['malformed-entry', 'medium', '/mcpServers/bad-env/env/OBJ'],
    ['malformed-entry', 'medium', '/mcpServers/bad-type/type'],
    ['malformed-entry', 'medium', '/mcpServers/nothing'],
    ['malformed-entry', 'medium', '/mcpServers/huge/timeout'],
  ]);
  const byName = Object.fromEntries(r.servers.map((s) => [s.name, s]));
  assert.equal(byName['string-entry'].raw, 'npx -y evil');
  assert.deepEqual(byName['array-entry'].raw, ['npx', '-y', 'evil']);
  assert.equal(byName['bad-args'].args, undefined);
  assert.equal(byName['mixed-args'].args, undefined);
  assert.deepEqual(byName['bad-env'].env, { OK: '1' });
  assert.equal(byName['bad-type'].transport, 'http');
  // 1e400 is Infinity to JSON.parse; RFC 8785 cannot encode it, so it is pinned as a string.
  assert.deepEqual(byName.huge.raw, { command: 'node', timeout: 'Infinity' });
  for (const s of r.servers) assert.doesNotThrow(() => canonicalJson(s.raw), s.name);

  // VS Code documents numbers and null as env values: no finding there.
  assert.deepEqual(rules(vscode('{"servers":{"x":{"command":"a","env":{"N":1,"U":null}}}}')), []);
  // Sections and files of the wrong shape.
  assert.deepEqual(rules(cursor('{"mcpServers":[{"command":"x"}]}')), [['malformed-entry', 'medium', '/mcpServers']]);
  assert.deepEqual(rules(cursor('[{"mcpServers":{}}]')), [['malformed-entry', 'medium', '']]);
  assert.deepEqual(cursor('{"mcpServers":null}').servers, []);
});

test('VS Code settings: dotted top-level keys are expanded as VS Code expands them, and flagged', () => {
  const text = JSON.stringify({ 'mcp.servers': { a: { command: 'x' } }, 'mcp.servers.b': { command: 'y' }, 'mcp.servers.a.args': ['evil'], 'mcp.inputs': [] });
  const r = parseConfigText(text, vscodeSettingsJson('/ws/.vscode/settings.json', 'workspace', '/ws'));
  assert.deepEqual(r.servers.map((s) => [s.name, s.pointer, s.command]), [['a', '/mcp.servers/a', 'x'], ['b', '/mcp.servers.b', 'y']]);
  assert.deepEqual(rules(r), [
    ['dotted-settings-key', 'high', '/mcp.servers'],
    ['dotted-settings-key', 'high', '/mcp.servers.b'],
    ['dotted-settings-key', 'high', '/mcp.servers.a.args'],
  ]);
});

test('deep nesting is an error with a position, never a stack overflow', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const inEntry = cursor(`{"mcpServers":{"x":{"command":"a","args":${deep(MAX_NESTING + 5)}}}}`);
  assert.equal(inEntry.servers.length, 0);
  assert.deepEqual(inEntry.errors.map((e) => [e.message, e.line]), [[`values are nested more than ${MAX_NESTING} levels deep; not parsed`, 1]]);
  // Far deeper than jsonc-parser's recursion can go (JSON.parse would take it).
  const overflow = cursor(`{"mcpServers":{"x":{"command":"a"}},"pad":${deep(200_000)}}`);
  assert.equal(overflow.errors.length, 1);
  assert.match(overflow.errors[0].message, /nested more than/);
  // Reported where the 1001st level opens (the root object is level 1).
  assert.equal(overflow.errors[0].column, 42 + MAX_NESTING);
  // Within the limit is fine.
  assert.equal(cursor(`{"mcpServers":{"x":{"args":${deep(MAX_NESTING - 10)}}}}`).errors.length, 0);
});

test('at most 20 syntax errors are listed, then a count', () => {
  const r = cursor(`{"mcpServers":{}}${' x'.repeat(500)}`);
  assert.equal(r.errors.length, 21);
  assert.match(r.errors[20].message, /^\d+ more syntax errors not shown$/);
});

test('property: parsing never throws, whatever the text or bytes', () => {
  const alphabet = [...'{}[]:,"\\ \n\r\t/*0123456789-+.eEtrufalsn', 'mcpServers', 'servers', 'command', '__proto__', '\\u0061', '\ufeff', '\u2028'];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }), fc.constantFrom('cursor', 'vscode', 'gemini-cli', 'claude-code') as fc.Arbitrary<'cursor'>, (parts, host) => {
      const r = parseConfigText(parts.join(''), locationFor(host, '/f.json'));
      for (const e of r.errors) assert.ok(e.line === undefined || (e.line >= 1 && (e.column ?? 0) >= 1));
    }),
    { numRuns: 3000 },
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void cursor(bytes)), { numRuns: 2000 });
});

test('property: for valid JSON, raw is exactly what JSON.parse gives and sourceText is the entry', () => {
  const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toJSON', 'a/b', '~'));
  const entry = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
  fc.assert(
    fc.property(fc.dictionary(key, entry, { maxKeys: 5 }), fc.constantFrom(undefined, 2, '\t'), (servers, indent) => {
      const text = `{"mcpServers":${JSON.stringify(servers, null, indent)}}`;
      const expected = JSON.parse(text).mcpServers;
      const r = cursor(text);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.servers.map((s) => s.name).sort(), Object.keys(expected).sort());
      for (const s of r.servers) {
        assert.deepStrictEqual(s.raw, expected[s.name]);
        assert.deepStrictEqual(JSON.parse(s.sourceText), expected[s.name]);
        assert.equal(canonicalJson(s.raw), canonicalJson(expected[s.name]));
      }
    }),
    { numRuns: 500 },
  );
});
