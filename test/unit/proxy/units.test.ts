import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalHash } from '../../../src/core/fingerprint';
import { pinMetadata } from '../../../src/core/pins';
import { blockedAnswer, LineSplitter, matchesTemplate, MetadataFilter } from '../../../src/proxy';

test('LineSplitter: framing across chunks, CRLF, empty lines, and an over-size line dropped while it streams', () => {
  const lines: string[] = [];
  const over: number[] = [];
  const s = new LineSplitter(
    10,
    (l) => lines.push(l.toString()),
    (n) => over.push(n),
  );
  s.push(Buffer.from('ab'));
  s.push(Buffer.from('c\n\n12345\r\n'));
  s.push(Buffer.from('0123456789A'));
  assert.equal(s.buffered, 0, 'nothing of the over-size line is held');
  s.push(Buffer.from('BCDEF'.repeat(1000)));
  s.push(Buffer.from('tail\nok\n'));
  assert.deepEqual(lines, ['abc', '12345\r', 'ok']);
  assert.equal(over.length, 1);
});

const tool = (description: string) => ({ name: 'add', description, inputSchema: { type: 'object' } });

test('MetadataFilter: pinned items pass, new and changed are withheld with their hash; calls follow', () => {
  const pins = pinMetadata({ ok: true, warnings: [], ms: 0, tools: [tool('Adds.')], prompts: [], resources: [], resourceTemplates: [], truncated: false, stderr: '', clientInfo: { name: 'a', version: '1' } }, new Date());
  const f = new MetadataFilter(pins);
  assert.equal(f.check('tools', 'add'), undefined, 'a pinned name is callable before any list');
  const page = f.filterPage('tools', [tool('Adds. <IMPORTANT>'), { name: 'exec' }, 'junk'], true);
  assert.deepEqual(page.kept, []);
  assert.deepEqual(page.withheld.map((w) => [w.key, w.state, w.sha256 === canonicalHash(w.item)]), [['add', 'changed', true], ['exec', 'new', true], ['(tool #3 without name)', 'new', true]]);
  assert.match(f.check('tools', 'add') ?? '', /withheld/);
  assert.match(f.check('tools', 'other') ?? '', /never approved/);
  assert.deepEqual(f.filterPage('tools', [tool('Adds.')], true).kept, [tool('Adds.')]);
  assert.equal(f.check('tools', 'add'), undefined);
  assert.match(new MetadataFilter(undefined).check('prompts', 'p') ?? '', /no prompts of this server were pinned/);
});

test('blockedAnswer: initialize, tools/list, tools/call, unknown method, notifications', () => {
  const init = blockedAnswer({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26' } }, 's', 'why', '1') as { result: { protocolVersion: string; serverInfo: { name: string } } };
  assert.equal(init.result.protocolVersion, '2025-03-26');
  assert.equal(init.result.serverInfo.name, 'mcp-trust-guard');
  const list = blockedAnswer({ id: 2, method: 'tools/list' }, 's', 'why', '1') as { result: { tools: { name: string; description: string }[] } };
  assert.match(list.result.tools[0].description, /blocked the MCP server "s": why/);
  assert.equal((blockedAnswer({ id: 3, method: 'tools/call' }, 's', 'why', '1') as { result: { isError: boolean } }).result.isError, true);
  assert.equal((blockedAnswer({ id: 4, method: 'x/y' }, 's', 'why', '1') as { error: { code: number } }).error.code, -32601);
  assert.equal(blockedAnswer({ method: 'notifications/initialized' }, 's', 'why', '1'), undefined);
});

test('matchesTemplate: literal, resolved variables, ${input:} wildcards, nothing else', () => {
  const ctx = { env: { TOKEN: 't' }, workspaceFolder: '/ws', home: '/h' };
  assert.ok(matchesTemplate('a', 'a', 'vscode', ctx));
  assert.ok(matchesTemplate('${workspaceFolder}/s.js', '/ws/s.js', 'vscode', ctx));
  assert.ok(matchesTemplate('${env:TOKEN}', 't', 'vscode', ctx));
  assert.ok(matchesTemplate('--key=${input:k}', '--key=secret', 'vscode', ctx));
  assert.ok(!matchesTemplate('--key=${input:k}', '--other=secret', 'vscode', ctx));
  assert.ok(!matchesTemplate('a.*', 'abc', 'vscode', ctx));
  assert.ok(!matchesTemplate('${workspaceFolder}/s.js', '/evil/s.js', 'vscode', ctx));
});
