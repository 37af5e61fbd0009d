import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/** Whether the absolute path `p` is `root` or lies below it (no `..` escape). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The enclosing repository of a folder: the nearest folder at or above `folder` that holds a `.git` entry (a
 * folder, or a file for worktrees and submodules), searched below `stopAt` when given (a home folder that is itself a repository is never taken); else `folder`.
 * Synchronous: a handful of `existsSync` calls, cached by the caller.
 */
export function repoRootOf(folder: string, stopAt?: string): string {
  for (let d = folder; ; d = dirname(d)) {
    if (d === stopAt && d !== folder) return folder;
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return folder;
  }
}

/** `abs` shown relative to `base` with `/` separators (`../x` outside it); `abs` itself when on another drive. */
export function displayRef(base: string | undefined, abs: string): string {
  if (!base) return abs;
  const rel = relative(base, abs);
  return isAbsolute(rel) ? abs : rel.split(sep).join('/') || '.';
}
