/**
 * Google Antigravity (a VS Code fork).
 *
 * Sources: https://antigravity.google/docs/mcp ("Manage MCP Servers" → "View raw config" opens
 * `~/.gemini/antigravity/mcp_config.json`; the Claude format `mcpServers` with `command`/`args`/`env`, remote
 * servers with `serverUrl` and `headers`).
 * - Format: JSON.
 * Not verified (no public source could be fetched here): the exact file name (`mcp_config.json`; one vendor guide
 *   says `mcp-config.json`, so both are listed), whether a workspace-level file exists, variable expansion, the
 *   `clientInfo`, and a block lever.
 */
import { CLAUDE_FORMAT, location, STANDARD_FIELDS, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const antigravity: HostAdapter = {
  id: 'antigravity',
  displayName: 'Antigravity',
  ...CLAUDE_FORMAT,
  envVars: [],
  fields: { ...STANDARD_FIELDS, url: ['serverUrl', 'url'] },
  implicitTransport: [['command', 'stdio'], ['serverUrl', 'http'], ['url', 'http']],
  defaultCwd: 'home',
  blockLever: { kind: 'none' },
  clientInfo: { name: 'antigravity', version: '1.0.0' },
  workspaceFiles: () => [],
  userFiles(dirs) {
    const base = dirs.path.join(dirs.home, '.gemini', 'antigravity');
    return ['mcp_config.json', 'mcp-config.json'].map((n) => location('antigravity', STRICT_JSON, 'user', dirs.path.join(base, n), [['mcpServers']]));
  },
};
