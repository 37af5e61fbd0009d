import { promises as fsp } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isInside } from './paths';

/** The result of {@link traceNodeModules}. Paths are absolute. */
export interface NodeTrace {
  /** Every file the entries load (modules, `package.json` files on the way, assets it can compute), in the repo. */
  files: string[];
  /** Folders holding those files (a new file there may change how a specifier resolves). */
  dirs: string[];
}

/**
 * Traces the module graph of Node entry scripts with `@vercel/nft` (static analysis of `require`, `import`,
 * `import()` with static specifiers, `package.json` `main`/`exports`/`imports`, and computable `fs` reads),
 * keeping what lies inside `repoRoot` (nft's `base`: files outside it are neither listed nor followed).
 * TypeScript entries are traced too (`ts`), as `tsx`, `ts-node`, `bun` and `deno` run them.
 *
 * @param entries absolute paths of the entry scripts (and preloads: `-r`, `--import`).
 * @param cwd the launch's working directory (`process.cwd()` for computed paths).
 * @param cache an nft cache object shared across traces (file contents and analyses), or undefined.
 * @throws whatever nft throws for an unreadable entry; the caller reports it as not covered.
 */
export async function traceNodeModules(entries: readonly string[], repoRoot: string, cwd: string, cache?: object): Promise<NodeTrace> {
  // Loaded on first use: the tracer and its dependencies cost start-up time a launch without Node code never needs.
  const { nodeFileTrace } = await import('@vercel/nft');
  const r = await nodeFileTrace([...entries], { base: repoRoot, processCwd: cwd, ts: true, cache, mixedModules: true });
  const files = new Set<string>();
  for (const rel of r.fileList) {
    const abs = resolve(repoRoot, rel);
    if (isInside(repoRoot, abs)) files.add(abs);
  }
  const dirs = new Set<string>();
  for (const f of files) for (let d = dirname(f); isInside(repoRoot, d) && !dirs.has(d); d = dirname(d)) dirs.add(d);
  return { files: [...files].sort(), dirs: [...dirs].sort() };
}

/** Extensions Node (and the TypeScript runners) try for a specifier without one, in order. */
const NODE_EXTENSIONS = ['', '.js', '.cjs', '.mjs', '.json', '.node', '.ts', '.mts', '.cts'];

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * The file Node runs for a main-module path (CommonJS LOAD_AS_FILE then LOAD_AS_DIRECTORY, nodejs.org/api/modules
 * "All together"): `p`, `p` plus an extension, `p/package.json` `main` (with extensions), `p/index.*`.
 * @returns the absolute file, or undefined when none exists.
 */
export async function resolveNodeMain(p: string): Promise<string | undefined> {
  for (const ext of NODE_EXTENSIONS) if (await isFile(p + ext)) return p + ext;
  try {
    const pkg = JSON.parse(await fsp.readFile(join(p, 'package.json'), 'utf8')) as { main?: unknown };
    if (typeof pkg.main === 'string' && pkg.main) {
      const m = resolve(p, pkg.main);
      for (const ext of NODE_EXTENSIONS) if (await isFile(m + ext)) return m + ext;
      for (const ext of NODE_EXTENSIONS.slice(1)) if (await isFile(join(m, 'index' + ext))) return join(m, 'index' + ext);
    }
  } catch {
    // no package.json, or not JSON: index files below
  }
  for (const ext of NODE_EXTENSIONS.slice(1)) if (await isFile(join(p, 'index' + ext))) return join(p, 'index' + ext);
  return undefined;
}

/**
 * The files a package's `bin` names (`"bin": "x.js"` or `{"name": "x.js"}`), absolute, existing only.
 * @param pkgDir the package folder (holding `package.json`).
 */
export async function packageBins(pkgDir: string): Promise<{ names: string[]; files: string[] }> {
  try {
    const pkg = JSON.parse(await fsp.readFile(join(pkgDir, 'package.json'), 'utf8')) as { name?: unknown; bin?: unknown; main?: unknown };
    const bins: [string, string][] = [];
    const base = typeof pkg.name === 'string' ? pkg.name.replace(/^@[^/]+\//, '') : '';
    if (typeof pkg.bin === 'string') bins.push([base, pkg.bin]);
    else if (pkg.bin && typeof pkg.bin === 'object') for (const [k, v] of Object.entries(pkg.bin)) if (typeof v === 'string') bins.push([k, v]);
    const files: string[] = [];
    for (const [, f] of bins) {
      const abs = resolve(pkgDir, f);
      if (isInside(pkgDir, abs) && (await isFile(abs))) files.push(abs);
    }
    if (!files.length) {
      const main = await resolveNodeMain(pkgDir);
      if (main) files.push(main);
    }
    return { names: bins.map(([n]) => n).filter(Boolean), files };
  } catch {
    return { names: [], files: [] };
  }
}
