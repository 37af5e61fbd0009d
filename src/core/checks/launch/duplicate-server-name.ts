/**
 * Cross-config check `duplicate-server-name`: the same server name in several config files (e.g. a workspace
 * `.vscode/mcp.json` and the user's `mcp.json`). Which one a host runs depends on the host's merge order, and a
 * repository can shadow a user's trusted server by reusing its name.
 */
import type { Finding, ServerSpec } from '../../types';
import { canonicalJsonOfParsed } from '../../fingerprint/canonical';
import { finding } from '../rule';
import { snippet } from '../text';

/** The rule id of {@link checkDuplicateServerNames}. */
export const DUPLICATE_SERVER_NAME = 'duplicate-server-name';

/** The entry's canonical text (kept per parsed entry: the spec hash serializes it too), or null when it has none. */
function canonicalOrNull(s: ServerSpec): string | null {
  try {
    return canonicalJsonOfParsed(s.raw);
  } catch {
    return null;
  }
}

/**
 * Finds server names used in more than one config file.
 * Severity medium when the name is in both a workspace and a user config with different entries (the
 * workspace can shadow the user's server), info otherwise. Pointer `""` (the entry itself).
 *
 * @param specs every server of a scan, any order.
 * @returns findings per spec, only for specs that have some. Never throws.
 */
export function checkDuplicateServerNames(specs: readonly ServerSpec[]): Map<ServerSpec, Finding[]> {
  const byName = new Map<string, ServerSpec[]>();
  for (const s of specs) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  const out = new Map<ServerSpec, Finding[]>();
  for (const [name, list] of byName) {
    if (list.length < 2) continue;
    const files = new Set(list.map((s) => s.configFile));
    if (files.size < 2) continue;
    const scopes = new Set(list.map((s) => s.scope));
    const distinct = new Set(list.map((s) => canonicalOrNull(s)));
    const severity = scopes.size > 1 && distinct.size > 1 ? 'medium' : 'info';
    const what = distinct.size > 1 ? 'with a different entry' : 'with the same entry';
    for (const s of list) {
      // The first four entries of other files (three are named, a fourth adds "…"): linear in the group, so a
      // name repeated in thousands of files costs no more than thousands of entries.
      const others: string[] = [];
      for (const o of list) {
        if (o.configFile === s.configFile) continue;
        others.push(`${o.configFile} (${o.host}, ${o.scope})`);
        if (others.length > 3) break;
      }
      const f = finding(DUPLICATE_SERVER_NAME, severity, `server name "${snippet(name, 60)}" is also defined ${what} in ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}`, '');
      const existing = out.get(s);
      if (existing) existing.push(f);
      else out.set(s, [f]);
    }
  }
  return out;
}
