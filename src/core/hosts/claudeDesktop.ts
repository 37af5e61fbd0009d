/**
 * Claude Desktop.
 *
 * Sources: https://modelcontextprotocol.io/quickstart/user (file `claude_desktop_config.json` under
 * `%APPDATA%\Claude` on Windows, `~/Library/Application Support/Claude` on macOS; `mcpServers` with `command`,
 * `args`, `env`); VS Code 1.139's discovery adapter reads the same file, with `$XDG_CONFIG_HOME/Claude` (default
 * `~/.config/Claude`) on Linux and the servers' `cwd` defaulting to the home directory (workbench.js, class
 * with `discoverySource="claude-desktop"`). The Microsoft Store build redirects `%APPDATA%` into
 * `%LOCALAPPDATA%\Packages\Claude_pzs8sxrjxfjjc\LocalCache\Roaming`.
 * - Format: strict JSON. No variable expansion is documented.
 * Not verified: the `clientInfo` version (`claude-ai` as seen in server logs).
 */
import { CLAUDE_FORMAT, location, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const claudeDesktop: HostAdapter = {
  id: 'claude-desktop',
  displayName: 'Claude Desktop',
  ...CLAUDE_FORMAT,
  envVars: ['APPDATA', 'LOCALAPPDATA', 'XDG_CONFIG_HOME'],
  alternateServersKey: 'servers',
  implicitTransport: [['command', 'stdio'], ['url', 'http']],
  variables: ['shell'],
  defaultCwd: 'home',
  blockLever: { kind: 'none', note: 'Claude Desktop has no per-server off switch in its config file' },
  clientInfo: { name: 'claude-ai', version: '0.1.0' },
  workspaceFiles: () => [],
  userFiles(dirs) {
    const j = dirs.path.join;
    const files = [j(dirs.appData, 'Claude', 'claude_desktop_config.json')];
    if (dirs.localAppData) files.push(j(dirs.localAppData, 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json'));
    return files.map((f) => location('claude-desktop', STRICT_JSON, 'user', f, [['mcpServers'], ['servers']]));
  },
};
