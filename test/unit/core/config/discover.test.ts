// Discovery on a temp home and workspace laid out as each OS lays them out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { configCandidates, configPatterns, discoverConfigFiles, readConfigFile, type DiscoverOptions } from '../../../../src/core/config';
import type { FileSystemPort } from '../../../../src/core/ports';
import { nodeFileSystem } from '../../../../src/core/ports/nodeFs';
import type { ConfigLocation } from '../../../../src/core/types';
import { put, tempDir } from './helpers';

type Os = 'linux' | 'darwin' | 'win32';

/** The hosts whose per-OS layout this file checks file by file (the others have their own tests). */
const HOSTS: DiscoverOptions['hosts'] = ['vscode', 'cursor', 'claude-code', 'windsurf', 'claude-desktop', 'gemini-cli'];

/** Windows paths (`C:\Users\u\…`) mapped into `root` (`root/C/Users/u/…`), so a Windows home is real files here. */
function windowsOn(root: string): { fs: FileSystemPort; local(p: string): string } {
  const local = (p: string) => {
    const m = /^([A-Za-z]):\\(.*)$/.exec(path.win32.normalize(p));
    if (!m) throw new Error(`not an absolute Windows path: ${p}`);
    return path.join(root, m[1].toUpperCase(), ...m[2].split('\\').filter(Boolean));
  };
  return {
    local,
    fs: {
      readFile: (p, max) => nodeFileSystem.readFile(local(p), max),
      stat: (p) => nodeFileSystem.stat(local(p)),
      realpath: (p) => nodeFileSystem.realpath(local(p)),
      readdir: (p) => nodeFileSystem.readdir(local(p)),
    },
  };
}

interface Layout {
  opts: DiscoverOptions;
  fs: FileSystemPort;
  /** Writes a file at a path of the target OS. */
  write(p: string, content?: string): void;
  join(...parts: string[]): string;
}

function layout(os: Os, root: string, env: Record<string, string> = {}): Layout {
  if (os === 'win32') {
    const w = windowsOn(root);
    const home = 'C:\\Users\\u';
    return {
      opts: { workspaceFolders: [`${home}\\proj`], home, includeUser: true, platform: 'win32', env, hosts: HOSTS },
      fs: w.fs,
      write: (p, c = '{}') => put(w.local(p), c),
      join: path.win32.join,
    };
  }
  const home = path.join(root, 'home', 'u');
  // Keep this machine's own /etc/gemini-cli (or macOS's /Library/…) out of the expected results.
  const gemini = { GEMINI_CLI_SYSTEM_SETTINGS_PATH: path.join(root, 'etc', 'gemini-cli', 'settings.json') };
  return {
    opts: { workspaceFolders: [path.join(home, 'proj')], home, includeUser: true, platform: os, env: { ...gemini, ...env }, hosts: HOSTS },
    fs: nodeFileSystem,
    write: (p, c = '{}') => put(p, c),
    join: path.posix.join,
  };
}

/** Home-relative user-level files each OS's hosts read (a representative set, one per host and then some). */
const USER_FILES: Record<Os, string[]> = {
  linux: [
    '.config/Code/User/mcp.json',
    '.config/Code/User/settings.json',
    '.config/Code/User/profiles/-5a2b7c/mcp.json',
    '.config/VSCodium/User/mcp.json',
    '.local/share/code-server/User/mcp.json',
    '.cursor/mcp.json',
    '.claude.json',
    '.codeium/windsurf/mcp_config.json',
    '.config/Claude/claude_desktop_config.json',
    '.gemini/settings.json',
  ],
  darwin: [
    'Library/Application Support/Code/User/mcp.json',
    'Library/Application Support/Code - Insiders/User/profiles/abc/settings.json',
    '.cursor/mcp.json',
    '.claude.json',
    '.codeium/windsurf/mcp_config.json',
    'Library/Application Support/Claude/claude_desktop_config.json',
    '.gemini/settings.json',
  ],
  win32: [
    'AppData\\Roaming\\Code\\User\\mcp.json',
    'AppData\\Roaming\\Code\\User\\profiles\\p1\\mcp.json',
    '.cursor\\mcp.json',
    '.claude.json',
    '.codeium\\windsurf\\mcp_config.json',
    'AppData\\Roaming\\Claude\\claude_desktop_config.json',
    'AppData\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
    '.gemini\\settings.json',
  ],
};

