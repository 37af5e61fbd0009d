/**
 * Rule `command-instruction`: the text asks the model to run shell commands: command substitution
 * (`$(cat …)`), shell redirections that hide output (`>/dev/null 2>&1`), backticked dangerous commands
 * (`curl`, `bash`, `rm -rf`, …) — high — or "run `…`" / "execute the command …" — medium.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, firstMatch, where } from './common';

const DANGEROUS = String.raw`(?:sudo\s+)?(?:curl|wget|nc|ncat|netcat|socat|bash|sh|zsh|powershell|pwsh|iex|rm\s+-[a-z]*[rf]|chmod|chown|python[0-9.]*\s+-c|node\s+-e|perl\s+-e|eval|base64\s+-d|scp|ssh|cat\s+[~/.$])`;
const HIGH: readonly RegExp[] = [
  /\$\(\s*(?:cat|curl|wget|env|printenv|whoami|base64|find|ls|head|tail|id|hostname|uname|echo|type|grep|tar|gzip|xxd)\b[^)]{0,200}\)/i,
  /(?:^|\s)(?:1|2)?>\s*\/dev\/null(?:\s+2>&1)?|\s2>&1\b/,
  new RegExp(String.raw`\`\s*${DANGEROUS}\b[^\`]{0,300}\``, 'i'),
  /\|\s*(?:sudo\s+)?(?:sh|bash|zsh|iex)\b/i,
];
const MEDIUM: readonly RegExp[] = [
  /\b(?:run|execute|exec|invoke|type|enter|paste)\s+(?:the\s+)?(?:following\s+)?(?:shell\s+|terminal\s+|bash\s+)?(?:command\s*)?:?\s*[`"'“]([^`"'”\n]{2,200})[`"'”]/i,
  /\b(?:in|from|using)\s+(?:a|the)\s+(?:terminal|shell|command\s+line)\b[^.\n]{0,40}\b(?:run|execute|type)\b/i,
];

/** See the file comment. */
export const commandInstruction: ItemRule = {
  id: 'command-instruction',
  description: 'Asks the model to run shell commands ($(…), `curl …`, >/dev/null 2>&1, "run `…`").',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      const high = firstMatch(s.text, HIGH);
      if (high) return finding('command-instruction', 'high', `${where(s)} contains a shell command ("${snippet(high[0].trim(), 80)}")`, s.pointer);
      const med = firstMatch(s.text, MEDIUM);
      if (med) return finding('command-instruction', 'medium', `${where(s)} asks to run a command ("${snippet(med[0], 80)}")`, s.pointer);
      return null;
    });
  },
};
