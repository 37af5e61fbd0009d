import { promises as fsp } from 'node:fs';
import { readRegularText } from '../ports/regularFile';
import { dirname, join, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isInside } from './paths';

/** Folders a tree walk never enters: git's own data, and Python's byte-code cache (written by every run). */
const SKIPPED_DIRS = new Set(['.git', '__pycache__']);

/** The result of {@link walkTree}. Paths are absolute. */
export interface TreeWalk {
  /** Regular files (and symlinks to files) in the tree, not ignored, sorted. */
  files: string[];
  /** Every folder read (its mtime moves when an entry is added, removed or renamed). */
  dirs: string[];
  /** Why the walk stopped early (the tree is over its bound), or undefined when it is complete. */
  over?: string;
  /** Entries that could not be read or followed, with the reason. */
  problems: { path: string; why: string }[];
}

/** Bounds of a tree walk: files kept and directory entries looked at. */
export interface TreeBounds {
  maxFiles: number;
  maxEntries: number;
}

async function readIgnore(dir: string): Promise<Ignore | undefined> {
  try {
    const text = await readRegularText(join(dir, '.gitignore'));
    return ignore().add(text);
  } catch {
    return undefined;
  }
}

/**
 * Lists the files of the folder `root`, as git would see them: `.gitignore` files of `root`, of its folders, and
 * of the folders between `repoRoot` and `root` are honoured (matching by the `ignore` package, which follows the
 * gitignore(5) rules); `.git` and `__pycache__` folders are skipped; symlinked folders are not followed (named in
 * `problems`). The `.gitignore` files themselves are listed, so a new ignore rule is itself a change.
 * Stops at `bounds` and says so in `over`: the caller must treat the tree as not covered.
 */
export async function walkTree(root: string, repoRoot: string, bounds: TreeBounds): Promise<TreeWalk> {
  const out: TreeWalk = { files: [], dirs: [], problems: [] };
  const outer: { base: string; ig: Ignore }[] = [];
  if (isInside(repoRoot, root) && root !== repoRoot) {
    const chain: string[] = [];
    for (let d = dirname(root); isInside(repoRoot, d); d = dirname(d)) {
      chain.unshift(d);
      if (d === repoRoot || dirname(d) === d) break;
    }
    for (const d of chain) {
      const ig = await readIgnore(d);
      if (ig) outer.push({ base: d, ig });
    }
  }
  let entries = 0;
  const ignored = (rules: { base: string; ig: Ignore }[], abs: string, isDir: boolean) =>
    rules.some((r) => {
      const rel = relative(r.base, abs).split(sep).join('/');
      return rel !== '' && !rel.startsWith('..') && r.ig.ignores(isDir ? `${rel}/` : rel);
    });
  const walk = async (dir: string, rules: { base: string; ig: Ignore }[]): Promise<void> => {
    if (out.over) return;
    let list;
    try {
      list = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
      out.problems.push({ path: dir, why: (e as NodeJS.ErrnoException).code ?? 'unreadable' });
      return;
    }
    out.dirs.push(dir);
    const own = await readIgnore(dir);
    const here = own ? [...rules, { base: dir, ig: own }] : rules;
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of list) {
      if (++entries > bounds.maxEntries) {
        out.over = `more than ${bounds.maxEntries} entries`;
        return;
      }
      const abs = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        try {
          const st = await fsp.stat(abs);
          isFile = st.isFile();
          if (st.isDirectory()) {
            if (!ignored(here, abs, true)) out.problems.push({ path: abs, why: 'a symlinked folder is not followed' });
            continue;
          }
        } catch {
          isFile = true; // a dangling link: pinned as missing
        }
        isDir = false;
      }
      if (isDir) {
        if (SKIPPED_DIRS.has(ent.name) || ignored(here, abs, true)) continue;
        await walk(abs, here);
        if (out.over) return;
      } else if (isFile && !ignored(here, abs, false)) {
        if (out.files.length >= bounds.maxFiles) {
          out.over = `more than ${bounds.maxFiles} files`;
          return;
        }
        out.files.push(abs);
      }
    }
  };
  await walk(root, outer);
  out.files.sort();
  return out;
}