const WORKSPACE_FILES = ['.vscode/mcp.json', '.vscode/settings.json', '.cursor/mcp.json', '.cursor/rules/mcp.json', '.mcp.json', '.gemini/settings.json', 'team.code-workspace'];

const HOST_OF: [RegExp, ConfigLocation['host']][] = [
  [/Code|VSCodium|code-server|\.vscode|code-workspace/, 'vscode'],
  [/\.cursor/, 'cursor'],
  [/\.claude\.json|\.mcp\.json/, 'claude-code'],
  [/windsurf/, 'windsurf'],
  [/Claude/, 'claude-desktop'],
  [/gemini/, 'gemini-cli'],
];
const hostOf = (p: string) => HOST_OF.find(([re]) => re.test(p))?.[1];

for (const os of ['linux', 'darwin', 'win32'] as const) {
  test(`discovery on ${os}: every host's workspace and user files, patterns included, nothing else`, async (t) => {
    const root = tempDir(t);
    const L = layout(os, root);
    const { home } = L.opts;
    const ws = L.opts.workspaceFolders[0];
    const sep = os === 'win32' ? '\\' : '/';
    const wsFiles = WORKSPACE_FILES.map((f) => L.join(ws, ...f.split('/')));
    const userFiles = USER_FILES[os].map((f) => L.join(home, ...f.split(sep)));
    for (const f of [...wsFiles, ...userFiles]) L.write(f, '{"mcpServers":{}}');
    // Noise: other files, a directory named like a config, a config-named directory where a file belongs.
    L.write(L.join(ws, 'notes.code-workspace.txt'));
    L.write(L.join(ws, 'package.json'));
    L.write(L.join(ws, 'dir.code-workspace', 'x'));
    L.write(L.join(home, '.codeium', 'windsurf-next', 'mcp_config.json', 'x'));

    const found = await discoverConfigFiles(L.opts, L.fs);
    assert.deepEqual(found.map((l) => l.path).sort(), [...wsFiles, ...userFiles].sort());
    for (const l of found) {
      assert.equal(l.host, hostOf(l.path.slice(home.length)), l.path);
      assert.equal(l.scope, l.path.startsWith(ws + sep) ? 'workspace' : 'user', l.path);
      if (l.scope === 'workspace') assert.equal(l.workspaceFolder, ws);
    }
    // Workspace files come first, and the code-workspace file reads settings.mcp.servers.
    const scopes = found.map((l) => l.scope).join(' ');
    assert.match(scopes, /^(workspace )+(user ?)+$/);
    assert.deepEqual(found.find((l) => l.path.endsWith('team.code-workspace'))?.serverSections, [['settings', 'mcp', 'servers']]);

    // Every found file reads through the same port.
    const parsed = await Promise.all(found.map((l) => readConfigFile(l, L.fs)));
    assert.deepEqual(parsed.flatMap((p) => p.errors), []);

    // Candidates: every fixed path, present or not; the found fixed ones are all among them.
    const candidates = configCandidates(L.opts).map((l) => l.path);
    for (const f of found) if (!/profiles|code-workspace/.test(f.path)) assert.ok(candidates.includes(f.path), f.path);
    assert.ok(candidates.includes(L.join(home, '.codeium', 'windsurf-next', 'mcp_config.json')));

    // No user files without includeUser; one host only with hosts.
    const wsOnly = await discoverConfigFiles({ ...L.opts, includeUser: false }, L.fs);
    assert.deepEqual(wsOnly.map((l) => l.path).sort(), [...wsFiles].sort());
    const cursorOnly = await discoverConfigFiles({ ...L.opts, hosts: ['cursor'] }, L.fs);
    assert.deepEqual(cursorOnly.map((l) => [l.scope, l.path]), [
      ['workspace', L.join(ws, '.cursor', 'mcp.json')],
      ['workspace', L.join(ws, '.cursor', 'rules', 'mcp.json')],
      ['user', L.join(home, '.cursor', 'mcp.json')],
    ]);
  });
}

