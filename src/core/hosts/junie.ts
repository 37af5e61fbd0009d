/**
 * JetBrains Junie.
 *
 * Sources: https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html (project `.junie/mcp/mcp.json`,
 * user `~/.junie/mcp/mcp.json`; the Claude format: `mcpServers` with `command`, `args`, `env`, `url`, `headers`).
 * - Format: JSON.
 * Not verified: variable expansion (none is documented); Junie's `clientInfo`; a block lever (none documented).
 */
import { CLAUDE_FORMAT, location, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const junie: HostAdapter = {
  id: 'junie',
  displayName: 'Junie',
  ...CLAUDE_FORMAT,
  envVars: [],
  defaultCwd: 'workspace-folder',
  blockLever: { kind: 'none' },
  clientInfo: { name: 'Junie', version: '1.0.0' },
  workspaceFiles(folder, dirs) {
    return [location('junie', STRICT_JSON, 'workspace', dirs.path.join(folder, '.junie', 'mcp', 'mcp.json'), [['mcpServers']], { workspaceFolder: folder })];
  },
  userFiles(dirs) {
    return [location('junie', STRICT_JSON, 'user', dirs.path.join(dirs.home, '.junie', 'mcp', 'mcp.json'), [['mcpServers']])];
  },
};
