/**
 * Cursor.
 *
 * Sources: https://docs.cursor.com/context/model-context-protocol (files, `mcpServers`, `env`, `envFile`, `url`,
 * `headers`, variable interpolation: `${env:NAME}`, `${userHome}`, `${workspaceFolder}`,
 * `${workspaceFolderBasename}`, `${pathSeparator}`/`${/}` in `command`, `args`, `env`, `url`, `headers`);
 * CVE-2025-54136 (MCPoison) advisory GHSA-24mc-g4xr-4395 for Cursor ≥ 1.3 re-prompting on any change.
 * - Files: `.cursor/mcp.json` (workspace), `~/.cursor/mcp.json` (user). `.cursor/rules/mcp.json` is not read by
 *   Cursor and is listed with a note so a decoy is seen.
 * - Format: strict JSON (documented as JSON; the parser's handling of comments was not verified).
 * - Block lever: the per-server toggle in Cursor Settings → MCP is stored in Cursor's own state database, not in a
 *   file we can write; none is declared.
 * Not verified: whether Cursor also reads a project-root `.mcp.json` (it is attributed to Claude Code and VS
 * Code, which do), and Cursor's exact `clientInfo` (`cursor-vscode` as seen in server logs).
 */
import { CLAUDE_FORMAT, location, STRICT_JSON } from './common';
import type { HostAdapter } from './types';

const SECTIONS = [['mcpServers'], ['servers']];

export const cursor: HostAdapter = {
  id: 'cursor',
  displayName: 'Cursor',
  ...CLAUDE_FORMAT,
  envVars: [],
  alternateServersKey: 'servers',
  variables: ['predefined'],
  defaultCwd: 'workspace-folder',
  blockLever: { kind: 'none', note: 'Cursor keeps its per-server on/off toggle in its own state database' },
  clientInfo: { name: 'cursor-vscode', version: '1.0.0' },
  workspaceFiles(folder, dirs) {
    const j = dirs.path.join;
    const ws = { workspaceFolder: folder };
    return [
      location('cursor', STRICT_JSON, 'workspace', j(folder, '.cursor', 'mcp.json'), SECTIONS, ws),
      location('cursor', STRICT_JSON, 'workspace', j(folder, '.cursor', 'rules', 'mcp.json'), SECTIONS, {
        ...ws,
        note: 'Cursor does not launch servers from .cursor/rules/mcp.json (only .cursor/mcp.json); listed so a misplaced or decoy config is seen.',
      }),
    ];
  },
  userFiles(dirs) {
    return [location('cursor', STRICT_JSON, 'user', dirs.path.join(dirs.home, '.cursor', 'mcp.json'), SECTIONS)];
  },
};