test('configCandidates: per-OS locations of the user-level files', () => {
  const paths = (opts: DiscoverOptions, host: ConfigLocation['host']) =>
    configCandidates({ ...opts, hosts: [host] })
      .filter((l) => l.scope === 'user')
      .map((l) => l.path);
  const linux: DiscoverOptions = { workspaceFolders: [], home: '/home/u', includeUser: true, platform: 'linux', env: {} };
  const darwin: DiscoverOptions = { ...linux, home: '/Users/u', platform: 'darwin' };
  const win32: DiscoverOptions = { ...linux, home: 'C:\\Users\\u', platform: 'win32', env: { APPDATA: 'D:\\Roaming', LOCALAPPDATA: 'D:\\Local' } };

  assert.deepEqual(paths(linux, 'claude-desktop'), ['/home/u/.config/Claude/claude_desktop_config.json']);
  assert.deepEqual(paths(darwin, 'claude-desktop'), ['/Users/u/Library/Application Support/Claude/claude_desktop_config.json']);
  assert.deepEqual(paths(win32, 'claude-desktop'), [
    'D:\\Roaming\\Claude\\claude_desktop_config.json',
    'D:\\Local\\Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude\\claude_desktop_config.json',
  ]);
  assert.deepEqual(paths(win32, 'cursor'), ['C:\\Users\\u\\.cursor\\mcp.json']);
  assert.deepEqual(paths(win32, 'windsurf'), ['C:\\Users\\u\\.codeium\\windsurf\\mcp_config.json', 'C:\\Users\\u\\.codeium\\windsurf-next\\mcp_config.json']);
  assert.deepEqual(paths(darwin, 'gemini-cli'), [
    '/Users/u/.gemini/settings.json',
    '/Library/Application Support/GeminiCli/settings.json',
    '/Library/Application Support/GeminiCli/system-defaults.json',
  ]);
  assert.deepEqual(paths(win32, 'claude-code'), ['C:\\Users\\u\\.claude.json']);

  const vscode = (opts: DiscoverOptions) => paths(opts, 'vscode').filter((p) => p.endsWith('mcp.json'));
  assert.deepEqual(vscode(linux), [
    '/home/u/.config/Code/User/mcp.json',
    '/home/u/.config/Code - Insiders/User/mcp.json',
    '/home/u/.config/Code - OSS/User/mcp.json',
    '/home/u/.config/VSCodium/User/mcp.json',
    '/home/u/.config/VSCodium - Insiders/User/mcp.json',
    '/home/u/.local/share/code-server/User/mcp.json',
    '/home/u/.vscode-server/data/User/mcp.json',
    '/home/u/.vscode-server-insiders/data/User/mcp.json',
  ]);
  assert.equal(vscode(darwin)[0], '/Users/u/Library/Application Support/Code/User/mcp.json');
  assert.equal(vscode(win32)[0], 'D:\\Roaming\\Code\\User\\mcp.json');
  // Without APPDATA, Windows falls back to the default under the home directory.
  assert.equal(vscode({ ...win32, env: {} })[0], 'C:\\Users\\u\\AppData\\Roaming\\Code\\User\\mcp.json');
});

