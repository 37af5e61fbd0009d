/**
 * Windsurf (Codeium).
 *
 * Sources: https://docs.windsurf.com/windsurf/cascade/mcp (file `~/.codeium/windsurf/mcp_config.json`,
 * `mcpServers`, remote servers with `serverUrl` (streamable HTTP or SSE) or `url`, `headers`; variable
 * interpolation `${env:VAR}` in `command`, `args`, `env`, `serverUrl`, `url`, `headers`); VS Code 1.139's discovery
 * adapter reads the same path (workbench.js, `discoverySource="windsurf"`). Windsurf Next uses
 * `~/.codeium/windsurf-next/`.
 * - Format: strict JSON. `disabled: true` on an entry turns it off (user-level file: a block lever).
 * Not verified: whether Windsurf reads a workspace-level file (none is documented) or a project-root `.mcp.json`.
 */
import { CLAUDE_FORMAT, location, STANDARD_FIELDS, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const windsurf: HostAdapter = {
  id: 'windsurf',
  displayName: 'Windsurf',
  ...CLAUDE_FORMAT,
  envVars: [],
  alternateServersKey: 'servers',
  fields: { ...STANDARD_FIELDS, url: ['serverUrl', 'url'] },
  implicitTransport: [['command', 'stdio'], ['serverUrl', 'http'], ['url', 'http']],
  variables: ['predefined'],
  defaultCwd: 'home',
  blockLever: { kind: 'user-flag', field: 'disabled', value: true },
  clientInfo: { name: 'windsurf-client', version: '1.0.0' },
  workspaceFiles: () => [],
  userFiles(dirs) {
    const SECTIONS = [['mcpServers'], ['servers']];
    return ['windsurf', 'windsurf-next'].map((d) => location('windsurf', STRICT_JSON, 'user', dirs.path.join(dirs.home, '.codeium', d, 'mcp_config.json'), SECTIONS));
  },
};
