/**
 * Gemini CLI.
 *
 * Sources: google-gemini/gemini-cli `packages/cli/src/config/settings.ts` (`JSON.parse(stripJsonComments(text))`:
 * comments fine, trailing commas and an empty file not; user `~/.gemini/settings.json`, workspace
 * `.gemini/settings.json`, system settings and defaults at hard-coded paths overridden by
 * `GEMINI_CLI_SYSTEM_SETTINGS_PATH`/`GEMINI_CLI_SYSTEM_DEFAULTS_PATH`; `resolveEnvVarsInObject`: `$VAR` and
 * `${VAR}` in every string of the settings), `packages/core/src/tools/mcp-client.ts` (`httpUrl` → streamable
 * HTTP, then `url` → SSE, then `command`), docs/tools/mcp-server.md (`trust: true` skips every tool
 * confirmation; `includeTools`/`excludeTools`), docs/get-started/authentication.md (`.gemini/.env` then `.env`
 * searched upward from the working directory, loaded into the CLI's environment, which servers inherit).
 * - Block lever: `mcp.excluded` in the user settings (names of servers not to start).
 * Not verified: the `clientInfo` version.
 */
import { location, STANDARD_FIELDS } from './common';
import { firstDotenv } from './merged';
import type { HostAdapter, HostSyntax } from './types';

const syntax: HostSyntax = { comments: true, trailingCommas: false, emptyContent: false };
const SECTIONS = [['mcpServers'], ['servers']];

export const geminiCli: HostAdapter = {
  id: 'gemini-cli',
  displayName: 'Gemini CLI',
  envVars: ['GEMINI_CLI_SYSTEM_SETTINGS_PATH', 'GEMINI_CLI_SYSTEM_DEFAULTS_PATH'],
  format: 'json',
  syntax,
  serversKey: 'mcpServers',
  alternateServersKey: 'servers',
  fields: { ...STANDARD_FIELDS, url: ['httpUrl', 'url'] },
  implicitTransport: [['httpUrl', 'http'], ['url', 'sse'], ['command', 'stdio']],
  envValueCoercion: 'strings',
  variables: ['shell-bare', 'predefined'],
  defaultCwd: 'host-cwd',
  rightsFields: [{ field: 'trust', value: true, meaning: 'makes Gemini CLI run every tool of this server without confirmation' }],
  mergedSources: [{ id: 'dotenv', description: 'the .gemini/.env or .env file Gemini CLI loads into its environment, which every stdio server inherits' }],
  blockLever: { kind: 'user-deny-list', setting: 'mcp.excluded', file: '~/.gemini/settings.json', matches: 'name' },
  clientInfo: { name: 'gemini-cli-mcp-client', version: '0.0.1' },
  mergedFiles: (folder, dirs) => [dirs.path.join(folder, '.gemini', '.env'), dirs.path.join(folder, '.env')],
  async collectMerged(spec, io) {
    if (spec.scope !== 'workspace' || spec.workspaceFolder === undefined) return {};
    const ws = spec.workspaceFolder;
    const dotenv = await firstDotenv(io, [
      ['.gemini/.env', io.join(ws, '.gemini', '.env')],
      ['.env', io.join(ws, '.env')],
    ]);
    return dotenv ? { dotenv } : {};
  },
  workspaceFiles(folder, dirs) {
    return [location('gemini-cli', syntax, 'workspace', dirs.path.join(folder, '.gemini', 'settings.json'), SECTIONS, { workspaceFolder: folder })];
  },
  userFiles(dirs) {
    const j = dirs.path.join;
    const abs = (v: string | undefined) => (v && dirs.path.isAbsolute(v) ? v : undefined);
    const systemDir = { linux: '/etc/gemini-cli', darwin: '/Library/Application Support/GeminiCli', win32: 'C:\\ProgramData\\gemini-cli' }[dirs.os];
    const systemFile = abs(dirs.env.GEMINI_CLI_SYSTEM_SETTINGS_PATH) ?? j(systemDir, 'settings.json');
    const defaultsFile = abs(dirs.env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH) ?? j(dirs.path.dirname(systemFile), 'system-defaults.json');
    return [j(dirs.home, '.gemini', 'settings.json'), systemFile, defaultsFile].map((f) => location('gemini-cli', syntax, 'user', f, SECTIONS));
  },
};
