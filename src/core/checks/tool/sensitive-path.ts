/**
 * Rule `sensitive-path`: the text names files that hold credentials or MCP configuration (`~/.ssh`,
 * `id_rsa`, `.env`, `~/.aws/credentials`, `.npmrc`, `.netrc`, `mcp.json`, `claude_desktop_config.json`, …).
 * High when the same text also asks to read, send or pass something; medium alone.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, where } from './common';

const PATH = new RegExp(
  [
    String.raw`(?:^|~[\\/]|[^\w.~])\.ssh\b`,
    String.raw`\bid_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?\b`,
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
const ACTION = /\b(?:read|reads|reading|cat|open|load|send|sends|upload|include|pass|passes|attach|copy|exfiltrate|post|print|dump|fetch|access|provide|share|grab|collect|extract|content|contents)\b/i;

/** See the file comment. */
export const sensitivePath: ItemRule = {
  id: 'sensitive-path',
  description: 'Names credential or MCP config files (~/.ssh, id_rsa, .env, ~/.aws/credentials, mcp.json, …); high with read/send verbs.',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      const m = PATH.exec(s.text);
      if (!m) return null;
      const path = m[0].replace(/^[^\w.~/\\]/, '');
      if (ACTION.test(s.text)) {
        return finding('sensitive-path', 'high', `${where(s)} asks to read or send a sensitive file ("${snippet(path, 60)}"): ${snippet(s.text, 120)}`, s.pointer);
      }
      return finding('sensitive-path', 'medium', `${where(s)} names a sensitive file ("${snippet(path, 60)}")`, s.pointer);
    });
  },
};
