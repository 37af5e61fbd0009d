/**
 * VS Code (and its builds: Insiders, VSCodium, code-server, the VS Code Server) with GitHub Copilot Chat.
 *
 * Sources, checked against the workbench shipped in code-server 4.139.1 (VS Code 1.139.1,
 * `lib/vscode/out/vs/code/browser/workbench/workbench.js`) and https://code.visualstudio.com/docs/copilot/reference/mcp-configuration:
 * - Files: `.vscode/mcp.json` (`servers`, JSONC), the `mcp` setting in `.vscode/settings.json` and in a
 *   `*.code-workspace` (`settings.mcp.servers`), the user `mcp.json`/`settings.json` of every flavour and profile
 *   (`<appData>/<flavour>/User`, `VSCODE_APPDATA`, `VSCODE_PORTABLE`, code-server's `$XDG_DATA_HOME/code-server`,
 *   `~/.vscode-server/data/User`). Discovery of other apps' files (`chat.mcp.discovery.enabled`): Claude Desktop,
 *   Windsurf, `~/.cursor/mcp.json` and Copilot CLI's `$COPILOT_HOME/mcp-config.json` (default `~/.copilot`) —
 *   the workbench's `NativeMcpDiscoveryHelperService.load()` reads `COPILOT_HOME`, `APPDATA`, `XDG_CONFIG_HOME`.
 *   The Copilot file is listed here (attributed to VS Code); the others belong to their own adapters.
 * - Format: `jsonc-parser` (comments, trailing commas, empty file fine; duplicate keys: last wins).
 * - Entries: `type` (`stdio`, `http`, `sse`), `command`, `args` (non-strings dropped), `env` (numbers and `null`
 *   accepted; `null` unsets), `envFile`, `cwd` (default: the workspace folder), `url`, `headers`.
 * - Variables (https://code.visualstudio.com/docs/reference/variables-reference): `${workspaceFolder}`,
 *   `${workspaceFolder:name}`, `${workspaceFolderBasename}`, `${userHome}`, `${pathSeparator}`/`${/}`, `${env:X}`,
 *   `${input:id}`.
 * - Merged sources: the file's `inputs` (a `command` input runs a command to get a value), the file-level
 *   `sandbox` block of `mcp.json`, the folders of a `.code-workspace`.
 * - Block lever: `chat.mcp.deniedServers`/`chat.mcp.allowedServers` in the user settings (VS Code ≥ 1.130),
 *   checked on the resolved command line before a server starts.
 * - Server ids: `mcp.config.<collection>.<name>` (`ws<folder index>`, `workspace`, `usrlocal`, `usrremote`) and
 *   `workspace-dot-mcp.<folder index>.<name>` for a workspace-root `.mcp.json`, from the same workbench.js
 *   (`getMcpConfigPath`, `_watchFolder`). Only the `ws<index>` form is exercised against a running server.
 * Not verified: the exact `clientInfo.version` VS Code sends (it is its product version).
 */
import { join } from 'node:path';
import type { PlatformDirs } from '../config/paths';
import type { ConfigLocation, Scope, ServerSpec } from '../types';
import { lastPointerToken } from '../checks/pointer';
import { isObject } from '../config/values';
import { absolute, JSONC, location, STANDARD_FIELDS } from './common';
import { inputIds, jsoncAt, sectionParent } from './merged';
import type { HostAdapter } from './types';

const syntax = JSONC;
const SECTIONS = [['servers'], ['mcpServers']];

/** `.vscode/mcp.json`, a user `mcp.json` or a profile's `mcp.json`. */
export function vscodeMcpJson(path: string, scope: Scope, workspaceFolder?: string): ConfigLocation {
  return location('vscode', syntax, scope, path, SECTIONS, workspaceFolder ? { workspaceFolder } : {});
}

/** A VS Code `settings.json` (workspace, user or profile): the `mcp` setting's `servers`. */
export function vscodeSettingsJson(path: string, scope: Scope, workspaceFolder?: string): ConfigLocation {
  return location('vscode', syntax, scope, path, [['mcp', 'servers']], workspaceFolder ? { workspaceFolder } : {});
}

/** A `*.code-workspace` file: the `mcp` setting inside its `settings`. */
export function vscodeCodeWorkspace(path: string, workspaceFolder?: string): ConfigLocation {
  return location('vscode', syntax, 'workspace', path, [['settings', 'mcp', 'servers']], workspaceFolder ? { workspaceFolder } : {});
}

/** VS Code flavours whose user data dir is `<appData>/<name>`. */
const VSCODE_FLAVOURS = ['Code', 'Code - Insiders', 'Code - OSS', 'VSCodium', 'VSCodium - Insiders'];

