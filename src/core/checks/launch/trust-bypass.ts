/**
 * Rule `trust-bypass`: Gemini CLI `"trust": true` on a server entry bypasses every tool-call confirmation for
 * that server (Gemini CLI docs, "MCP servers" → `trust`). From a workspace `.gemini/settings.json` this lets a
 * repository turn confirmations off for the user.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';

/** See the file comment. Severity medium; pointer `/trust`. */
export const trustBypass: LaunchRule = {
  id: 'trust-bypass',
  description: 'Gemini CLI "trust": true bypasses all tool-call confirmations for the server.',
  check(spec: ServerSpec): Finding[] {
    if (spec.host !== 'gemini-cli') return [];
    const raw = spec.raw;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw) || (raw as Record<string, unknown>).trust !== true) return [];
    const where = spec.scope === 'workspace' ? ' (set by a workspace file)' : '';
    return [finding('trust-bypass', 'medium', `"trust": true makes Gemini CLI run every tool of this server without confirmation${where}`, '/trust')];
  },
};
