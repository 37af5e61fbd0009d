/**
 * The extension's settings (package.json `contributes.configuration`, section `mcpTrustGuard`), mirrored in one
 * typed interface and read in one place. Every setting that could weaken the guard is `application` or
 * `machine` scoped in package.json, so a workspace's `.vscode/settings.json` cannot change it (VS Code ignores
 * such values at workspace level).
 */
import * as vscode from 'vscode';
import { HOST_IDS } from '../core/config';
import type { ClientInfo } from '../core/probe';
import type { HostId } from '../core/types';
import type { ProblemLevel, ProblemSettings } from './editor/problemPlan';

/** Configuration section of every setting below. */
export const SETTINGS_SECTION = 'mcpTrustGuard';

/** The settings, validated; see package.json for their descriptions and defaults. */
export interface GuardSettings {
  /** `mcpTrustGuard.hosts`: whose config files are watched. Unknown ids are dropped; empty means all. */
  hosts: HostId[];
  /** `mcpTrustGuard.probeOnApprove`: Approve also reads and pins the tools (starts the server); default off. */
  probeOnApprove: boolean;
  /** `mcpTrustGuard.probeTimeoutMs`: time limit of connect + initialize and of each list request, ms (1,000–120,000). */
  probeTimeoutMs: number;
  /** `mcpTrustGuard.strict`: any byte change of an entry (even whitespace or comments) re-prompts. */
  strict: boolean;
  /** `mcpTrustGuard.clientInfo`: the `clientInfo` presented when probing; undefined = the host's own. */
  clientInfo?: ClientInfo;
  /** `mcpTrustGuard.storePath`: the trust store file; empty = the CLI's default (`defaultStorePath()`). */
  storePath: string;
  /** `mcpTrustGuard.problems.userLevel` and `mcpTrustGuard.problems.severity`: what the Problems panel shows. */
  problems: ProblemSettings;
  /** `mcpTrustGuard.hostVetoes`: write the hosts' own pre-launch vetoes (`deny`, default), also VS Code's allow list (`strict`), or not (`off`). */
  hostVetoes: 'deny' | 'strict' | 'off';
  /** `mcpTrustGuard.installLauncherOnPath`: write the launcher `mcp-trust-guard` into the user's bin directory at every start (default true). */
  installLauncherOnPath: boolean;
}

const LEVELS: readonly ProblemLevel[] = ['error', 'warning', 'information', 'hint', 'off'];

/** `mcpTrustGuard.problems.severity` validated: rule id → level; anything else dropped. */
function severityOverrides(v: unknown): Record<string, ProblemLevel> {
  const out: Record<string, ProblemLevel> = Object.create(null);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, level] of Object.entries(v as Record<string, unknown>).slice(0, 500)) {
    if (typeof level === 'string' && (LEVELS as readonly string[]).includes(level) && k.length < 200) out[k] = level as ProblemLevel;
  }
  return out;
}

/** Default probe timeout, ms (the same as the core's). */
export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/**
 * Reads and validates the settings (VS Code API `workspace.getConfiguration`). Values of the wrong type fall
 * back to the defaults. Never throws.
 */
export function readSettings(): GuardSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const hostsRaw = c.get<unknown>('hosts');
  const hosts = Array.isArray(hostsRaw) ? HOST_IDS.filter((h) => hostsRaw.includes(h)) : [];
  const t = c.get<unknown>('probeTimeoutMs');
  const probeTimeoutMs = typeof t === 'number' && Number.isFinite(t) ? Math.min(120_000, Math.max(1_000, Math.round(t))) : DEFAULT_PROBE_TIMEOUT_MS;
  const ci = c.get<unknown>('clientInfo');
  let clientInfo: ClientInfo | undefined;
  if (ci && typeof ci === 'object') {
    const { name, version } = ci as Record<string, unknown>;
    if (typeof name === 'string' && name.trim()) clientInfo = { name: name.slice(0, 200), version: typeof version === 'string' && version ? version.slice(0, 100) : '1.0.0' };
  }
  const sp = c.get<unknown>('storePath');
  return {
    hosts: hosts.length ? hosts : [...HOST_IDS],
    probeOnApprove: c.get<unknown>('probeOnApprove') === true,
    probeTimeoutMs,
    strict: c.get<unknown>('strict') === true,
    clientInfo,
    storePath: typeof sp === 'string' ? sp.trim() : '',
    problems: { userLevel: c.get<unknown>('problems.userLevel') === true, severity: severityOverrides(c.get<unknown>('problems.severity')) },
    hostVetoes: ((v) => (v === 'strict' || v === 'off' ? v : 'deny'))(c.get<unknown>('hostVetoes')),
    installLauncherOnPath: c.get<unknown>('installLauncherOnPath') !== false,
  };
}

/**
 * Makes the running editor read its user `settings.json` again now, so a list another writer changed on disk
 * (the guard's locked, atomic veto writer) is in force before the next start, without a reload.
 *
 * Why it is needed: VS Code's allowed-servers service reads `chat.mcp.deniedServers`/`allowedServers` live through
 * `configurationService.getValue` on every start (workbench.js `checkServerAllowed`, called from `McpServer.start`
 * and its `_policyBlock`, which re-derives on `onDidChangeAllowedMcpServers`), but the configuration service only
 * learns of an edit it did not make through its file watcher, and code-server 1.139.1 never delivers that change
 * (measured: neither an atomic rename nor an in-place write of `User/settings.json` reached it in 45 s). Writing
 * those two keys through the API is refused ("not a registered configuration": they are registered with
 * `included: false`). What works is the service's own write path: `writeConfigurationValue` re-reads the whole
 * user settings file after every write (`reloadLocalUserConfiguration`) and fires the change, which re-evaluates
 * every server's policy block (and stops a running server whose own launch is now denied).
 *
 * So this writes the user's own value of `mcpTrustGuard.hostVetoes` back unchanged: `undefined` when unset (no
 * edit at all), else the same string (the JSON edit equals the text, so the file is not saved). It never changes a
 * setting. Rejects when VS Code refuses the write, e.g. while `settings.json` has unsaved changes in an editor.
 */
export async function rereadUserSettings(): Promise<void> {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  await c.update('hostVetoes', c.inspect<unknown>('hostVetoes')?.globalValue, vscode.ConfigurationTarget.Global);
}
