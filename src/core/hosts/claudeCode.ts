/**
 * Claude Code.
 *
 * Sources: https://docs.anthropic.com/en/docs/claude-code/mcp (scopes: project `.mcp.json`, user and local scope
 * in `~/.claude.json` — top-level `mcpServers` and `projects[<abs path>].mcpServers`; "Environment variable
 * expansion in .mcp.json": `${VAR}` and `${VAR:-default}` in `command`, `args`, `env`, `url`, `headers`);
 * https://docs.anthropic.com/en/docs/claude-code/settings (`CLAUDE_CONFIG_DIR`; `.claude/settings.json` and
 * `.claude/settings.local.json` `env`, applied to every session and the servers it starts;
 * `deniedMcpServers`/`allowedMcpServers` in managed and user settings; `enableAllProjectMcpServers`,
 * `enabledMcpjsonServers`).
 * - Format: strict JSON. `~/.claude.json` also holds the prompt history and grows to tens of MiB, so its cap is
 *   256 MiB (it is in the home directory, which the attacker does not control).
 * - A workspace-root `.mcp.json` without `mcpServers` is read by VS Code 1.139 as "every top-level member is a
 *   server" (workbench.js `Ddt`); those servers are listed and pinned too.
 * Not verified: whether Claude Code applies `${VAR}` expansion to `cwd`.
 */
import { join } from 'node:path';
import { ANY_KEY, CLAUDE_FORMAT, location, STRICT_JSON } from './common';
import { settingsEnv } from './merged';
import type { PlatformDirs } from '../config/paths';
import type { HostAdapter, MergedFileOwner } from './types';

/**
 * Size cap of Claude Code's user-level `~/.claude.json`: 256 MiB. Claude Code keeps its prompt history in that
 * file, which grows to tens of MiB (reports of 15 to 100 MB), and it lives in the home directory, which the
 * attacker does not control. The parser builds values only inside server sections, so the rest of the file
 * costs a scan, not memory.
 */
export const APP_STATE_MAX_CONFIG_BYTES = 256 * 1024 * 1024;

/** The project settings files whose `env` Claude Code sets for the servers of a workspace file (label, path); none for a user file. */
function projectSettings(owner: MergedFileOwner, dirs: PlatformDirs): [label: string, path: string][] {
  if (owner.scope !== 'workspace' || owner.workspaceFolder === undefined) return [];
  const ws = owner.workspaceFolder;
  return [
    ['.claude/settings.json', dirs.path.join(ws, '.claude', 'settings.json')],
    ['.claude/settings.local.json', dirs.path.join(ws, '.claude', 'settings.local.json')],
  ];
}

export const claudeCode: HostAdapter = {
  id: 'claude-code',
  displayName: 'Claude Code',
  ...CLAUDE_FORMAT,
  envVars: ['CLAUDE_CONFIG_DIR'],
  alternateServersKey: 'servers',
  variables: ['shell', 'predefined'],
  defaultCwd: 'host-cwd',
  mergedSources: [{ id: 'settings-env', description: 'the "env" of .claude/settings.json and .claude/settings.local.json, set for the session and every server it starts' }],
  blockLever: {
    kind: 'user-deny-list',
    setting: 'deniedMcpServers',
    file: '~/.claude/settings.json',
    matches: 'name',
    // Merged before every load, also over managed servers ("Control MCP server access for your organization":
    // `serverName`, `serverCommand` exact argv, `serverUrl`).
    list: {
      denyId: 'claude-code.deniedMcpServers',
      refuses: 'Claude Code will refuse to load it (deniedMcpServers in ~/.claude/settings.json)',
      settingsFile: ({ env, home }) => join(env.CLAUDE_CONFIG_DIR || join(home, '.claude'), 'settings.json'),
    },
  },
  clientInfo: { name: 'claude-code', version: '1.0.0' },
  // Claude Code settings docs, "Settings files → managed settings".
  managedSettings: {
    kind: 'claude-code',
    paths: {
      linux: '/etc/claude-code/managed-settings.json',
      darwin: '/Library/Application Support/ClaudeCode/managed-settings.json',
      win32: 'C:\\Program Files\\ClaudeCode\\managed-settings.json',
    },
  },
  workspaceFiles(folder, dirs) {
    return [
      location('claude-code', STRICT_JSON, 'workspace', dirs.path.join(folder, '.mcp.json'), [['mcpServers'], ['servers']], {
        workspaceFolder: folder,
        rootServersUnlessKey: 'mcpServers',
      }),
    ];
  },
  userFiles(dirs) {
    const sections = [['mcpServers'], ['projects', ANY_KEY, 'mcpServers']];
    const files = [dirs.path.join(dirs.home, '.claude.json')];
    const dir = dirs.env.CLAUDE_CONFIG_DIR;
    if (dir && dirs.path.isAbsolute(dir)) files.push(dirs.path.join(dir, '.claude.json'));
    return [...new Set(files)].map((f) => location('claude-code', STRICT_JSON, 'user', f, sections));
  },
  maxBytes: (l) => (l.scope === 'user' ? APP_STATE_MAX_CONFIG_BYTES : undefined),
  mergedFiles: (owner, dirs) => projectSettings(owner, dirs).map(([, f]) => f),
  async collectMerged(spec, io) {
    const env = await settingsEnv(io, projectSettings(spec, io.dirs));
    return env ? { 'settings-env': env } : {};
  },
};
