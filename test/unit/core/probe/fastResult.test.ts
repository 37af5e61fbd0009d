import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastCallToolResult, fastReadResourceResult } from '../../../../src/core/probe/fastResult';
import { parseResult, parseResultWithSchema, type ProtocolEra } from '../../../../src/core/probe/schemas';

const ERAS: ProtocolEra[] = ['legacy', 'modern'];
const FAST: [string, (r: unknown) => Record<string, unknown> | undefined][] = [
  ['tools/call', fastCallToolResult],
  ['resources/read', fastReadResourceResult],
];

/**
 * The fast path's contract, for one result as `JSON.parse` gives it: where it answers, the SDK's zod schema of
 * both eras accepts the result and returns the same value, key order included; `parseResult` returns exactly
 * what the schema alone returns. Returns whether the fast path answered.
 */
function agrees(method: string, fast: (r: unknown) => Record<string, unknown> | undefined, json: string): boolean {
  const got = fast(JSON.parse(json));
  for (const era of ERAS) {
    const byZod = parseResultWithSchema(era, method, JSON.parse(json));
    const viaParse = parseResult(era, method, JSON.parse(json));
    assert.equal(viaParse.ok, byZod.ok, `${era} ${method} ${json}: parseResult and the schema disagree on acceptance`);
    if (byZod.ok && viaParse.ok) assert.equal(JSON.stringify(viaParse.value), JSON.stringify(byZod.value), `${era} ${method} ${json}`);
    if (got === undefined) continue;
    assert.ok(byZod.ok, `${era} ${method}: the fast path accepted what the schema refuses: ${json}`);
    assert.equal(JSON.stringify(got), JSON.stringify(byZod.value), `${era} ${method} ${json}`);
    assert.deepEqual(got, byZod.value);
  }
  return got !== undefined;
}

/** Results as hostile servers send them: near misses of the fast path's shapes, and prototype tricks. */
const HOSTILE: [string, string][] = [
  ['tools/call', '{"content":[{"type":"text","text":"ok"}]}'],
  ['tools/call', '{"isError":true,"structuredContent":{"b":1,"a":[1,{"__proto__":{"x":1}}],"1":2},"content":[{"text":"t","type":"text"}]}'],
  ['tools/call', '{"content":[]}'],
  ['tools/call', '{}'],
  ['tools/call', 'null'],
  ['tools/call', '[]'],
  ['tools/call', '"content"'],
  ['tools/call', '{"content":{"0":{"type":"text","text":"x"},"length":1}}'],
  ['tools/call', '{"content":[{"type":"text","text":"x","__proto__":{"type":"image"}}]}'],
  ['tools/call', '{"content":[{"type":"text"}]}'],
  ['tools/call', '{"content":[{"type":"text","text":1}]}'],
  ['tools/call', '{"content":[{"type":"Text","text":"x"}]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x","annotations":{"audience":["user"]}}]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x","annotations":{"priority":7}}]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x","_meta":{"a":1}}]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x","extra":"<IMPORTANT>steal</IMPORTANT>"}]}'],
  ['tools/call', '{"content":[{"type":"image","data":"AAAA","mimeType":"image/png"}]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"},null]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"isError":"false"}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"isError":null}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"structuredContent":[1,2]}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"structuredContent":null}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"structuredContent":"s"}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"structuredContent":{"__proto__":{"polluted":true},"a":1}}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"structuredContent":{"constructor":{"prototype":1},"toString":2}}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"_meta":{"progressToken":1}}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"_meta":null}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"toolResult":"legacy"}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"__proto__":{"isError":true}}'],
  ['tools/call', '{"content":[{"type":"text","text":"x"}],"constructor":1}'],
  ['tools/call', '{"content":[{"type":"text","text":"first"}],"content":[{"type":"text","text":"second"}]}'],
  ['tools/call', '{"content":[{"type":"text","text":"\\u0000\\u2028\\ud800 line\\nbreak \\u200b"}]}'],
  ['tools/call', '{"toolResult":{"a":1}}'],
  ['resources/read', '{"contents":[{"uri":"file:///a","mimeType":"text/plain","text":"a"}]}'],
  ['resources/read', '{"contents":[{"text":"a","uri":"file:///a"}]}'],
  ['resources/read', '{"contents":[]}'],
  ['resources/read', '{"contents":[{"uri":"file:///a","blob":"AAAA"}]}'],
  ['resources/read', '{"contents":[{"uri":"file:///a","blob":"not base64!"}]}'],
  ['resources/read', '{"contents":[{"uri":"file:///a","text":"a","blob":"AAAA"}]}'],
  ['resources/read', '{"contents":[{"uri":"file:///a","mimeType":null,"text":"a"}]}'],
  ['resources/read', '{"contents":[{"uri":1,"text":"a"}]}'],
  ['resources/read', '{"contents":[{"uri":"u","text":"a","_meta":{"k":1}}]}'],
  ['resources/read', '{"contents":[{"uri":"u","text":"a","__proto__":{"blob":"x"}}]}'],
  ['resources/read', '{"contents":[{"uri":"u","text":"a"}],"_meta":{}}'],
  ['resources/read', '{"contents":[{"uri":"u","text":"a"}],"extra":1}'],
  ['resources/read', '{"contents":{"uri":"u","text":"a"}}'],
  ['resources/read', '{}'],
];

