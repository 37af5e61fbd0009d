import type { ConfigLocation, HostId, Transport } from '../types';
import type { PlatformDirs } from './paths';

/**
 * A `serverSections` segment that matches every member of the object at that level, e.g.
 * `["projects", ANY_KEY, "mcpServers"]` for every project of `~/.claude.json`. The key it matched becomes the
 * `workspaceFolder` of the servers below it. (A literal `"*"` key can never be a project path, which is
 * absolute, so the wildcard does not shadow a real section.)
 */
export const ANY_KEY = '*';

/** Which JSON extensions a host's parser accepts. */
export interface HostSyntax {
  /** `//` and `/* *\/` comments. */
  comments: boolean;
  /** A comma after the last member of an object or array. */
  trailingCommas: boolean;
  /** An empty (or whitespace/comment-only) file, read as "no servers". */
  emptyContent: boolean;
}

/** What the parser needs to know about one host. */
export interface HostInfo {
  id: HostId;
  /** The product's name, for messages. */
  displayName: string;
  /** The key of the servers object the host reads (`servers` for VS Code, `mcpServers` elsewhere). */
  serversKey: 'servers' | 'mcpServers';
  /** The syntax of the host's parser; `ConfigLocation.jsonc` is `syntax.comments`. */
  syntax: HostSyntax;
  /** Keys an entry's URL is read from, highest precedence first. */
  urlKeys: readonly string[];
  /**
   * How the host picks the transport of an entry without `type`: the first key present wins.
   * (An entry with neither is launched as stdio and fails, so `stdio` is the fallback.)
   */
  implicitTransport: readonly (readonly [key: string, transport: Transport])[];
}

const STRICT_JSON: HostSyntax = { comments: false, trailingCommas: false, emptyContent: false };
const COMMAND_OR_URL = [['command', 'stdio'], ['url', 'http']] as const;

/**
 * Per-host parsing facts, from each host's documentation and (where public) source:
 * - VS Code reads MCP configs with its JSONC parser (the `jsonc-parser` code): comments, trailing commas and an
 *   empty file are all fine; an entry without `type` is stdio with `command`, else HTTP (streamable HTTP,
 *   falling back to SSE).
 * - Gemini CLI runs `JSON.parse(stripJsonComments(text))` (packages/cli/src/config/settings.ts): comments are
 *   fine, trailing commas and an empty file are not. In its MCP client `httpUrl` (streamable HTTP) beats `url`
 *   (SSE, or HTTP with `"type": "http"`), which beats `command`.
 * - Cursor, Claude Code, Windsurf and Claude Desktop document their files as plain JSON and read them with a
 *   strict JSON parser. Windsurf's remote servers use `serverUrl` (streamable HTTP or SSE).
 */
export const HOSTS: Readonly<Record<HostId, HostInfo>> = {
  vscode: {
    id: 'vscode',
    displayName: 'VS Code',
    serversKey: 'servers',
    syntax: { comments: true, trailingCommas: true, emptyContent: true },
    urlKeys: ['url'],
    implicitTransport: COMMAND_OR_URL,
  },
  cursor: { id: 'cursor', displayName: 'Cursor', serversKey: 'mcpServers', syntax: STRICT_JSON, urlKeys: ['url'], implicitTransport: COMMAND_OR_URL },
  'claude-code': {
    id: 'claude-code',
    displayName: 'Claude Code',
    serversKey: 'mcpServers',
    syntax: STRICT_JSON,
    urlKeys: ['url'],
    implicitTransport: COMMAND_OR_URL,
  },
  windsurf: {
    id: 'windsurf',
    displayName: 'Windsurf',
    serversKey: 'mcpServers',
    syntax: STRICT_JSON,
    urlKeys: ['serverUrl', 'url'],
    implicitTransport: [['command', 'stdio'], ['serverUrl', 'http'], ['url', 'http']],
  },
  'claude-desktop': {
    id: 'claude-desktop',
    displayName: 'Claude Desktop',
    serversKey: 'mcpServers',
    syntax: STRICT_JSON,
    urlKeys: ['url'],
    implicitTransport: COMMAND_OR_URL,
  },
  'gemini-cli': {
    id: 'gemini-cli',
    displayName: 'Gemini CLI',
    serversKey: 'mcpServers',
    syntax: { comments: true, trailingCommas: false, emptyContent: false },
    urlKeys: ['httpUrl', 'url'],
    implicitTransport: [['httpUrl', 'http'], ['url', 'sse'], ['command', 'stdio']],
  },
};

