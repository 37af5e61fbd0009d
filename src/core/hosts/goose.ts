/**
 * Goose (Block; CLI and desktop).
 *
 * Sources: aaif-goose/goose `documentation/docs/guides/config-files.md` (`~/.config/goose/config.yaml` on macOS
 * and Linux, `%APPDATA%\Block\goose\config\config.yaml` on Windows; `extensions:` a map of name → `{enabled, type,
 * name, cmd, args, envs, env_keys, timeout, uri}`; `type` `stdio`, `sse` (with `uri`), `streamable_http`, or
 * `builtin`/`platform` for extensions shipped inside Goose).
 * - Format: YAML (`yaml` package; serde_yaml in Goose refuses duplicate keys, so a duplicate is high here).
 * - `env_keys` (documentation/docs/guides/config-files.md; `crates/goose/src/config/base.rs` `Config::get_secret`:
 *   an environment variable of that name first, then the system keyring, or `secrets.yaml` beside the config when
 *   `GOOSE_DISABLE_KEYRING` is set): names whose values Goose adds to the server's environment at start. The names
 *   are pinned with the entry; the values are not readable here (keyring), so each is an `unpinned-env-value` finding
 *   (`fields.hostEnv`), high for a variable that can make the server load other code.
 * - Block lever: `enabled: false` on the extension (the file is user-level).
 * Not verified: `GOOSE_PATH_ROOT` moving the config folder; recipes' extensions (not read).
 */
import { absolute, location, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

export const goose: HostAdapter = {
  id: 'goose',
  displayName: 'Goose',
  envVars: ['XDG_CONFIG_HOME', 'APPDATA'],
  format: 'yaml',
  syntax: STRICT_JSON,
  serversKey: 'extensions',
  fields: {
    command: ['cmd'],
    args: ['args'],
    env: ['envs'],
    cwd: ['cwd'],
    url: ['uri', 'url'],
    headers: ['headers'],
    type: ['type'],
    typeValues: { streamable_http: 'http' },
    hostEnv: ['env_keys'],
    managed: { field: 'type', values: ['builtin', 'platform', 'frontend', 'inline_python'] },
  },
  implicitTransport: [['cmd', 'stdio'], ['uri', 'sse']],
  envValueCoercion: 'strings',
  variables: [],
  defaultCwd: 'host-cwd',
  rightsFields: [],
  mergedSources: [],
  blockLever: { kind: 'user-flag', field: 'enabled', value: false },
  clientInfo: { name: 'goose', version: '1.0.0' },
  workspaceFiles: () => [],
  userFiles(dirs) {
    const j = dirs.path.join;
    const file = dirs.os === 'win32' ? j(dirs.appData, 'Block', 'goose', 'config', 'config.yaml') : j(absolute(dirs.path, dirs.env.XDG_CONFIG_HOME) ?? j(dirs.home, '.config'), 'goose', 'config.yaml');
    return [location('goose', STRICT_JSON, 'user', file, [['extensions']], { format: 'yaml' })];
  },
};
