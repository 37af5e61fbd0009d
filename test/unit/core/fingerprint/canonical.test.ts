import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, canonicalHash } from '../../../../src/core/fingerprint/canonical';

test('canonicalJson follows RFC 8785: sorted keys, no whitespace, ES number formatting', () => {
  // Example values from RFC 8785 section 3.2.3 (key sorting by UTF-16 code units) and 3.2.2.3 (numbers).
  assert.equal(canonicalJson({ b: 1, a: [1e21, 0.000001, -0], c: '\u20ac' }), '{"a":[1e+21,0.000001,0],"b":1,"c":"€"}');
  assert.equal(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3, '\u0080': 4 }), '{"\\r":2,"1":3,"\u0080":4,"€":1}');
});

test('canonicalHash is insensitive to key order and sensitive to values', () => {
  assert.equal(canonicalHash({ command: 'echo', args: ['safe'] }), canonicalHash({ args: ['safe'], command: 'echo' }));
  assert.notEqual(canonicalHash({ command: 'echo', args: ['safe'] }), canonicalHash({ command: 'echo', args: ['safe '] }));
});
