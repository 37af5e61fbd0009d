import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffJson, escapePointerToken, jsonEqual } from '../../../../src/core/pins';

test('diffJson: added, removed and changed members with RFC 6901 pointers (~0, ~1 escapes)', () => {
  const before = { command: 'echo', args: ['safe', 'x'], env: { 'a/b': '1', 'c~d': '2', keep: 'k' } };
  const after = { command: 'cmd.exe', args: ['safe'], env: { 'a/b': '9', keep: 'k', NEW: 'n' } };
  assert.deepEqual(diffJson(before, after), [
    { pointer: '/command', before: 'echo', after: 'cmd.exe' },
    { pointer: '/args/1', before: 'x' },
    { pointer: '/env/a~1b', before: '1', after: '9' },
    { pointer: '/env/c~0d', before: '2' },
    { pointer: '/env/NEW', after: 'n' },
  ]);
  assert.equal(escapePointerToken('~/'), '~0~1');
});

test('diffJson: key order does not matter; type changes are one change; base pointer is prefixed', () => {
  assert.deepEqual(diffJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 }), []);
  assert.deepEqual(diffJson({ a: [1] }, { a: { 0: 1 } }, '/tools/x'), [{ pointer: '/tools/x/a', before: [1], after: { 0: 1 } }]);
  assert.deepEqual(diffJson(null, 0), [{ pointer: '', before: null, after: 0 }]);
});

test('diffJson: __proto__ is an ordinary member', () => {
  const before = JSON.parse('{"__proto__": {"x": 1}}');
  const after = JSON.parse('{"__proto__": {"x": 2}}');
  assert.deepEqual(diffJson(before, after), [{ pointer: '/__proto__/x', before: 1, after: 2 }]);
  assert.equal(jsonEqual(before, after), false);
  assert.equal(jsonEqual(JSON.parse('{"__proto__": 1}'), {}), false);
});

test('diffJson: output is capped', () => {
  const a = Array.from({ length: 5_000 }, (_, i) => i);
  const b = a.map((x) => x + 1);
  assert.equal(diffJson(a, b).length, 1_000);
  assert.equal(diffJson(a, b, '', 10).length, 10);
});

test('diffJson: very deep nesting does not overflow the stack', () => {
  let a: unknown = 1;
  let b: unknown = 2;
  for (let i = 0; i < 5_000; i++) {
    a = [a];
    b = [b];
  }
  const changes = diffJson(a, b);
  assert.equal(changes.length, 1);
});
