import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLaunchSpec } from '../../../src/core/checks/launch';
import { redactArgs, redactChanges, redactEntry, redactText, redactUrl } from '../../../src/core/redact';
import type { ServerSpec } from '../../../src/core/types';

const GHP = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
const SHORT = 'hunter2hunter2';

function noSecret(shown: unknown, ...secrets: string[]): void {
  const text = typeof shown === 'string' ? shown : JSON.stringify(shown);
  for (const s of secrets) assert.ok(!text.includes(s), `${s} is shown in ${text}`);
}

test('arguments: the value after a secret-like flag, --flag=value and NAME=value are masked whatever they look like', () => {
  const args = ['-y', 'server', '--access-token', 'x', '--api-key=abc', '--token', SHORT, 'GITHUB_TOKEN=' + GHP, '--port', '8080', '--name', 'docs'];
  const out = redactArgs(args) as string[];
  assert.equal(out.length, args.length);
  assert.deepEqual(out.slice(0, 3), ['-y', 'server', '--access-token']);
  assert.equal(out[3], '…(1 chars)');
  assert.equal(out[4], '--api-key=…(3 chars)');
  assert.equal(out[6], 'hunt…(14 chars)');
  assert.match(out[7]!, /^GITHUB_TOKEN=ghp_…\(40 chars\)$/);
  assert.deepEqual(out.slice(8), ['--port', '8080', '--name', 'docs']);
});

test('references, paths, booleans and short numbers under secret names are shown as written', () => {
  const out = redactArgs(['--token', '${input:gh}', '--api-key=${env:KEY}', '--auth-file', './auth.json', '--token-limit', '1000']);
  assert.deepEqual(out, ['--token', '${input:gh}', '--api-key=${env:KEY}', '--auth-file', './auth.json', '--token-limit', '1000']);
});

test('URLs: user-info password and secret-named query values are masked, the rest kept', () => {
  assert.equal(redactUrl('https://u:p4ssw0rd@example.com/mcp?api_key=abc123&q=1'), 'https://u:…(8 chars)@example.com/mcp?api_key=…(6 chars)&q=1');
  assert.equal(redactUrl('https://example.com/mcp?token=${input:t}'), 'https://example.com/mcp?token=${input:t}');
  noSecret(redactUrl(`https://example.com/x/${GHP}`), GHP);
});

test('an entry: env, headers, args, url and nested members are masked; keys and other values kept', () => {
  const raw = {
    command: 'npx',
    args: ['-y', 'srv', '--access-token', SHORT],
    env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'x', PATH_EXTRA: '/usr/bin', OTHER: GHP },
    headers: { Authorization: `Bearer ${SHORT}`, 'X-Trace': 'on' },
    url: 'https://a:b1c2d3@h.example/mcp',
    extra: { nested: [{ apiKey: 'zzz' }] },
  };
  const shown = redactEntry(raw) as typeof raw;
  noSecret(shown, SHORT, GHP, 'b1c2d3', '"zzz"');
  assert.equal(shown.env.GITHUB_PERSONAL_ACCESS_TOKEN, '…(1 chars)');
  assert.equal(shown.env.PATH_EXTRA, '/usr/bin');
  assert.equal(shown.headers.Authorization, 'Bearer hunt…(14 chars)');
  assert.equal(shown.headers['X-Trace'], 'on');
  assert.deepEqual(Object.keys(shown), Object.keys(raw));
  // the input is not changed
  assert.equal(raw.env.GITHUB_PERSONAL_ACCESS_TOKEN, 'x');
});

test('free text: flags, NAME=value, Authorization and known tokens are masked', () => {
  const line = `node s.js --access-token ${SHORT} --api-key="k3y" TOKEN=${SHORT} -H "Authorization: Bearer ${SHORT}" ${GHP}`;
  const shown = redactText(line);
  noSecret(shown, SHORT, GHP, 'k3y');
  assert.match(shown, /^node s\.js --access-token hunt…\(14 chars\) --api-key="…\(3 chars\)"/);
});

test('changes are shown with the values of the redacted entries, so the value after --token is masked', () => {
  const before = { command: 'srv', args: ['--token', 'old-secret-value'] };
  const after = { command: 'srv', args: ['--token', 'new-secret-value'], env: { API_KEY: 'k' } };
  const changes = [
    { pointer: '/args/1', before: 'old-secret-value', after: 'new-secret-value' },
    { pointer: '/env', after: { API_KEY: 'k' } },
    { pointer: '/$files/server.js', before: 'aa', after: null },
  ];
  const shown = redactChanges(changes, before, after);
  noSecret(shown, 'old-secret-value', 'new-secret-value', '"k"');
  assert.deepEqual(shown[2], changes[2]);
});

test('the launch check flags a realistic token passed as an argument, as it does in env', () => {
  const spec = { name: 's', transport: 'stdio', command: 'srv', args: ['--access-token', 'Zx81kQp2Lm7Rt5Vb9Nc3'], raw: {} } as unknown as ServerSpec;
  const f = checkLaunchSpec(spec).filter((x) => x.ruleId === 'inline-secret');
  assert.equal(f.length, 1);
  noSecret(f[0]!.message, 'Zx81kQp2Lm7Rt5Vb9Nc3');
});