test('the result fast path returns what the SDK schema of both eras returns, on hostile results', () => {
  for (const [method, json] of HOSTILE) agrees(method, FAST.find(([m]) => m === method)![1], json);
  // It answers for the shapes nearly every server sends (else it would save nothing).
  assert.ok(agrees('tools/call', fastCallToolResult, '{"content":[{"type":"text","text":"Echo: m1"}]}'));
  assert.ok(agrees('tools/call', fastCallToolResult, JSON.stringify({ content: [{ type: 'text', text: 'x'.repeat(4096) }], structuredContent: { content: 'x'.repeat(4096) } })));
  assert.ok(agrees('resources/read', fastReadResourceResult, '{"contents":[{"uri":"file:///a","mimeType":"text/plain","text":"a"}]}'));
});

/** Member names the shapes use, their near misses, and prototype names. */
const key = fc.constantFrom('content', 'contents', 'type', 'text', 'isError', 'structuredContent', '_meta', 'uri', 'mimeType', 'blob', 'annotations', 'data', '__proto__', 'constructor', 'toString', 'x');
const leaf = fc.oneof(fc.constantFrom('text', 'image', 'file:///a', 'text/plain', 'AAAA', '', true, false, null, 0, 1.5), fc.string({ maxLength: 8 }), fc.integer());
/** JSON values biased towards the fast path's shapes: objects over the names above, and arrays of them. */
const shaped = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 4 }),
    fc.record({ type: fc.constantFrom('text', 'image'), text: fc.oneof(fc.string(), leaf) }, { requiredKeys: [] }),
    fc.record({ uri: fc.oneof(fc.string(), leaf), mimeType: fc.oneof(fc.string(), leaf), text: fc.oneof(fc.string(), leaf) }, { requiredKeys: ['uri'] }),
  ),
})).v;
/** Mostly one of `valid`, sometimes any shaped value. */
const mostly = (valid: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: shaped, weight: 1 });
/** `base` with, now and then, one more member of any name (a near miss of the fast path's shape). */
const withExtra = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.tuple(base, fc.oneof({ arbitrary: fc.constant(null), weight: 5 }, fc.tuple(key, shaped))).map(([o, extra]) => (extra ? { ...o, [extra[0]]: extra[1] } : o));
const textBlock = withExtra(fc.record({ type: fc.constantFrom('text', 'text', 'text', 'image'), text: mostly(fc.string()) }, { requiredKeys: ['type'] }));
const callResult = withExtra(
  fc.record(
    { content: mostly(fc.array(textBlock, { maxLength: 3 })), isError: mostly(fc.boolean()), structuredContent: mostly(fc.dictionary(key, shaped, { maxKeys: 3 })) },
    { requiredKeys: ['content'] },
  ),
);
const readContents = withExtra(fc.record({ uri: mostly(fc.string()), mimeType: mostly(fc.string()), text: mostly(fc.string()) }, { requiredKeys: ['uri', 'text'] }));
const readResult = withExtra(fc.record({ contents: mostly(fc.array(readContents, { maxLength: 3 })) }));

test('property: the result fast path never accepts what the SDK schema refuses, and returns the same value', () => {
  let answered = 0;
  const check = (method: string, fast: (r: unknown) => Record<string, unknown> | undefined) => (v: unknown) => {
    if (agrees(method, fast, JSON.stringify(v))) answered++;
  };
  fc.assert(fc.property(fc.oneof({ arbitrary: callResult, weight: 6 }, shaped, fc.jsonValue({ maxDepth: 3 })), check('tools/call', fastCallToolResult)), { numRuns: 1000 });
  fc.assert(fc.property(fc.oneof({ arbitrary: readResult, weight: 6 }, shaped, fc.jsonValue({ maxDepth: 3 })), check('resources/read', fastReadResourceResult)), { numRuns: 1000 });
  // The generators reach the accepting side often enough for the comparison to mean something.
  assert.ok(answered > 200, `the fast path answered only ${answered} of 2000 generated results`);
});
