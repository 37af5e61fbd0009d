/**
 * Trae (ByteDance's VS Code fork).
 *
 * Sources: https://docs.trae.ai/ide/model-context-protocol (project-level `.trae/mcp.json`, enabled in the
 * settings; the user file `mcp.json` in Trae's `User` folder, `<appData>/Trae/User/mcp.json`; the Claude format
 * `mcpServers` with `command`/`args`/`env`, `url`/`headers`).
 * - Format: JSON.
 * Not verified: whether Trae accepts comments (treated as strict JSON); variable expansion; Trae's `clientInfo`.
 */
import { CLAUDE_FORMAT, location, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const trae: HostAdapter = {
  id: 'trae',
  displayName: 'Trae',
  ...CLAUDE_FORMAT,
  envVars: ['APPDATA', 'XDG_CONFIG_HOME'],
  defaultCwd: 'workspace-folder',
  blockLever: { kind: 'none' },
  clientInfo: { name: 'Trae', version: '1.0.0' },
  workspaceFiles(folder, dirs) {
    return [location('trae', STRICT_JSON, 'workspace', dirs.path.join(folder, '.trae', 'mcp.json'), [['mcpServers']], { workspaceFolder: folder })];
  },
  userFiles(dirs) {
    return [location('trae', STRICT_JSON, 'user', dirs.path.join(dirs.appData, 'Trae', 'User', 'mcp.json'), [['mcpServers']])];
  },
};