/**
 * The `User` directories of every VS Code flavour on this OS: `<appData>/<flavour>/User` (with
 * `VSCODE_APPDATA` replacing `<appData>` when set, as VS Code does), `$VSCODE_PORTABLE/user-data/User`,
 * code-server's `$XDG_DATA_HOME/code-server/User`, the VS Code Server's `~/.vscode-server[-insiders]/data/User`
 * (remote machines), and `<dir>/User` for each of `userDataDirs`.
 *
 * @param userDataDirs extra user data dirs as VS Code's `--user-data-dir` takes them (the folder that
 *   contains `User/`); the extension knows its own.
 */
export function vscodeUserDirs(dirs: PlatformDirs, userDataDirs: readonly string[] = []): string[] {
  const j = dirs.path.join;
  const appData = absolute(dirs.path, dirs.env.VSCODE_APPDATA) ?? dirs.appData;
  const out = VSCODE_FLAVOURS.map((f) => j(appData, f, 'User'));
  const portable = absolute(dirs.path, dirs.env.VSCODE_PORTABLE);
  if (portable) out.push(j(portable, 'user-data', 'User'));
  if (dirs.xdgData) out.push(j(dirs.xdgData, 'code-server', 'User'));
  if (dirs.os !== 'win32') {
    out.push(j(dirs.home, '.vscode-server', 'data', 'User'), j(dirs.home, '.vscode-server-insiders', 'data', 'User'));
  }
  for (const d of userDataDirs) out.push(j(d, 'User'));
  return [...new Set(out.map((d) => dirs.path.normalize(d)))];
}

/** VS Code forks whose `User` directory is `<appData>/<name>/User` and that run VS Code extensions. */
const FORKS = ['Cursor', 'Windsurf', 'Trae', 'Kiro', 'Antigravity'];

/**
 * A file an extension keeps in its global storage (`<User>/globalStorage/<extensionId>/<...rel>`), for every VS
 * Code flavour and fork the extension may be installed in (Cline, Roo Code and Kilo Code keep their MCP settings
 * there).
 */
export function globalStorageFiles(dirs: PlatformDirs, userDataDirs: readonly string[], extensionId: string, ...rel: string[]): string[] {
  const forks = FORKS.map((f) => dirs.path.join(dirs.appData, f, 'User'));
  return [...vscodeUserDirs(dirs, userDataDirs), ...forks].map((d) => dirs.path.join(d, 'globalStorage', extensionId, ...rel));
}

/** The `mcp.json` and `settings.json` of one VS Code `User` directory or profile directory. */
export function vscodeUserDirLocations(dir: string, dirs: PlatformDirs): ConfigLocation[] {
  return [vscodeMcpJson(dirs.path.join(dir, 'mcp.json'), 'user'), vscodeSettingsJson(dirs.path.join(dir, 'settings.json'), 'user')];
}

/** Copilot CLI's user file as VS Code's discovery finds it: `$COPILOT_HOME/mcp-config.json`, else `~/.copilot/`. */
export function copilotHomeFile(dirs: PlatformDirs): string {
  return dirs.path.join(absolute(dirs.path, dirs.env.COPILOT_HOME) ?? dirs.path.join(dirs.home, '.copilot'), 'mcp-config.json');
}


function dirname(p: string): string {
  return p.replace(/[\\/][^\\/]*$/, '');
}

