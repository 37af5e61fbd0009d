/**
 * Zed.
 *
 * Sources: https://zed.dev/docs/ai/mcp (servers are "context servers": `context_servers` in the user settings
 * `~/.config/zed/settings.json` (`$XDG_CONFIG_HOME/zed` on Linux, `%APPDATA%\Zed` on Windows) and in a project's
 * `.zed/settings.json`; a custom server has `command` (a string), `args`, `env`, or `url` and `headers`; an
 * extension-provided one has `"source": "extension"` and `settings`; `enabled`); zed-industries/zed
 * `crates/project/src/project_settings.rs` (`ContextServerSettings`; older releases wrote
 * `"command": {"path", "args", "env"}`, which is reported as malformed here and pinned as written).
 * - Format: JSONC (Zed's settings parser accepts comments and trailing commas).
 * Not verified: whether project settings may define context servers in every release; Zed's `clientInfo`.
 */
import { absolute, JSONC, location, STANDARD_FIELDS } from './common';
import type { HostAdapter } from './types';

const SECTIONS = [['context_servers']];

export const zed: HostAdapter = {
  id: 'zed',
  displayName: 'Zed',
  envVars: ['XDG_CONFIG_HOME', 'APPDATA'],
  format: 'json',
  syntax: JSONC,
  serversKey: 'context_servers',
  fields: { ...STANDARD_FIELDS, envFile: [], managed: { field: 'source', values: ['extension'] } },
  implicitTransport: [['command', 'stdio'], ['url', 'http']],
  envValueCoercion: 'strings',
  variables: [],
  defaultCwd: 'workspace-folder',
  rightsFields: [],
  mergedSources: [],
  blockLever: { kind: 'user-flag', field: 'enabled', value: false },
  clientInfo: { name: 'Zed', version: '0.200.0' },
  workspaceFiles(folder, dirs) {
    return [location('zed', JSONC, 'workspace', dirs.path.join(folder, '.zed', 'settings.json'), SECTIONS, { workspaceFolder: folder })];
  },
  userFiles(dirs) {
    const j = dirs.path.join;
    const base = dirs.os === 'win32' ? j(dirs.appData, 'Zed') : j(dirs.os === 'linux' ? (absolute(dirs.path, dirs.env.XDG_CONFIG_HOME) ?? j(dirs.home, '.config')) : j(dirs.home, '.config'), 'zed');
    return [location('zed', JSONC, 'user', j(base, 'settings.json'), SECTIONS)];
  },
};
