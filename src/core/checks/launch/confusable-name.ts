/**
 * Rule `confusable-name`: a server name or command that can pass for another: letters of several scripts
 * outside the UTS #39 "Highly Restrictive" combinations (`gіthub` with a Cyrillic і), or compatibility
 * characters that NFKC folds to something else (fullwidth `ｎｐｘ`). In an approval prompt or a server list
 * such a name reads as a trusted one; as a command it can name a planted binary that looks like the real one.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { confusableName, snippet } from '../text';

/** See the file comment. Severity medium; pointer `""` (the name) or `/command`. */
export const confusableNameRule: LaunchRule = {
  id: 'confusable-name',
  description: 'A server name or command that mixes scripts or uses compatibility characters, so it can pass for another name.',
  check(spec: ServerSpec): Finding[] {
    const out: Finding[] = [];
    const name = confusableName(spec.name);
    if (name) out.push(finding('confusable-name', 'medium', `server name "${snippet(spec.name, 60)}" ${name.reason}: it can pass for another server`, ''));
    if (typeof spec.command === 'string') {
      const base = spec.command.split(/[\\/]/).pop() ?? '';
      const cmd = confusableName(base);
      if (cmd) out.push(finding('confusable-name', 'medium', `command "${snippet(spec.command, 80)}" ${cmd.reason}: it can pass for another program`, '/command'));
    }
    return out;
  },
};
