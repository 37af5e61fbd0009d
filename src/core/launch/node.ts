import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { settledAt } from '../ports';
import { readRegularSync, readRegularText } from '../ports/regularFile';
import { identityOf, type FileHashCache } from './hash';
import { FsPass } from './pass';
import { isInside } from './paths';

/** The result of {@link traceNodeModules}. Paths are absolute. */
export interface NodeTrace {
  /** Every file the entries load (modules, `package.json` files on the way, assets it can compute), in the repo. */
  files: string[];
  /** Folders holding those files (a new file there may change how a specifier resolves). */
  dirs: string[];
}

/** How a trace reads the file system: through a pass (each stat/readlink once) and into a hash cache. */
export interface TraceIo {
  pass: FsPass;
  /** Receives the hash of every module the tracer reads, so pinning it needs no second read. */
  hashes?: FileHashCache;
}

/**
 * Traces the module graph of Node entry scripts with `@vercel/nft` (static analysis of `require`, `import`,
 * `import()` with static specifiers, `package.json` `main`/`exports`/`imports`, and computable `fs` reads),
 * keeping what lies inside `repoRoot` (nft's `base`: files outside it are neither listed nor followed).
 * TypeScript entries are traced too (`ts`), as `tsx`, `ts-node`, `bun` and `deno` run them. Every analysis nft
 * does by default is kept (`emitGlobs`, `computeFileReferences`, `evaluatePureExpressions`): each one finds files
 * that decide what runs. nft's `stat`, `readlink` and `readFile` go through `io.pass` (asked once per pass, shared
 * with the closure's own lookups), and each module read is hashed into `io.hashes` from the same bytes.
 *
 * @param entries absolute paths of the entry scripts (and preloads: `-r`, `--import`).
 * @param cwd the launch's working directory (`process.cwd()` for computed paths).
 * @throws whatever nft throws for an unreadable entry, and `ENOTFILE` when a path the trace looked at in the repository
 *   is neither a file nor a folder (a FIFO, a socket, a device); the caller reports it as not covered.
 */
export async function traceNodeModules(entries: readonly string[], repoRoot: string, cwd: string, io: TraceIo = { pass: new FsPass() }): Promise<NodeTrace> {
  // Loaded on first use: the tracer and its dependencies cost start-up time a launch without Node code never needs.
  const { nodeFileTrace } = await import('@vercel/nft');
  const { pass, hashes } = io;
  const fail = (code: string, what: string, p: string) => Object.assign(new Error(`${code}: ${what} ${p}`), { code });
  const special: string[] = [];
  const r = await nodeFileTrace([...entries], {
    base: repoRoot,
    processCwd: cwd,
    ts: true,
    mixedModules: true,
    // The hooks answer as nft's own file system does: null for a missing file (and a folder read as a file).
    stat: async (p: string) => {
      const s = pass.statOf(p);
      if (s === 'ENOENT') return null;
      if (typeof s === 'string') throw fail(s, 'stat', p);
      // Node loads anything that is not a folder as a file: a FIFO or device in the repository would feed it code
      // the pin cannot hold (and a read that never ends). nft is told it is missing; the trace then fails, naming it.
      if (!s.isFile() && !s.isDirectory() && isInside(repoRoot, p)) {
        special.push(p);
        return null;
      }
      return s;
    },
    readlink: async (p: string) => pass.readlink(p),
    readFile: async (p: string) => {
      const s = pass.statOf(p);
      if (s === 'ENOENT' || (typeof s !== 'string' && s.isDirectory())) return null;
      let bytes: Buffer;
      try {
        bytes = readRegularSync(p);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EISDIR') return null;
        throw e;
      }
      // The stat came before the read: the pair is safe to cache (see FileHashCache).
      if (hashes && typeof s !== 'string' && s.isFile()) hashes.remember(p, identityOf(s), createHash('sha256').update(bytes).digest('hex'), settledAt(s, pass.since), pass.state(p));
      return bytes;
    },
  });
  if (special.length) throw fail('ENOTFILE', 'not a regular file:', [...new Set(special)].sort().join(', '));
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

/**
 * The file Node runs for a main-module path (CommonJS LOAD_AS_FILE then LOAD_AS_DIRECTORY, nodejs.org/api/modules
 * "All together"): `p`, `p` plus an extension, `p/package.json` `main` (with extensions), `p/index.*`, looked up
 * through `pass` (default: a fresh one).
 * @returns the absolute file, or undefined when none exists.
 */
export async function resolveNodeMain(p: string, pass: FsPass = new FsPass()): Promise<string | undefined> {
  const isFile = (f: string) => pass.isFile(f);
  for (const ext of NODE_EXTENSIONS) if (isFile(p + ext)) return p + ext;
  try {
    const pkg = JSON.parse(await readRegularText(join(p, 'package.json'))) as { main?: unknown };
    if (typeof pkg.main === 'string' && pkg.main) {
      const m = resolve(p, pkg.main);
      for (const ext of NODE_EXTENSIONS) if (isFile(m + ext)) return m + ext;
      for (const ext of NODE_EXTENSIONS.slice(1)) if (isFile(join(m, 'index' + ext))) return join(m, 'index' + ext);
    }
  } catch {
    // no package.json, or not JSON: index files below
  }
  for (const ext of NODE_EXTENSIONS.slice(1)) if (isFile(join(p, 'index' + ext))) return join(p, 'index' + ext);
  return undefined;
}

/**
 * The files a package's `bin` names (`"bin": "x.js"` or `{"name": "x.js"}`), absolute, existing only.
 * @param pkgDir the package folder (holding `package.json`).
 * @param pass the pass whose stats answer (default: a fresh one).
 */
export async function packageBins(pkgDir: string, pass: FsPass = new FsPass()): Promise<{ names: string[]; files: string[] }> {
  const isFile = (f: string) => pass.isFile(f);
  try {
    const pkg = JSON.parse(await readRegularText(join(pkgDir, 'package.json'))) as { name?: unknown; bin?: unknown; main?: unknown };
    const bins: [string, string][] = [];
    const base = typeof pkg.name === 'string' ? pkg.name.replace(/^@[^/]+\//, '') : '';
    if (typeof pkg.bin === 'string') bins.push([base, pkg.bin]);
    else if (pkg.bin && typeof pkg.bin === 'object') for (const [k, v] of Object.entries(pkg.bin)) if (typeof v === 'string') bins.push([k, v]);
    const files: string[] = [];
    for (const [, f] of bins) {
      const abs = resolve(pkgDir, f);
      if (isInside(pkgDir, abs) && isFile(abs)) files.push(abs);
    }
    if (!files.length) {
      const main = await resolveNodeMain(pkgDir, pass);
      if (main) files.push(main);
    }
    return { names: bins.map(([n]) => n).filter(Boolean), files };
  } catch {
    return { names: [], files: [] };
  }
}
