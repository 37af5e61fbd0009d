/**
 * Which host veto entries the guard wants, from a scan: every server a host would launch that is new, changed or
 * denied gets the host's native deny entry for its resolved launch identity; in strict mode, every approved one
 * gets an allow entry (and then the host refuses whatever is not approved). The entries are written by
 * {@link syncVetoList}.
 */
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { LaunchResolveError, resolveForLaunch, type ResolveContext } from '../probe/launch';
import type { ServerState } from '../scan/evaluate';
import { recordKey } from '../trust/store';
import type { HostId, ServerSpec } from '../types';
import { matcherFor, type LaunchIdentity, type VetoMatcher } from './matcher';
import type { VetoListTarget, WantedVeto } from './sync';

/** What {@link planVetoList} needs of a scanned server. */
export interface VetoSubject {
  spec: ServerSpec;
  state: ServerState;
}

/**
 * A host's veto list, as data: the settings member it reads, what an entry means, which servers it governs and
 * whose variable rules build the identity it compares.
 */
export interface VetoLever {
  /** Stable id, also the ledger's lever name. */
  id: string;
  /** The host that reads the list. */
  host: HostId;
  kind: 'deny' | 'allow';
  /** Top-level settings member. */
  key: string;
  /** Whether the host would launch this server (so its entry belongs in this list). */
  governs(spec: ServerSpec): boolean;
}

/**
 * VS Code's deny list, `chat.mcp.deniedServers` (application scope, user `settings.json`; VS Code ≥ 1.130),
 * checked before every start of any MCP server, `.vscode/mcp.json` ones included; deny wins over allow, and user
 * deny entries still apply under `chat.mcp.allowManagedServersOnly` (VS Code 1.139.1 workbench,
 * `checkServerAllowed`). It governs the servers VS Code itself launches: its own config files and a workspace-root
 * `.mcp.json` (which VS Code 1.139 reads).
 */
export const VSCODE_DENY_LEVER: VetoLever = {
  id: 'vscode.deniedServers',
  host: 'vscode',
  kind: 'deny',
  key: 'chat.mcp.deniedServers',
  governs: launchedByVsCode,
};

/**
 * VS Code's allow list, `chat.mcp.allowedServers`: once it exists, a server that matches no entry is refused
 * before it starts. Used in strict mode only, because it refuses every server that is not listed (extensions'
 * servers included).
 */
export const VSCODE_ALLOW_LEVER: VetoLever = {
  id: 'vscode.allowedServers',
  host: 'vscode',
  kind: 'allow',
  key: 'chat.mcp.allowedServers',
  governs: launchedByVsCode,
};

/**
 * Claude Code's user deny list, `deniedMcpServers` in `~/.claude/settings.json` (merged before every load, also
 * over managed servers; Claude Code docs, "Control MCP server access for your organization": `serverName`,
 * `serverCommand` exact argv, `serverUrl`). It governs Claude Code's servers (`~/.claude.json`, `.mcp.json`).
 */
export const CLAUDE_CODE_DENY_LEVER: VetoLever = {
  id: 'claude-code.deniedMcpServers',
  host: 'claude-code',
  kind: 'deny',
  key: 'deniedMcpServers',
  governs: (spec) => spec.host === 'claude-code',
};

function launchedByVsCode(spec: ServerSpec): boolean {
  return spec.host === 'vscode' || (spec.host === 'claude-code' && spec.scope === 'workspace' && basename(spec.configFile) === '.mcp.json');
}

/** VS Code's user settings file for a `--user-data-dir` (application-scoped settings live in the default profile's). */
export function vscodeUserSettingsPath(userDataDir: string): string {
  return join(userDataDir, 'User', 'settings.json');
}

/** Claude Code's user settings file: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeCodeUserSettingsPath(env: NodeJS.ProcessEnv = process.env, home = homedir()): string {
  return join(env.CLAUDE_CONFIG_DIR || join(home, '.claude'), 'settings.json');
}

/**
 * The identity a host compares with its veto lists, resolved with the launching host's variable rules: the argv of
 * a stdio server, the URL of a remote one. When the argv or URL cannot be known before launch (an `${input:…}`
 * prompt, an unset variable, arguments that are not all strings), only the name is returned, and the veto falls
 * back to a name matcher (coarser, never absent).
 */
export function launchIdentity(spec: ServerSpec, host: HostId, ctx: ResolveContext): LaunchIdentity {
  const raw = spec.raw as Record<string, unknown> | undefined;
  try {
    if (spec.transport === 'stdio') {
      if (typeof spec.command !== 'string' || spec.command === '') return { name: spec.name };
      const rawArgs = raw && typeof raw === 'object' ? raw.args : undefined;
      if (rawArgs !== undefined && !(Array.isArray(rawArgs) && rawArgs.every((a) => typeof a === 'string'))) return { name: spec.name };
      const args = (spec.args ?? []).map((a) => resolveForLaunch(a, host, ctx));
      return { name: spec.name, command: [resolveForLaunch(spec.command, host, ctx), ...args] };
    }
    if (typeof spec.url === 'string' && spec.url !== '') return { name: spec.name, url: resolveForLaunch(spec.url, host, ctx) };
  } catch (e) {
    if (!(e instanceof LaunchResolveError)) throw e;
  }
  return { name: spec.name };
}

/** A planned list: the target, the servers it is responsible for, and the entries wanted now. */
export interface VetoListPlan {
  target: VetoListTarget;
  scope: Set<string>;
  wanted: WantedVeto[];
}

/**
 * Plans one list from the scanned servers: `deny` lists want the identity of every governed server that is new,
 * changed or denied; `allow` lists want the identity of every governed approved server whose argv or URL is known
 * (a name alone would allow any server of that name, so such servers are left out and refused).
 *
 * @param settingsFile where the list lives (absolute).
 * @param ctx variable context of the launching host (its environment, the workspace folder of each server is
 *   taken from the server).
 */
export function planVetoList(lever: VetoLever, settingsFile: string, subjects: readonly VetoSubject[], ctx: ResolveContext): VetoListPlan {
  const scope = new Set<string>();
  const byMatcher = new Map<string, { matcher: VetoMatcher; servers: string[] }>();
  for (const s of subjects) {
    if (!lever.governs(s.spec)) continue;
    const key = recordKey(s.spec.configFile, s.spec.pointer);
    scope.add(key);
    const wants = lever.kind === 'deny' ? s.state !== 'approved' : s.state === 'approved';
    if (!wants) continue;
    const id = launchIdentity(s.spec, lever.host, { ...ctx, workspaceFolder: s.spec.workspaceFolder ?? ctx.workspaceFolder });
    const matcher = matcherFor(id);
    if (lever.kind === 'allow' && 'serverName' in matcher) continue;
    const k = JSON.stringify(matcher);
    const e = byMatcher.get(k) ?? { matcher, servers: [] };
    e.servers.push(key);
    byMatcher.set(k, e);
  }
  return { target: { lever: lever.id, kind: lever.kind, settingsFile, key: lever.key }, scope, wanted: [...byMatcher.values()] };
}
