/**
 * A fast path for the two results a guarded session carries most: `tools/call` and `resources/read`, in the shape
 * nearly every server sends them (text only, no annotations or `_meta`). For a result of exactly that shape it
 * returns the value the SDK's zod schema (`CallToolResultSchema`, `ReadResourceResultSchema`, of either era, see
 * `schemas.ts`) would return, key order included, without running zod; for anything else it returns `undefined`
 * and the caller parses with zod. It never accepts what zod would refuse and never returns a different value: the
 * test `test/unit/core/probe/fastResult.test.ts` checks both against zod on generated and hostile results.
 *
 * Accepted shapes (every member an own property of a plain object, as `JSON.parse` builds them):
 * - `tools/call`: `{content, structuredContent?, isError?}` in any order; `content` an array of `{type: "text",
 *   text: string}` (no other member); `structuredContent` a plain object without a `__proto__` or `constructor`
 *   member (the two eras' schemas, and zod versions, treat those keys differently); `isError` a boolean.
 * - `resources/read`: `{contents}`; `contents` an array of `{uri: string, mimeType?: string, text: string}`.
 */

type Obj = Record<string, unknown>;

function isPlain(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function has(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** `[{type: "text", text}]` rebuilt in the schema's key order, or undefined when any block has another shape. */
function textBlocks(content: unknown): Obj[] | undefined {
  if (!Array.isArray(content)) return undefined;
  const out: Obj[] = new Array<Obj>(content.length);
  for (let i = 0; i < content.length; i++) {
    const b: unknown = content[i];
    if (!isPlain(b)) return undefined;
    let n = 0;
    for (const k in b) {
      if (k !== 'type' && k !== 'text') return undefined;
      n++;
    }
    const text = b.text;
    if (n !== 2 || b.type !== 'text' || typeof text !== 'string') return undefined;
    out[i] = { type: 'text', text };
  }
  return out;
}

/** The parsed `tools/call` result (see the module doc), or undefined when zod must decide. */
export function fastCallToolResult(result: unknown): Obj | undefined {
  if (!isPlain(result)) return undefined;
  let content: Obj[] | undefined;
  let structured: Obj | undefined;
  let isError: boolean | undefined;
  for (const k in result) {
    const v = result[k];
    if (k === 'content') content = textBlocks(v);
    else if (k === 'isError') {
      if (typeof v !== 'boolean') return undefined;
      isError = v;
    } else if (k === 'structuredContent') {
      if (!isPlain(v) || has(v, '__proto__') || has(v, 'constructor')) return undefined;
      structured = v;
    } else return undefined;
  }
  if (content === undefined) return undefined;
  const out: Obj = { content };
  if (structured !== undefined) out.structuredContent = structured;
  if (isError !== undefined) out.isError = isError;
  return out;
}

/** The parsed `resources/read` result (see the module doc), or undefined when zod must decide. */
export function fastReadResourceResult(result: unknown): Obj | undefined {
  if (!isPlain(result)) return undefined;
  let n = 0;
  for (const k in result) {
    if (k !== 'contents') return undefined;
    n++;
  }
  const contents = result.contents;
  if (n !== 1 || !Array.isArray(contents)) return undefined;
  const out: Obj[] = new Array<Obj>(contents.length);
  for (let i = 0; i < contents.length; i++) {
    const c: unknown = contents[i];
    if (!isPlain(c)) return undefined;
    for (const k in c) if (k !== 'uri' && k !== 'mimeType' && k !== 'text') return undefined;
    const { uri, mimeType, text } = c;
    if (typeof uri !== 'string' || typeof text !== 'string') return undefined;
    if (mimeType === undefined) out[i] = { uri, text };
    else if (typeof mimeType === 'string') out[i] = { uri, mimeType, text };
    else return undefined;
  }
  return { contents: out };
}
