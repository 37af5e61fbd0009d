/**
 * Rule `sensitive-path`: the text names files that hold credentials or MCP configuration (`~/.ssh`,
 * `id_rsa`, `.env`, `~/.aws/credentials`, `.npmrc`, `.netrc`, `mcp.json`, `claude_desktop_config.json`, …).
 * High when a verb that sends or passes something stands in the same sentence within {@link NEAR} characters
 * of the path; else low when the path is an example or a refusal ("e.g. `~/.ssh` are rejected", "looking for
 * files such as .env", "never reads .env"); else high with a reading verb near; medium alone.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, sentenceBounds, where } from './common';

const PATH = new RegExp(
  [
    String.raw`(?:^|~[\\/]|[^\w.~])\.ssh\b`,
    String.raw`(?:\b|_)id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?\b`,
    String.raw`\bauthorized_keys\b`,
    String.raw`(?:^|[^\w.$])\.env(?:\.[\w-]+)?\b`,
    String.raw`\.aws[\\/](?:credentials|config)\b`,
    String.raw`(?:^|[^\w])\.(?:npmrc|netrc|pypirc|pgpass|git-credentials|gnupg|password-store|bash_history|zsh_history)\b`,
    String.raw`\.docker[\\/]config\.json\b`,
    String.raw`\.kube[\\/]config\b`,
    String.raw`\/etc\/(?:shadow|passwd|sudoers)\b`,
    String.raw`\bapplication_default_credentials\.json\b`,
    String.raw`\bwallet\.dat\b`,
    String.raw`\b(?:mcp|mcp_config|claude_desktop_config)\.json\b`,
    String.raw`(?:^|[^\w])\.claude\.json\b`,
    String.raw`\.(?:cursor|vscode|gemini|codeium)[\\/](?:mcp|settings|mcp_config)\.json\b`,
  ].join('|'),
  'i',
);
/** Verbs that move a file's content somewhere: high near a sensitive path, whatever else the sentence says. */
const SEND = /\b(?:send|sends|upload|uploads|include|pass|passes|attach|copy|exfiltrate|post|provide|share|forward|transmit|embed)\b/i;
/** Verbs that read a file: high near a sensitive path unless it is an example or a refusal. */
const READ = /\b(?:read|reads|reading|cat|open|load|print|dump|fetch|access|grab|collect|extract|content|contents)\b/i;

/** How far (characters) a read/send verb may stand from the path, inside the same sentence. */
export const NEAR = 60;
const EXAMPLE_BEFORE = /(?:(?:\be\.g\.|\bi\.e\.|\bfor\s+(?:example|instance)\b|\bsuch\s+as\b|\blike\b|\bexamples?\b|\bsearch(?:es|ing)?\s+for\b|\blook(?:s|ing)?\s+for\b|\bfind(?:s|ing)?\b|\blocat(?:e|es|ing)\b)(?:[^.!?\n]|\.(?!\s)){0,40}|\b(?:not|never|no|without|except|excluding)\s+(?:[\w'’]+\s+){0,2}[`"'“(]?(?:~[\\/])?)$/i;
const EXAMPLE_AFTER = /^[^.!?\n]{0,60}?\b(?:are|is|will\s+be|get|gets)\s+(?:rejected|refused|blocked|denied|excluded|ignored|skipped|not\s+allowed|forbidden|protected|never\s+read)\b/i;

/** See the file comment. */
export const sensitivePath: ItemRule = {
  id: 'sensitive-path',
  description: 'Names credential or MCP config files (~/.ssh, id_rsa, .env, ~/.aws/credentials, mcp.json, …); high with read/send verbs.',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      const m = PATH.exec(s.text);
      if (!m) return null;
      const path = m[0].replace(/^[^\w.~/\\]/, '');
      const [from, to] = sentenceBounds(s.text, m.index, m.index + m[0].length, 300);
      const before = s.text.slice(from, m.index);
      const after = s.text.slice(m.index + m[0].length, to);
      const near = before.slice(-NEAR) + ' ' + after.slice(0, NEAR);
      const high = (): Finding =>
        finding('sensitive-path', 'high', `${where(s)} asks to read or send a sensitive file ("${snippet(path, 60)}"): ${snippet(s.text.slice(from, to).trim(), 120)}`, s.pointer);
      if (SEND.test(near)) return high();
      if (EXAMPLE_BEFORE.test(before) || EXAMPLE_AFTER.test(after)) {
        return finding('sensitive-path', 'low', `${where(s)} names a sensitive file as an example or a refusal ("${snippet(path, 60)}"): ${snippet(s.text.slice(from, to).trim(), 120)}`, s.pointer);
      }
      if (READ.test(near)) return high();
      return finding('sensitive-path', 'medium', `${where(s)} names a sensitive file ("${snippet(path, 60)}")`, s.pointer);
    });
  },
};
