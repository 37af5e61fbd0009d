/**
 * Rule `unpinned-env-value`: environment variables whose values the host fills in at launch from outside the entry
 * (each adapter's `fields.hostEnv`: Goose `env_keys` from the environment or its keyring, Codex `env_vars` from its
 * environment). A member holds one name (a string: Codex `bearer_token_env_var`), a list of names, or an object
 * whose values are names (Codex `env_http_headers`: header → variable). The names are pinned with the entry; the
 * values are not, so each name is a finding: high when the variable can make the server load other code
 * (`NODE_OPTIONS`, `LD_PRELOAD`, `PYTHONPATH`, …), medium otherwise. Anything else in such a member is high (what the
 * host sets cannot be said).
 */
import { HOSTS } from '../../hosts';
import type { Finding, ServerSpec } from '../../types';
import { childPointer, escapePointerToken } from '../pointer';
import { finding, type LaunchRule } from '../rule';
import { snippet } from '../text';
import { loadsCode } from './env-injection';

/** See the file comment. Pointer `/<member>/<index>`. */
export const hostEnv: LaunchRule = {
  id: 'unpinned-env-value',
  description: 'Environment variables whose values the host takes from its environment or keyring at launch (Goose env_keys, Codex env_vars): not pinned.',
  check(spec: ServerSpec): Finding[] {
    const raw = spec.raw;
    const members = HOSTS[spec.host].fields.hostEnv ?? [];
    if (!members.length || !raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
    const out: Finding[] = [];
    const from = `${HOSTS[spec.host].displayName} fills it in at launch from its environment or secret store`;
    for (const m of members) {
      if (!Object.prototype.hasOwnProperty.call(raw, m)) continue;
      const list = (raw as Record<string, unknown>)[m];
      const at = `/${escapePointerToken(m)}`;
      const names: [pointer: string, name: unknown][] =
        typeof list === 'string'
          ? [[at, list]]
          : Array.isArray(list)
            ? list.map((n, i) => [childPointer(at, i), n])
            : list !== null && typeof list === 'object'
              ? Object.entries(list as Record<string, unknown>).map(([k, n]) => [childPointer(at, k), n])
              : [];
      if (!names.length && (list === null || typeof list !== 'object')) {
        out.push(finding('unpinned-env-value', 'high', `${JSON.stringify(m)} holds no variable name; which environment variables ${from} cannot be said, and none of their values is pinned`, at));
        continue;
      }
      names.forEach(([pointer, name]) => {
        if (typeof name !== 'string') {
          out.push(finding('unpinned-env-value', 'high', `${pointer.slice(1)} is not a name (${snippet(JSON.stringify(name) ?? '', 60)}); what the host sets from it is not pinned`, pointer));
          return;
        }
        const code = loadsCode(name);
        const what = code ? 'and it can make the server load other code' : 'so a change of it is not seen';
        out.push(finding('unpinned-env-value', code ? 'high' : 'medium', `the value of ${snippet(name, 80)} is not pinned: ${from}, ${what}`, pointer));
      });
    }
    return out;
  },
};
