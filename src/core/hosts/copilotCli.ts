/**
 * GitHub Copilot CLI.
 *
 * Sources: https://docs.github.com/en/copilot/how-tos/use-copilot-agents/use-copilot-cli (user file
 * `~/.copilot/mcp-config.json`, moved by `COPILOT_HOME`; `mcpServers` with `type` `local`/`stdio`/`http`/`sse`,
 * `command`, `args`, `env`, `url`, `headers`, `tools` (`["*"]`: every tool)); VS Code 1.139 reads the same user
 * file (its discovery, `COPILOT_HOME`), see `./vscode.ts`. A workspace-root `.mcp.json` is read too (as Claude
 * Code's), so its servers are attributed to Copilot CLI as well.
 * - Format: strict JSON.
 * - Managed settings (https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-config-dir-reference,
 *   "MDM managed settings"; the deployment guide "Deploy managed settings"): `managed-settings.json` in
 *   `/etc/github-copilot`, `/Library/Application Support/GitHubCopilot`, `%ProgramFiles%\GitHubCopilot`, with
 *   `allowedMcpServers`/`deniedMcpServers` (deny wins); VS Code's Copilot Chat reads the same file.
 * Not verified: variable expansion (none is documented, so values are taken literally); the `clientInfo`.
 */
import { absolute, CLAUDE_FORMAT, location, STANDARD_FIELDS, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const copilotCli: HostAdapter = {
  id: 'copilot-cli',
  displayName: 'Copilot CLI',
  ...CLAUDE_FORMAT,
  envVars: ['COPILOT_HOME'],
  fields: { ...STANDARD_FIELDS, typeValues: { local: 'stdio' } },
  implicitTransport: [['command', 'stdio'], ['url', 'http']],
  defaultCwd: 'host-cwd',
  blockLever: { kind: 'none', note: 'Copilot CLI has no per-server off switch in its file; --disable-mcp-server is per run' },
  clientInfo: { name: 'github-copilot-cli', version: '0.0.1' },
  managedSettings: {
    kind: 'github-copilot',
    paths: {
      linux: '/etc/github-copilot/managed-settings.json',
      darwin: '/Library/Application Support/GitHubCopilot/managed-settings.json',
      win32: 'C:\\Program Files\\GitHubCopilot\\managed-settings.json',
    },
  },
  workspaceFiles(folder, dirs) {
    // Claude Code's file: read here too, so its servers are Copilot CLI's as well.
    return [location('copilot-cli', STRICT_JSON, 'workspace', dirs.path.join(folder, '.mcp.json'), [['mcpServers']], { workspaceFolder: folder, guest: true })];
  },
  userFiles(dirs) {
    const home = absolute(dirs.path, dirs.env.COPILOT_HOME) ?? dirs.path.join(dirs.home, '.copilot');
    return [location('copilot-cli', STRICT_JSON, 'user', dirs.path.join(home, 'mcp-config.json'), [['mcpServers']])];
  },
};
