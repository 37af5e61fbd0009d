/**
 * Rule `env-injection`: environment variables that make the loader or the runtime load extra code
 * (`LD_PRELOAD`, `LD_AUDIT`, `DYLD_INSERT_LIBRARIES`, `NODE_OPTIONS=--require …`, `BASH_ENV`,
 * `JAVA_TOOL_OPTIONS=-javaagent:…`) or change where code is looked up (`LD_LIBRARY_PATH`, other `DYLD_*`,
 * `PYTHONPATH`, `NODE_PATH`, `PERL5LIB`, `RUBYOPT`, …). Checked in `env` and in `NAME=value` args
 * (`env LD_PRELOAD=… cmd`, `docker run -e NODE_OPTIONS=…`).
 */
import type { Finding, ServerSpec, Severity } from '../../types';
import { childPointer } from '../pointer';
import { finding, type LaunchRule } from '../rule';
import { snippet } from '../text';
import { argv } from './argv';

const ALWAYS_HIGH = new Set(['LD_PRELOAD', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'BASH_ENV']);
const MEDIUM = new Set([
  'LD_LIBRARY_PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONUSERBASE', 'NODE_PATH', 'PERL5LIB', 'PERLLIB', 'RUBYLIB', 'RUBYOPT',
  'GEM_PATH', 'CLASSPATH', 'GCONV_PATH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'PYTHONINSPECT', 'PYTHONSTARTUP', 'PERL5DB',
]);
/** Variables whose value is a list of runtime options: high when an option loads code. */
const OPTION_VARS: Record<string, RegExp> = {
  NODE_OPTIONS: /(?:^|\s)(?:--require|-r|--import|--loader|--experimental-loader|--experimental-specifier-resolution)(?:[=\s]|$)/,
  JAVA_TOOL_OPTIONS: /-javaagent:|-agentpath:|-agentlib:/,
  _JAVA_OPTIONS: /-javaagent:|-agentpath:|-agentlib:/,
  JDK_JAVA_OPTIONS: /-javaagent:|-agentpath:|-agentlib:/,
  PERL5OPT: /-M|-d/,
};
const NAME_VALUE = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/;

function classify(name: string, value: string): Severity | null {
  const n = name.toUpperCase();
  if (ALWAYS_HIGH.has(n)) return 'high';
  if (n in OPTION_VARS) return OPTION_VARS[n]!.test(value) ? 'high' : 'medium';
  if (n.startsWith('DYLD_')) return 'medium';
  if (MEDIUM.has(n)) return 'medium';
  return null;
}

/**
 * Whether an environment variable of this name can make the process load other code or look for code elsewhere,
 * whatever its value (the names this rule knows), e.g. `LD_PRELOAD`, `NODE_OPTIONS`, `PYTHONPATH`, `DYLD_*`.
 */
export function loadsCode(name: string): boolean {
  const n = name.toUpperCase();
  return ALWAYS_HIGH.has(n) || n in OPTION_VARS || n.startsWith('DYLD_') || MEDIUM.has(n);
}

function message(name: string, value: string, severity: Severity): string {
  const what = severity === 'high' ? 'makes the process load extra code' : 'changes where the process loads code from';
  return `${name}=${snippet(value, 80)} ${what}`;
}

/** See the file comment. Pointer `/env/<NAME>` or `/args/<i>`. */
export const envInjection: LaunchRule = {
  id: 'env-injection',
  description: 'Environment variables that inject code into the server process (LD_PRELOAD, DYLD_*, NODE_OPTIONS, PYTHONPATH, …).',
  check(spec: ServerSpec): Finding[] {
    const out: Finding[] = [];
    const env = spec.env;
    if (env && typeof env === 'object') {
      for (const name of Object.keys(env)) {
        const value = env[name];
        const v = typeof value === 'string' ? value : String(value);
        const sev = classify(name, v);
        if (sev) out.push(finding('env-injection', sev, message(name, v, sev), childPointer('/env', name)));
      }
    }
    for (const t of argv(spec)) {
      if (t.text.length > 4096 || !t.text.includes('=')) continue;
      const m = NAME_VALUE.exec(t.text);
      if (!m) continue;
      const sev = classify(m[1]!, m[2]!);
      if (sev) out.push(finding('env-injection', sev, message(m[1]!, m[2]!, sev), t.pointer));
    }
    return out;
  },
};
