/**
 * Rule `shell-inline-script`: the server is a shell running an inline script (`sh -c`, `cmd /c`,
 * `powershell -Command`). Whatever the script does is invisible to a host's approval prompt that shows only
 * the command, and it is the shape of CVE-2025-54136 ("MCPoison": `cmd.exe /c shell.bat`).
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { snippet } from '../text';
import { argv, type ArgToken } from './argv';

const POSIX_SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'busybox', 'fish', 'csh', 'tcsh']);
const POWERSHELLS = new Set(['powershell', 'pwsh']);
/** POSIX shell options that take a value (`bash -o pipefail -c …`). */
const POSIX_VALUE_OPTS = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);
/** A short-option cluster containing `c` (`-c`, `-lc`, `-ec`, `-xec`). */
const POSIX_C = /^-[a-zA-Z]*c[a-zA-Z]*$/;
/** `/c`, `/k` of cmd.exe (also `/C`, `/K`, and the combined `/s/c`). */
const CMD_C = /^\/(?:[a-z]\/)*[ck]$/i;

/** PowerShell accepts any unambiguous prefix of a parameter name, with `-` or `/`. */
function isPowerShellInline(tok: string): boolean {
  const m = /^[-/]([a-z]+)$/i.exec(tok);
  if (!m) return false;
  const p = m[1]!.toLowerCase();
  if (p === 'c' || p === 'e' || p === 'ec' || p === 'enc') return true;
  return (p.length >= 3 && 'command'.startsWith(p)) || (p.length >= 2 && 'encodedcommand'.startsWith(p));
}

function script(tokens: readonly ArgToken[], flagIndex: number): ArgToken {
  return tokens[flagIndex + 1] ?? tokens[flagIndex]!;
}

/** See the file comment. Severity high; pointer at the script (the token after the flag). */
export const shellInlineScript: LaunchRule = {
  id: 'shell-inline-script',
  description: 'A shell (sh/bash/zsh/dash -c, cmd /c or /k, powershell/pwsh -Command or -EncodedCommand) runs an inline script.',
  check(spec: ServerSpec): Finding[] {
    const tokens = argv(spec);
    for (let i = 0; i < tokens.length; i++) {
      const prog = tokens[i]!.program;
      let flag = -1;
      if (POSIX_SHELLS.has(prog)) {
        for (let j = i + 1; j < tokens.length; j++) {
          const t = tokens[j]!.text;
          if (POSIX_C.test(t)) {
            flag = j;
            break;
          }
          if (POSIX_VALUE_OPTS.has(t)) j++;
          else if (!/^[-+]/.test(t) || t === '--' || t === '-') break;
        }
      } else if (prog === 'cmd') {
        for (let j = i + 1; j < tokens.length; j++) {
          if (CMD_C.test(tokens[j]!.text)) {
            flag = j;
            break;
          }
        }
      } else if (POWERSHELLS.has(prog)) {
        for (let j = i + 1; j < tokens.length; j++) {
          const t = tokens[j]!.text;
          if (isPowerShellInline(t)) {
            flag = j;
            break;
          }
          if (/^[-/]f(?:i(?:le?)?)?$/i.test(t)) break;
        }
      }
      if (flag >= 0) {
        const s = script(tokens, flag);
        const shell = tokens[i]!.text;
        return [
          finding(
            'shell-inline-script',
            'high',
            `${snippet(shell, 60)} ${snippet(tokens[flag]!.text, 20)} runs an inline script: ${snippet(s.text, 120)}`,
            s.pointer,
          ),
        ];
      }
    }
    return [];
  },
};
