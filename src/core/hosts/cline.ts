/**
 * Cline (VS Code extension `saoudrizwan.claude-dev`, and the Cline CLI).
 *
 * Sources: https://docs.cline.bot/mcp/configuring-mcp-servers (file `cline_mcp_settings.json`, `mcpServers`,
 * `command`/`args`/`env`, `url` + `headers`, `disabled`, `autoApprove`: tools run without asking, `type`/
 * `transportType` `stdio`/`sse`/`streamableHttp`); cline/cline `src/services/mcp/schemas.ts` (an entry with `url`
 * and no type is SSE); cline/cline `src/core/storage/disk.ts` (the settings file under the extension's global
 * storage `settings/`; newer releases keep it in `~/.cline/data/settings/`, moved by `CLINE_DIR`, and migrate the
 * globalStorage file).
 * - Format: `JSON.parse` (strict JSON).
 * - Block lever: `"disabled": true` on the entry (the file is user-level).
 * Not verified: Cline's `clientInfo` version; whether a workspace-level file exists (none is documented).
 */
import { absolute, CLAUDE_FORMAT, location, STANDARD_FIELDS, STRICT_JSON } from './common';
import type { HostAdapter } from './types';
import { globalStorageFiles } from './vscode';

export const cline: HostAdapter = {
  id: 'cline',
  displayName: 'Cline',
  ...CLAUDE_FORMAT,
  envVars: ['CLINE_DIR'],
  fields: { ...STANDARD_FIELDS, type: ['type', 'transportType'] },
  implicitTransport: [['command', 'stdio'], ['url', 'sse']],
  defaultCwd: 'home',
  rightsFields: [{ field: 'autoApprove', meaning: 'lets Cline run these tools without asking' }],
  blockLever: { kind: 'user-flag', field: 'disabled', value: true },
  clientInfo: { name: 'Cline', version: '3.0.0' },
  workspaceFiles: () => [],
  userFiles(dirs, userDataDirs) {
    const root = absolute(dirs.path, dirs.env.CLINE_DIR) ?? dirs.path.join(dirs.home, '.cline');
    const files = [dirs.path.join(root, 'data', 'settings', 'cline_mcp_settings.json'), ...globalStorageFiles(dirs, userDataDirs, 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json')];
    return files.map((f) => location('cline', STRICT_JSON, 'user', f, [['mcpServers']]));
  },
};