/** Every host, in the order configs are listed. */
export const HOST_IDS: readonly HostId[] = ['vscode', 'cursor', 'claude-code', 'windsurf', 'claude-desktop', 'gemini-cli'];

/**
 * Normalizes an explicit `type` of an entry to a transport. Accepts the spellings hosts document or write:
 * `stdio`, `http`, `streamable-http`, `streamableHttp`, `streamable_http`, `sse` (any case).
 * @returns the transport, or `undefined` for an unknown spelling.
 */
export function transportOfType(type: string): Transport | undefined {
  switch (type.toLowerCase().replace(/[-_ ]/g, '')) {
    case 'stdio':
      return 'stdio';
    case 'http':
    case 'streamablehttp':
      return 'http';
    case 'sse':
      return 'sse';
    default:
      return undefined;
  }
}

/**
 * Whether the host reads servers from `section` of `location`: false for the other spelling of the servers key
 * (`mcpServers` in a VS Code file, `servers` elsewhere), which is parsed too but only so that nothing is missed.
 */
export function hostReadsSection(location: ConfigLocation, section: readonly string[]): boolean {
  const last = section[section.length - 1];
  return !(last === 'servers' || last === 'mcpServers') || last === HOSTS[location.host].serversKey;
}

/** The sections of a file whose servers object is at the top level: the host's key, then the other spelling. */
function topLevelSections(host: HostId): string[][] {
  const own = HOSTS[host].serversKey;
  return [[own], [own === 'servers' ? 'mcpServers' : 'servers']];
}

function location(host: HostId, scope: ConfigLocation['scope'], path: string, serverSections: string[][], extra?: Partial<ConfigLocation>): ConfigLocation {
  return { host, scope, path, jsonc: HOSTS[host].syntax.comments, serverSections, ...extra };
}

/** `.vscode/mcp.json`, a user `mcp.json` or a profile's `mcp.json`. */
export function vscodeMcpJson(path: string, scope: ConfigLocation['scope'], workspaceFolder?: string): ConfigLocation {
  return location('vscode', scope, path, topLevelSections('vscode'), workspaceFolder ? { workspaceFolder } : {});
}

/** A VS Code `settings.json` (workspace, user or profile): the `mcp` setting's `servers`. */
export function vscodeSettingsJson(path: string, scope: ConfigLocation['scope'], workspaceFolder?: string): ConfigLocation {
  return location('vscode', scope, path, [['mcp', 'servers']], workspaceFolder ? { workspaceFolder } : {});
}

/** A `*.code-workspace` file: the `mcp` setting inside its `settings`. */
export function vscodeCodeWorkspace(path: string, workspaceFolder?: string): ConfigLocation {
  return location('vscode', 'workspace', path, [['settings', 'mcp', 'servers']], workspaceFolder ? { workspaceFolder } : {});
}

/** The config files inside one workspace folder that `host` reads (fixed names only, no patterns). */
export function workspaceLocations(host: HostId, folder: string, dirs: PlatformDirs): ConfigLocation[] {
  const j = dirs.path.join;
  const ws = { workspaceFolder: folder };
  switch (host) {
    case 'vscode':
      return [vscodeMcpJson(j(folder, '.vscode', 'mcp.json'), 'workspace', folder), vscodeSettingsJson(j(folder, '.vscode', 'settings.json'), 'workspace', folder)];
    case 'cursor':
      return [
        location('cursor', 'workspace', j(folder, '.cursor', 'mcp.json'), topLevelSections('cursor'), ws),
        location('cursor', 'workspace', j(folder, '.cursor', 'rules', 'mcp.json'), topLevelSections('cursor'), {
          ...ws,
          note: 'Cursor does not launch servers from .cursor/rules/mcp.json (only .cursor/mcp.json); listed so a misplaced or decoy config is seen.',
        }),
      ];
    case 'claude-code':
      // VS Code 1.139 reads this file too (workbench.js `Ddt`): `mcpServers` if present, else every top-level member.
      return [location('claude-code', 'workspace', j(folder, '.mcp.json'), topLevelSections('claude-code'), { ...ws, rootServersUnlessKey: 'mcpServers' })];
    case 'gemini-cli':
      return [location('gemini-cli', 'workspace', j(folder, '.gemini', 'settings.json'), topLevelSections('gemini-cli'), ws)];
    case 'windsurf':
    case 'claude-desktop':
      return [];
  }
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
  const appData = dirs.env.VSCODE_APPDATA && dirs.path.isAbsolute(dirs.env.VSCODE_APPDATA) ? dirs.env.VSCODE_APPDATA : dirs.appData;
  const out = VSCODE_FLAVOURS.map((f) => j(appData, f, 'User'));
  if (dirs.env.VSCODE_PORTABLE && dirs.path.isAbsolute(dirs.env.VSCODE_PORTABLE)) out.push(j(dirs.env.VSCODE_PORTABLE, 'user-data', 'User'));
  if (dirs.xdgData) out.push(j(dirs.xdgData, 'code-server', 'User'));
  if (dirs.os !== 'win32') {
    out.push(j(dirs.home, '.vscode-server', 'data', 'User'), j(dirs.home, '.vscode-server-insiders', 'data', 'User'));
  }
  for (const d of userDataDirs) out.push(j(d, 'User'));
  return [...new Set(out.map((d) => dirs.path.normalize(d)))];
}

