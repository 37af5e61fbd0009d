/**
 * Continue (VS Code and JetBrains extension, and the `cn` CLI).
 *
 * Sources: https://docs.continue.dev/customize/deep-dives/mcp and continuedev/continue
 * `docs/customize/deep-dives/mcp.mdx` (a workspace `.continue/mcpServers/` folder at the top level of the workspace:
 * every YAML block file in it (`name`, `version`, `schema`, `mcpServers:` a list of `{name, type, command, args,
 * env, cwd, url}`) and every JSON file in the Claude/Cursor/Cline format (`{"mcpServers": {…}}`) is loaded);
 * https://docs.continue.dev/reference (user `~/.continue/config.yaml`, `%USERPROFILE%\.continue` on Windows,
 * moved by `CONTINUE_GLOBAL_DIR`; `mcpServers` list; `type` `stdio`/`sse`/`streamable-http`; secrets
 * `${{ secrets.NAME }}` and `${{ inputs.NAME }}` filled in from the hub or a `.env`).
 * - Formats: YAML (the `yaml` package) and JSON.
 * - List entries are named by their `name`; their pointer is their index (`/mcpServers/0`), so reordering the
 *   list is a change.
 * Not verified: the deprecated `config.json` (`experimental.modelContextProtocolServers`) is not read; how
 *   Continue resolves a relative `cwd`.
 */
import type { PlatformDirs } from '../config/paths';
import type { ConfigLocation, Scope } from '../types';
import { absolute, location, STANDARD_FIELDS, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

function globalDir(dirs: PlatformDirs): string {
  return absolute(dirs.path, dirs.env.CONTINUE_GLOBAL_DIR) ?? dirs.path.join(dirs.home, '.continue');
}

/** A block file of an `mcpServers/` folder: YAML (a list) or JSON (Claude's map), by its extension. */
function blockFile(path: string, scope: Scope, workspaceFolder?: string): ConfigLocation[] {
  const ws = workspaceFolder !== undefined ? { workspaceFolder } : {};
  if (/\.ya?ml$/i.test(path)) return [location('continue', STRICT_JSON, scope, path, [['mcpServers']], { ...ws, format: 'yaml', listNameKey: 'name' })];
  if (/\.json$/i.test(path)) return [location('continue', STRICT_JSON, scope, path, [['mcpServers']], ws)];
  return [];
}

export const continueDev: HostAdapter = {
  id: 'continue',
  displayName: 'Continue',
  envVars: ['CONTINUE_GLOBAL_DIR'],
  format: 'yaml',
  syntax: STRICT_JSON,
  serversKey: 'mcpServers',
  fields: STANDARD_FIELDS,
  implicitTransport: [['command', 'stdio'], ['url', 'http']],
  envValueCoercion: 'strings',
  variables: ['mustache'],
  defaultCwd: 'workspace-folder',
  rightsFields: [],
  mergedSources: [{ id: 'secrets', description: 'the secrets ${{ secrets.X }} name, filled in from the Continue hub or a .env file' }],
  blockLever: { kind: 'none', note: 'Continue loads every block file of the workspace folder; the user config cannot turn one off' },
  clientInfo: { name: 'continue-client', version: '1.0.0' },
  workspaceFiles: () => [],
  userFiles(dirs) {
    return [location('continue', STRICT_JSON, 'user', dirs.path.join(globalDir(dirs), 'config.yaml'), [['mcpServers']], { format: 'yaml', listNameKey: 'name' })];
  },
  listedFiles: {
    workspace: (folder, dirs) => {
      const base = dirs.path.join(folder, '.continue', 'mcpServers');
      return [{ scope: 'workspace', base, glob: '*.{yaml,yml,json}', workspaceFolder: folder, locate: (name) => blockFile(dirs.path.join(base, name), 'workspace', folder) }];
    },
    user: (dirs) => {
      const base = dirs.path.join(globalDir(dirs), 'mcpServers');
      return [{ scope: 'user', base, glob: '*.{yaml,yml,json}', locate: (name) => blockFile(dirs.path.join(base, name), 'user') }];
    },
  },
};
