/**
 * Check `tool-name-collision`: a tool name that another configured server also exposes, or one that only looks
 * like another server's tool name.
 * - The same name on two servers is common and harmless among products a user installs on purpose (two git
 *   hosting servers both have `create_issue`, two file servers `read_file`): info.
 * - The same name whose description claims to replace the other server or its tool ("use this instead of the
 *   GitHub server", "replaces read_file of filesystem"): high. That is a takeover of the other server's calls.
 * - A different name with the same UTS #39 confusable skeleton (`rеаd_filе` with Cyrillic letters beside
 *   `read_file`, all-Cyrillic `сору` beside `copy`): high on the imitation (the name that is not plain ASCII,
 *   or both when neither is), info on the plain name it imitates. Nobody names a tool that way by accident.
 */
import type { Finding } from '../../types';
import { finding, type OtherServer } from '../rule';
import { isLookAlike, skeleton, snippet } from '../text';

/** The rule id of {@link checkToolNameCollisions}. */
export const TOOL_NAME_COLLISION = 'tool-name-collision';

/** One server's tool whose name another server also uses, or imitates. */
export interface ToolNameCollision {
  serverName: string;
  toolName: string;
  /** Pointer `/name` (into the tool); severity per the file comment. */
  finding: Finding;
}

/** Claims to stand in for something named just after (or before) it. */
const REPLACES = String.raw`(?:instead\s+of|rather\s+than|in\s+place\s+of|replaces?|replacement\s+for|supersedes?|overrides?|takes?\s+precedence\s+over|do\s+not\s+use|don['’]?t\s+use|never\s+use)`;

/** A name in printable ASCII: when it and a look-alike meet, the other one is the imitation. */
const PLAIN = /^[\x20-\x7e]+$/;

/** How far (characters) a replacement claim may stand from the name it is about. */
const NEAR = 60;

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Does `text` claim to replace `serverName` or its tool `toolName` (the claim within {@link NEAR} characters)? */
function claimsToReplace(text: string, serverName: string, toolName: string): boolean {
  if (!text) return false;
  const names = [serverName, toolName].filter((n) => n.length >= 2).map((n) => esc(n.slice(0, 200)));
  const name = `(?:${names.join('|')})`;
  const re = new RegExp(String.raw`${REPLACES}[^.!?\n]{0,${NEAR}}?(?<![\w-])${name}(?![\w-])|(?<![\w-])${name}(?![\w-])[^.!?\n]{0,${NEAR}}?\b(?:is\s+(?:deprecated|obsolete|broken|disabled)|no\s+longer\s+works?)`, 'i');
  return re.test(text.slice(0, 20_000));
}

/**
 * Finds tool names shared with, or imitating, another server's.
 *
 * @param servers every configured server with its tool names (a name listed twice by one server counts once).
 * @param describe the description of a server's tool (`undefined` when unknown), to find replacement claims.
 * @returns one entry per (server, tool) that collides, in input order. Never throws.
 */
export function checkToolNameCollisions(servers: readonly OtherServer[], describe: (serverName: string, toolName: string) => string | undefined = () => undefined): ToolNameCollision[] {
  const owners = new Map<string, string[]>();
  const bySkeleton = new Map<string, { server: string; tool: string }[]>();
  for (const s of servers) {
    if (!s || !Array.isArray(s.toolNames)) continue;
    for (const t of new Set(s.toolNames)) {
      if (typeof t !== 'string') continue;
      const list = owners.get(t);
      if (list) list.push(s.name);
      else owners.set(t, [s.name]);
      const k = skeleton(t);
      const sk = bySkeleton.get(k);
      if (sk) sk.push({ server: s.name, tool: t });
      else bySkeleton.set(k, [{ server: s.name, tool: t }]);
    }
  }
  const out: ToolNameCollision[] = [];
  for (const s of servers) {
    if (!s || !Array.isArray(s.toolNames)) continue;
    for (const t of new Set(s.toolNames)) {
      if (typeof t !== 'string') continue;
      const others = (owners.get(t) ?? []).filter((n) => n !== s.name);
      const text = others.length > 0 ? (describe(s.name, t) ?? '') : '';
      const replaced = others.find((o) => claimsToReplace(text, o, t));
      const list = others.slice(0, 5).map((o) => `"${snippet(o, 40)}"`).join(', ') + (others.length > 5 ? ', …' : '');
      const lookAlike = (bySkeleton.get(skeleton(t)) ?? []).find((o) => o.server !== s.name && isLookAlike(t, o.tool));
      const imitation = lookAlike !== undefined && !(PLAIN.test(t) && !PLAIN.test(lookAlike.tool));
      let f: Finding | undefined;
      if (replaced) {
        f = finding(TOOL_NAME_COLLISION, 'high', `tool name "${snippet(t, 60)}" is also exposed by ${list}, and its description claims to replace "${snippet(replaced, 40)}": ${snippet(text, 120)}`, '/name');
      } else if (lookAlike && imitation) {
        f = finding(TOOL_NAME_COLLISION, 'high', `tool name "${snippet(t, 60)}" looks like "${snippet(lookAlike.tool, 60)}" of server "${snippet(lookAlike.server, 40)}" (same confusable skeleton, different characters): it can take that tool's calls`, '/name');
      } else if (others.length > 0) {
        f = finding(TOOL_NAME_COLLISION, 'info', `tool name "${snippet(t, 60)}" is also exposed by ${list}; hosts tell them apart by server`, '/name');
      } else if (lookAlike) {
        // this is the plain name being imitated: the high finding belongs to the imitation
        f = finding(TOOL_NAME_COLLISION, 'info', `tool name "${snippet(t, 60)}" is imitated by "${snippet(lookAlike.tool, 60)}" of server "${snippet(lookAlike.server, 40)}"`, '/name');
      }
      if (f) out.push({ serverName: s.name, toolName: t, finding: f });
    }
  }
  return out;
}
