/**
 * Rule `cross-server-shadowing`: the text names another configured server, or one of its tools, to steer how
 * the model uses it ("when using the send_email tool of server X, always add …"): a "shadowing" attack, where
 * one server's description changes the behaviour of another server's tools (Invariant Labs, "Tool Poisoning
 * Attacks", 2025). High when the mention comes with instruction words, low otherwise.
 *
 * Distinctive tool names (with `_`, `-`, `.` or camelCase) count wherever they appear as a word; plain words
 * ("echo", "search") and server names count only as `` `name` ``, "name tool", "tool name", "name server",
 * "server name".
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule, type OtherServer } from '../rule';
import { snippet } from '../text';
import { eachString, where } from './common';

const INSTRUCTION = /\b(?:always|never|must|should|instead|whenever|when\s+(?:using|calling|you\s+use|invoking)|before|after|do\s+not|don['’]?t|make\s+sure|ensure|override|replace|redirect|change|modify|add|include|bcc|cc|prefer|only\s+use|important|ignore)\b/i;
const MAX_NAMES = 2000;

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function isDistinctive(name: string): boolean {
  return name.length >= 4 && (/[_\-.]/.test(name) || /[a-z][A-Z]/.test(name));
}

interface Matcher {
  re: RegExp;
  label: string;
  /** The tool name, for tool matchers. */
  tool?: string;
}

const matcherCache = new WeakMap<ItemCheckContext, Matcher[]>();

function matchers(ctx: ItemCheckContext): Matcher[] {
  const hit = matcherCache.get(ctx);
  if (hit) return hit;
  const own = new Set(ctx.ownToolNames ?? []);
  const out: Matcher[] = [];
  let count = 0;
  const others: OtherServer[] = Array.isArray(ctx.otherServers) ? ctx.otherServers : [];
  for (const o of others) {
    if (!o || typeof o.name !== 'string' || o.name === ctx.serverName || o.name.length < 2) continue;
    const n = esc(o.name.slice(0, 200));
    const b = String.raw`(?<![\w-])`;
    const a = String.raw`(?![\w-])`;
    out.push({
      re: new RegExp(String.raw`[\`"'“]${n}[\`"'”]|\bserver\s+[\`"'“]?${n}${a}|${b}${n}[\`"'”]?\s+(?:mcp\s+)?server\b`, 'i'),
      label: `server "${snippet(o.name, 60)}"`,
    });
    const tools = Array.isArray(o.toolNames) ? o.toolNames : [];
    for (const t of tools) {
      if (typeof t !== 'string' || t.length < 2 || own.has(t) || ++count > MAX_NAMES) continue;
      const tn = esc(t.slice(0, 200));
      const re = isDistinctive(t)
        ? new RegExp(String.raw`${b}${tn}${a}`)
        : new RegExp(String.raw`[\`"'“]${tn}[\`"'”]|${b}${tn}${a}\s+(?:tool|function)\b|\b(?:tool|function)\s+[\`"'“]?${tn}${a}`, 'i');
      out.push({ re, label: `tool "${snippet(t, 60)}" of server "${snippet(o.name, 60)}"`, tool: t });
    }
  }
  matcherCache.set(ctx, out);
  return out;
}

/** See the file comment. */
export const crossServerShadowing: ItemRule = {
  id: 'cross-server-shadowing',
  description: 'Names another configured server or one of its tools, with instructions on how to use it (shadowing).',
  check(item: unknown, ctx: ItemCheckContext): Finding[] {
    const ms = matchers(ctx);
    if (ms.length === 0) return [];
    const own = typeof item === 'object' && item !== null && typeof (item as { name?: unknown }).name === 'string' ? (item as { name: string }).name : null;
    return eachString(item, (s) => {
      if (s.isKey || s.pointer === '/name') return null;
      for (const m of ms) {
        if (!m.re.test(s.text)) continue;
        if (own !== null && m.tool === own) continue;
        if (INSTRUCTION.test(s.text)) {
          return finding('cross-server-shadowing', 'high', `${where(s)} gives instructions about ${m.label}: ${snippet(s.text, 140)}`, s.pointer);
        }
        return finding('cross-server-shadowing', 'low', `${where(s)} mentions ${m.label}`, s.pointer);
      }
      return null;
    });
  },
};
