/**
 * Rule `trust-bypass`: a member of a server entry that its host documents as widening what the server may do
 * without asking (each adapter's `rightsFields`: Gemini CLI `"trust": true` bypasses every tool-call
 * confirmation, Cline/Roo `autoApprove`/`alwaysAllow` lists, …). From a workspace file this lets a repository turn
 * confirmations off for the user.
 */
import { escapePointerToken } from '../pointer';
import { HOSTS } from '../../hosts';
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';

function widens(value: unknown, wanted: unknown): boolean {
  if (wanted !== undefined) return value === wanted;
  if (Array.isArray(value)) return value.length > 0;
  return value !== undefined && value !== null && value !== false && value !== '';
}

/** See the file comment. Severity medium; pointer `/<field>`. */
export const trustBypass: LaunchRule = {
  id: 'trust-bypass',
  description: 'A host field that skips tool-call confirmations (Gemini CLI "trust", auto-approve lists).',
  check(spec: ServerSpec): Finding[] {
    const raw = spec.raw;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return [];
    const adapter = HOSTS[spec.host];
    const where = spec.scope === 'workspace' ? ' (set by a workspace file)' : '';
    return adapter.rightsFields
      .filter((f) => Object.prototype.hasOwnProperty.call(raw, f.field) && widens((raw as Record<string, unknown>)[f.field], f.value))
      .map((f) => finding('trust-bypass', 'medium', `${JSON.stringify(f.field)}: ${JSON.stringify((raw as Record<string, unknown>)[f.field]).slice(0, 80)} ${f.meaning}${where}`, `/${escapePointerToken(f.field)}`));
  },
};