/** The `mcp.json` and `settings.json` of one VS Code `User` directory or profile directory. */
export function vscodeUserDirLocations(dir: string, dirs: PlatformDirs): ConfigLocation[] {
  return [vscodeMcpJson(dirs.path.join(dir, 'mcp.json'), 'user'), vscodeSettingsJson(dirs.path.join(dir, 'settings.json'), 'user')];
}

/** The user-level (and machine-level) config files `host` reads (fixed names only: no VS Code profiles). */
export function userLocations(host: HostId, dirs: PlatformDirs, userDataDirs?: readonly string[]): ConfigLocation[] {
  const j = dirs.path.join;
  const home = dirs.home;
  switch (host) {
    case 'vscode':
      return vscodeUserDirs(dirs, userDataDirs).flatMap((d) => vscodeUserDirLocations(d, dirs));
    case 'cursor':
      return [location('cursor', 'user', j(home, '.cursor', 'mcp.json'), topLevelSections('cursor'))];
    case 'claude-code': {
      // Claude Code keeps user- and local-scope servers in one file: top-level `mcpServers` (user scope) and
      // `projects[<abs path>].mcpServers` (local scope, one per project). `CLAUDE_CONFIG_DIR` moves the file.
      const sections = [['mcpServers'], ['projects', ANY_KEY, 'mcpServers']];
      const files = [j(home, '.claude.json')];
      const dir = dirs.env.CLAUDE_CONFIG_DIR;
      if (dir && dirs.path.isAbsolute(dir)) files.push(j(dir, '.claude.json'));
      return [...new Set(files)].map((f) => location('claude-code', 'user', f, sections));
    }
    case 'windsurf':
      return ['windsurf', 'windsurf-next'].map((d) => location('windsurf', 'user', j(home, '.codeium', d, 'mcp_config.json'), topLevelSections('windsurf')));
    case 'claude-desktop': {
      const files = [j(dirs.appData, 'Claude', 'claude_desktop_config.json')];
      // The Microsoft Store (MSIX) build's %APPDATA% is redirected into its package's LocalCache.
      if (dirs.localAppData) files.push(j(dirs.localAppData, 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json'));
      return files.map((f) => location('claude-desktop', 'user', f, topLevelSections('claude-desktop')));
    }
    case 'gemini-cli': {
      // User settings, then the machine-wide settings and defaults Gemini CLI merges in (settings.ts).
      // The system paths are hard-coded there (no %ProgramData% lookup); two variables override them.
      const abs = (v: string | undefined) => (v && dirs.path.isAbsolute(v) ? v : undefined);
      const systemDir = { linux: '/etc/gemini-cli', darwin: '/Library/Application Support/GeminiCli', win32: 'C:\\ProgramData\\gemini-cli' }[dirs.os];
      const systemFile = abs(dirs.env.GEMINI_CLI_SYSTEM_SETTINGS_PATH) ?? j(systemDir, 'settings.json');
      const defaultsFile = abs(dirs.env.GEMINI_CLI_SYSTEM_DEFAULTS_PATH) ?? j(dirs.path.dirname(systemFile), 'system-defaults.json');
      const files = [j(home, '.gemini', 'settings.json'), systemFile, defaultsFile];
      return files.map((f) => location('gemini-cli', 'user', f, topLevelSections('gemini-cli')));
    }
  }
}
