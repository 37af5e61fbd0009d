import type { Node } from 'jsonc-parser';

/**
 * The JSON value of a `jsonc-parser` tree node. Object members become own data properties (defined, not
 * assigned), so a key like `__proto__` is an ordinary member and cannot reach a prototype; on duplicate keys
 * the last one wins, as with `JSON.parse`.
 */
export function nodeToValue(n: Node): unknown {
  switch (n.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const p of n.children ?? []) {
        const [k, v] = p.children ?? [];
        if (k && v) Object.defineProperty(o, String(k.value), { value: nodeToValue(v), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    case 'array':
      return (n.children ?? []).map(nodeToValue);
    default:
      return n.value;
  }
}
