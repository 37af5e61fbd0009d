import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

/** A `.` or `..` segment, or an empty one (`a//b`): what `path.relative` would normalize away. */
const UNNORMAL_SEGMENT = /(?:^|[\\/])\.{1,2}(?:[\\/]|$)|[\\/]{2}/;

/** Whether the absolute path `p` is `root` or lies below it (no `..` escape). */
export function isInside(root: string, p: string): boolean {
  // `p` is `root`, or `root` + separator + a remainder that normalization leaves as it is: inside, as
  // `relative` would say (a scan asks this several times per server). Anything else is left to `relative`.
  if (root && p.startsWith(root)) {
    const rest = p.length === root.length ? '' : root.endsWith(sep) ? p.slice(root.length) : p[root.length] === sep ? p.slice(root.length + 1) : undefined;
    if (rest !== undefined && !UNNORMAL_SEGMENT.test(rest)) return true;
  }
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