export const vscode: HostAdapter = {
  id: 'vscode',
  displayName: 'VS Code',
  envVars: ['VSCODE_APPDATA', 'VSCODE_PORTABLE', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'APPDATA', 'COPILOT_HOME'],
  format: 'json',
  syntax,
  serversKey: 'servers',
  alternateServersKey: 'mcpServers',
  fields: STANDARD_FIELDS,
  implicitTransport: [['command', 'stdio'], ['url', 'http']],
  envValueCoercion: 'numbers-and-null',
  dottedSettingsSegment: 'mcp',
  variables: ['predefined'],
  defaultCwd: 'workspace-folder',
  rightsFields: [],
  mergedSources: [
    { id: 'inputs', description: 'the "inputs" of the same file: a ${input:id} is a prompt or, for a "command" input, the output of a command' },
    { id: 'sandbox', description: 'the file-level "sandbox" block of mcp.json (what the sandboxed servers may reach)' },
    { id: 'folders', description: 'the "folders" of a .code-workspace: each folder\'s own MCP configs join the workspace' },
  ],
  blockLever: {
    kind: 'user-deny-list',
    setting: 'chat.mcp.deniedServers',
    file: 'User/settings.json',
    matches: 'name-or-command',
    // Application scope, user settings.json of the default profile; checked before every start of any MCP server
    // (`.vscode/mcp.json` ones included), deny wins over allow, and user deny entries still apply under
    // `chat.mcp.allowManagedServersOnly` (workbench.js `checkServerAllowed`).
    list: {
      denyId: 'vscode.deniedServers',
      allow: { setting: 'chat.mcp.allowedServers', id: 'vscode.allowedServers' },
      refuses: 'VS Code will refuse to start it (chat.mcp.deniedServers in your user settings)',
      allows: 'VS Code may start it: it is on the allow list (chat.mcp.allowedServers) the guard keeps in strict mode',
      inEditorSettings: true,
      settingsFile: ({ userDataDir }) => (userDataDir === undefined ? undefined : join(userDataDir, 'User', 'settings.json')),
    },
  },
  clientInfo: { name: 'Visual Studio Code', version: '1.101.0' },
  workspaceFiles(folder, dirs) {
    const j = dirs.path.join;
    return [
      vscodeMcpJson(j(folder, '.vscode', 'mcp.json'), 'workspace', folder),
      vscodeSettingsJson(j(folder, '.vscode', 'settings.json'), 'workspace', folder),
      // Claude Code's workspace-root file, which VS Code 1.139 reads too (workbench.js `Ddt`).
      location('vscode', syntax, 'workspace', j(folder, '.mcp.json'), [['mcpServers']], { workspaceFolder: folder, guest: true, rootServersUnlessKey: 'mcpServers' }),
    ];
  },
  userFiles(dirs, userDataDirs) {
    // Copilot CLI's file, read by VS Code's discovery when chat.mcp.discovery.enabled includes "copilot".
    const copilot = location('vscode', syntax, 'user', copilotHomeFile(dirs), [['mcpServers'], ['servers']], { serversKey: 'mcpServers', guest: true });
    return [...vscodeUserDirs(dirs, userDataDirs).flatMap((d) => vscodeUserDirLocations(d, dirs)), copilot];
  },
  listedFiles: {
    workspace: (folder, dirs) => [
      { scope: 'workspace', base: folder, glob: '*.code-workspace', workspaceFolder: folder, locate: (name) => (name.endsWith('.code-workspace') ? [vscodeCodeWorkspace(dirs.path.join(folder, name), folder)] : []) },
    ],
    user: (dirs, userDataDirs) =>
      vscodeUserDirs(dirs, userDataDirs).map((d) => {
        const base = dirs.path.join(d, 'profiles');
        return { scope: 'user' as const, base, glob: '*/{mcp,settings}.json', locate: (id: string) => vscodeUserDirLocations(dirs.path.join(base, id), dirs) };
      }),
  },
  async collectMerged(spec, io) {
    const out: Record<string, unknown> = {};
    const text = await io.readText(spec.configFile);
    if (text === undefined) return out;
    const parent = sectionParent(spec);
    const ids = inputIds(spec.raw);
    if (ids.length) {
      const inputs = jsoncAt(text, `${parent}/inputs`);
      const list = Array.isArray(inputs) ? inputs : [];
      out.inputs = Object.fromEntries(ids.map((id) => [id, list.find((i) => isObject(i) && i.id === id) ?? null]));
    }
    const sandbox = jsoncAt(text, `${parent}/sandbox`);
    if (sandbox !== undefined && spec.transport === 'stdio') out.sandbox = sandbox;
    if (spec.configFile.endsWith('.code-workspace')) {
      const folders = jsoncAt(text, '/folders');
      if (folders !== undefined) out.folders = folders;
    }
    return out;
  },
  workspaceFileFolders(file, text) {
    if (!file.endsWith('.code-workspace')) return undefined;
    const folders = jsoncAt(text, '/folders');
    if (!Array.isArray(folders)) return [];
    const base = dirname(file);
    return folders.flatMap((f) => {
      const p = isObject(f) && typeof f.path === 'string' ? f.path : undefined;
      if (p === undefined || p.includes('://')) return [];
      return [/^([A-Za-z]:)?[\\/]/.test(p) ? p : `${base}/${p}`];
    });
  },
  serverIds(spec: ServerSpec, workspaceFolders: readonly string[]): string[] {
    const name = lastPointerToken(spec.pointer) || spec.name;
    const idx = workspaceFolders.findIndex((f) => f === spec.workspaceFolder);
    if (spec.scope === 'workspace' && spec.workspaceFolder && /[\\/]\.mcp\.json$/.test(spec.configFile) && dirname(spec.configFile) === spec.workspaceFolder) {
      return idx >= 0 ? [`workspace-dot-mcp.${idx}.${name}`] : [];
    }
    if (spec.host !== 'vscode') return [];
    if (spec.scope === 'user') return [`mcp.config.usrlocal.${name}`, `mcp.config.usrremote.${name}`];
    if (spec.configFile.endsWith('.code-workspace')) return [`mcp.config.workspace.${name}`];
    return idx >= 0 ? [`mcp.config.ws${idx}.${name}`] : [];
  },
};
