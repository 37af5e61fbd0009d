/**
 * Which binary a bare command name runs, looked up so that no repository decides it: `PATH` without relative
 * entries and without entries inside a workspace folder or a git working tree. The one lookup for the approval
 * (the pin records the absolute path it finds, see `pinCommand`) and for the guard proxy (which refuses a launch
 * whose lookup finds another path, and spawns exactly the approved one).
 */
import { accessSync, constants as fsConstants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(real(parent), p.slice(parent.length).replace(/^[\\/]+/, ''));
  }
}

/** Whether `p` is `dir` or inside it, both made real first (symlinks resolved; a missing tail kept as written). */
export function isInsideReal(p: string, dir: string): boolean {
  const r = relative(real(dir), real(p));
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * The root of the git working tree `p` is in (the nearest ancestor with a `.git`), unless that root is `home`
 * or one of its ancestors (a dotfiles repository is the user's own, not a workspace).
 */
export function gitWorkTree(p: string, home: string): string | undefined {
  let dir = real(p);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return isInsideReal(home, dir) ? undefined : dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Whether `command` is a bare name that a spawn looks up on `PATH` (no path separator). */
export function isBareCommand(command: string, platform: NodeJS.Platform = process.platform): boolean {
  return !command.includes('/') && !(platform === 'win32' && command.includes('\\'));
}

/**
 * Resolves a bare command name as `execvp` would, on the `PATH` of `env` (`Path` on Windows) with relative
 * entries, entries inside an `exclude` folder and entries inside a git working tree (see {@link gitWorkTree})
 * skipped; on Windows the `PATHEXT` extensions are tried. A command with a path is returned resolved against
 * `cwd`. Synchronous: one `stat`/`access` per candidate and a walk up from each `PATH` entry. Never throws.
 * @returns the absolute path, or `{error}` (one sentence, naming skipped entries) when nothing executable is found.
 */
export function resolveCommand(command: string, env: NodeJS.ProcessEnv, cwd: string, exclude: readonly string[], home: string): { path: string } | { error: string } {
  if (!isBareCommand(command)) return { path: resolve(cwd, command) };
  const exts = process.platform === 'win32' ? ['', ...(env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)] : [''];
  const skipped: string[] = [];
  for (const dir of (env.PATH ?? env.Path ?? '').split(delimiter)) {
    if (!dir) continue;
    if (!isAbsolute(dir) || exclude.some((w) => isInsideReal(dir, w)) || gitWorkTree(dir, home)) {
      skipped.push(dir);
      continue;
    }
    for (const ext of exts) {
      const p = join(dir, command + ext);
      try {
        if (!statSync(p).isFile()) continue;
        accessSync(p, fsConstants.X_OK);
        return { path: p };
      } catch {
        // not here
      }
    }
  }
  const why = skipped.length ? ` (PATH entries skipped because a repository controls them: ${skipped.slice(0, 3).join(', ')})` : '';
  return { error: `${JSON.stringify(command)} was not found on PATH${why}` };
}