test('environment and caller-given dirs move or add user-level files', () => {
  const base: DiscoverOptions = { workspaceFolders: [], home: '/home/u', includeUser: true, platform: 'linux' };
  const env = {
    XDG_CONFIG_HOME: '/xdg/config',
    XDG_DATA_HOME: '/xdg/data',
    CLAUDE_CONFIG_DIR: '/cfg/claude',
    VSCODE_PORTABLE: '/opt/vscode/data',
    GEMINI_CLI_SYSTEM_SETTINGS_PATH: '/srv/gemini/settings.json',
    // Relative XDG paths are ignored, as the XDG spec says.
    XDG_CACHE_HOME: 'relative',
  };
  const paths = configCandidates({ ...base, env, userDataDirs: ['/tmp/vscode-user-data'] }).map((l) => l.path);
  for (const p of [
    '/xdg/config/Code/User/mcp.json',
    '/xdg/config/Claude/claude_desktop_config.json',
    '/xdg/data/code-server/User/settings.json',
    '/home/u/.claude.json',
    '/cfg/claude/.claude.json',
    '/opt/vscode/data/user-data/User/mcp.json',
    '/tmp/vscode-user-data/User/mcp.json',
    '/tmp/vscode-user-data/User/settings.json',
    '/srv/gemini/settings.json',
    '/srv/gemini/system-defaults.json',
  ]) {
    assert.ok(paths.includes(p), p);
  }
  assert.ok(!paths.includes('/home/u/.config/Code/User/mcp.json'));
  // VSCODE_APPDATA replaces the app data root for VS Code only.
  const moved = configCandidates({ ...base, env: { VSCODE_APPDATA: '/va' }, hosts: ['vscode', 'claude-desktop'] }).map((l) => l.path);
  assert.ok(moved.includes('/va/Code/User/mcp.json'));
  assert.ok(moved.includes('/home/u/.config/Claude/claude_desktop_config.json'));
});

test('a workspace folder that is the home directory: shared files are listed once, as user files', () => {
  const found = configCandidates({ workspaceFolders: ['/home/u'], home: '/home/u', includeUser: true, platform: 'linux', env: {}, hosts: ['cursor', 'gemini-cli'] });
  assert.deepEqual(
    found.filter((l) => l.path.startsWith('/home/u/.')).map((l) => [l.host, l.scope, l.path]),
    [
      ['cursor', 'user', '/home/u/.cursor/mcp.json'],
      ['cursor', 'workspace', '/home/u/.cursor/rules/mcp.json'],
      ['gemini-cli', 'user', '/home/u/.gemini/settings.json'],
    ],
  );
});

test('configPatterns: the pattern-named files a watcher needs besides the candidates', () => {
  const pats = configPatterns({ workspaceFolders: ['/w'], home: '/home/u', includeUser: true, platform: 'linux', env: {}, userDataDirs: ['/ud'], hosts: ['vscode'] });
  assert.deepEqual(pats[0], { host: 'vscode', scope: 'workspace', base: '/w', glob: '*.code-workspace', workspaceFolder: '/w' });
  assert.deepEqual(
    pats.slice(1).map((p) => p.base),
    [
      '/home/u/.config/Code/User/profiles',
      '/home/u/.config/Code - Insiders/User/profiles',
      '/home/u/.config/Code - OSS/User/profiles',
      '/home/u/.config/VSCodium/User/profiles',
      '/home/u/.config/VSCodium - Insiders/User/profiles',
      '/home/u/.local/share/code-server/User/profiles',
      '/home/u/.vscode-server/data/User/profiles',
      '/home/u/.vscode-server-insiders/data/User/profiles',
      '/ud/User/profiles',
    ],
  );
  assert.deepEqual(configPatterns({ workspaceFolders: ['/w'], home: '/h', includeUser: false, hosts: ['cursor'] }), []);
});

test('discovery of a missing workspace folder or home finds nothing and does not reject', async (t) => {
  const root = tempDir(t);
  mkdirSync(path.join(root, 'empty'));
  const found = await discoverConfigFiles({ workspaceFolders: [path.join(root, 'gone')], home: path.join(root, 'empty'), includeUser: true, platform: 'linux', env: {} });
  // Only machine-wide files of this very machine could show up; none are under the temp root.
  assert.ok(found.every((l) => !l.path.startsWith(root)));
});
