/**
 * Check `tool-name-collision`: the same tool name exposed by two or more configured servers. Hosts resolve the
 * clash differently (prefixing, last one wins, model's choice), so a new server can take over calls meant for
 * a trusted server's tool.
 */
import type { Finding } from '../../types';
import { finding, type OtherServer } from '../rule';
import { snippet } from '../text';

/** The rule id of {@link checkToolNameCollisions}. */
export const TOOL_NAME_COLLISION = 'tool-name-collision';

/** One server's tool whose name another server also uses. */
export interface ToolNameCollision {
  serverName: string;
  toolName: string;
  /** Severity medium; pointer `/name` (into the tool). */
  finding: Finding;
}

/**
 * Finds tool names used by more than one server.
 *
 * @param servers every configured server with its tool names (a name listed twice by one server counts once).
 * @returns one entry per (server, colliding tool), in input order. Never throws.
 */
export function checkToolNameCollisions(servers: readonly OtherServer[]): ToolNameCollision[] {
  const owners = new Map<string, string[]>();
  for (const s of servers) {
    if (!s || !Array.isArray(s.toolNames)) continue;
    for (const t of new Set(s.toolNames)) {
      if (typeof t !== 'string') continue;
      const list = owners.get(t);
      if (list) list.push(s.name);
      else owners.set(t, [s.name]);
    }
  }
  const out: ToolNameCollision[] = [];
  for (const s of servers) {
    if (!s || !Array.isArray(s.toolNames)) continue;
    for (const t of new Set(s.toolNames)) {
      const list = owners.get(t);
      if (!list || list.length < 2) continue;
      const others = list.filter((n) => n !== s.name);
      if (others.length === 0) continue;
      out.push({
        serverName: s.name,
        toolName: t,
        finding: finding(
          TOOL_NAME_COLLISION,
          'medium',
          `tool name "${snippet(t, 60)}" is also exposed by ${others.map((o) => `"${snippet(o, 40)}"`).join(', ')}: the host may call the wrong server's tool`,
          '/name',
        ),
      });
    }
  }
  return out;
}
