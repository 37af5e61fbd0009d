import path from 'node:path';

/** The three OS families whose config layouts differ. Every other `NodeJS.Platform` is treated as `linux`. */
export type OsFamily = 'linux' | 'darwin' | 'win32';

/** Maps a Node platform name to the {@link OsFamily} whose directory layout it uses (XDG for the BSDs too). */
export function osFamily(platform: NodeJS.Platform): OsFamily {
  return platform === 'darwin' || platform === 'win32' ? platform : 'linux';
}

/**
 * The per-user and per-machine directories that MCP hosts keep their config in, computed for a given OS and
 * environment (not necessarily the running one, so tests can lay out a Windows home on Linux).
 */
export interface PlatformDirs {
  os: OsFamily;
  /** `path.win32` on Windows, `path.posix` elsewhere: joins with the OS's own separator. */
  path: path.PlatformPath;
  home: string;
  /**
   * Where Electron apps keep their data: `%APPDATA%` (Windows), `~/Library/Application Support` (macOS),
   * `$XDG_CONFIG_HOME` or `~/.config` (Linux). VS Code and Claude Desktop live under it.
   */
  appData: string;
  /** `%LOCALAPPDATA%` on Windows (else `undefined`): Microsoft Store apps redirect their data below it. */
  localAppData?: string;
  /** `$XDG_DATA_HOME` or `~/.local/share` (Linux, macOS): code-server's data directory lives under it. */
  xdgData?: string;
  /** The environment the directories were computed from (only the variables a host reads are consulted). */
  env: Record<string, string | undefined>;
}

/** A non-empty, absolute environment value, or `undefined` (hosts ignore relative XDG paths, per the spec). */
function absEnv(p: path.PlatformPath, value: string | undefined): string | undefined {
  return value && p.isAbsolute(value) ? value : undefined;
}

/**
 * Computes {@link PlatformDirs} the way the hosts do: Electron's / VS Code's app data path (`%APPDATA%`,
 * `~/Library/Application Support`, `$XDG_CONFIG_HOME` or `~/.config`) and the XDG Base Directory spec for data. Missing Windows variables fall back to their defaults below `home`.
 *
 * @param home the user's home directory (absolute, in the target OS's syntax).
 * @param platform the target OS (default: the running one).
 * @param env the environment to read `APPDATA`, `LOCALAPPDATA`, `XDG_CONFIG_HOME` and `XDG_DATA_HOME` from;
 *   it is kept in the result for the host-specific variables (`VSCODE_APPDATA`, `CLAUDE_CONFIG_DIR`, …).
 */
export function platformDirs(home: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): PlatformDirs {
  const os = osFamily(platform);
  const p = os === 'win32' ? path.win32 : path.posix;
  const base = { os, path: p, home, env };
  if (os === 'win32') {
    return {
      ...base,
      appData: absEnv(p, env.APPDATA) ?? p.join(home, 'AppData', 'Roaming'),
      localAppData: absEnv(p, env.LOCALAPPDATA) ?? p.join(home, 'AppData', 'Local'),
    };
  }
  const xdgData = absEnv(p, env.XDG_DATA_HOME) ?? p.join(home, '.local', 'share');
  if (os === 'darwin') {
    return { ...base, appData: p.join(home, 'Library', 'Application Support'), xdgData };
  }
  return { ...base, appData: absEnv(p, env.XDG_CONFIG_HOME) ?? p.join(home, '.config'), xdgData };
}

/**
 * The per-user directory for executables that the guard installs its launcher into: `$XDG_BIN_HOME` when it is set
 * and absolute, else `~/.local/bin` — the XDG Base Directory specification's place for user executables, which uv
 * and pipx use on every OS (`%USERPROFILE%\.local\bin` on Windows). Only the user's own environment is read (the
 * extension host's), never a workspace's.
 *
 * @param home the user's home directory (absolute, in the target OS's syntax).
 * @param platform the target OS (default: the running one).
 */
export function userBinDir(home: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): string {
  const p = osFamily(platform) === 'win32' ? path.win32 : path.posix;
  return absEnv(p, env.XDG_BIN_HOME) ?? p.join(home, '.local', 'bin');
}

/**
 * Whether `dir` is an entry of a `PATH` value (`env.PATH`, or `Path` on Windows, where names are case-blind;
 * entries compared after normalizing, case-blind on Windows).
 */
export function onPath(dir: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): boolean {
  const win = osFamily(platform) === 'win32';
  const p = win ? path.win32 : path.posix;
  const value = win ? Object.entries(env).find(([k]) => k.toUpperCase() === 'PATH')?.[1] : env.PATH;
  const norm = (s: string) => {
    const n = p.normalize(s).replace(/[\\/]+$/, '');
    return win ? n.toLowerCase() : n;
  };
  return (value ?? '').split(p.delimiter).some((e) => e !== '' && p.isAbsolute(e) && norm(e) === norm(dir));
}
