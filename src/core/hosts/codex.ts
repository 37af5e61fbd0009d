/**
 * OpenAI Codex (CLI, IDE extension and app share one configuration).
 *
 * Sources: openai/codex `docs/config.md` and https://developers.openai.com/codex/mcp (`[mcp_servers.<name>]`
 * tables in `$CODEX_HOME/config.toml`, default `~/.codex`; `command`, `args`, `env`, `env_vars` (names passed
 * through), `cwd`, `url`, `http_headers`, `env_http_headers`, `bearer_token_env_var`, `enabled = false`,
 * `enabled_tools`/`disabled_tools`, `startup_timeout_sec`); a project's `.codex/config.toml` is read only for a
 * project the user marked trusted (`[projects."<abs path>"] trust_level = "trusted"` in the user file).
 * - Format: TOML (the Rust `toml` crate): a duplicate key or table makes the whole file invalid, and Codex loads
 *   nothing from it.
 * - No variable expansion in values; environment values are passed by name (`env_vars`, `bearer_token_env_var`).
 * - Transport: `url` → streamable HTTP, else `command` → stdio (no `type` member).
 * - Block lever: `enabled = false` on the table in the user file.
 * Not verified: Codex's `clientInfo` name and version; whether `cwd` defaults to the project root.
 */
import { absolute, location, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const codex: HostAdapter = {
  id: 'codex',
  displayName: 'Codex',
  envVars: ['CODEX_HOME'],
  format: 'toml',
  syntax: STRICT_JSON,
  serversKey: 'mcp_servers',
  fields: { command: ['command'], args: ['args'], env: ['env'], cwd: ['cwd'], url: ['url'], headers: ['http_headers'], type: [] },
  implicitTransport: [['url', 'http'], ['command', 'stdio']],
  envValueCoercion: 'strings',
  variables: [],
  defaultCwd: 'host-cwd',
  rightsFields: [],
  mergedSources: [{ id: 'project-trust', description: 'the trust_level of the project in the user config.toml: only a trusted project\'s .codex/config.toml is loaded' }],
  blockLever: { kind: 'user-flag', field: 'enabled', value: false },
  clientInfo: { name: 'codex-mcp-client', version: '0.1.0' },
  workspaceFiles(folder, dirs) {
    return [location('codex', STRICT_JSON, 'workspace', dirs.path.join(folder, '.codex', 'config.toml'), [['mcp_servers']], { workspaceFolder: folder, format: 'toml' })];
  },
  userFiles(dirs) {
    const home = absolute(dirs.path, dirs.env.CODEX_HOME) ?? dirs.path.join(dirs.home, '.codex');
    return [location('codex', STRICT_JSON, 'user', dirs.path.join(home, 'config.toml'), [['mcp_servers']], { format: 'toml' })];
  },
};
