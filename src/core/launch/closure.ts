import { readRegularText } from '../ports/regularFile';
import { basename, join, resolve } from 'node:path';
import { setNewest } from '../boundedMap';
import { parse as parseToml } from 'smol-toml';
import { canonicalJson, sha256Hex } from '../fingerprint/canonical';
import { defaultFileHashes, FileHashCache, hashedState } from './hash';
import { FsPass, UNSETTLED } from './pass';
import { traceNodeModules, type NodeTrace } from './node';
import { isInside } from './paths';
import { MANIFESTS, planClosure, type ClosureGap, type PackageShadow, type ResolvedLaunch } from './plan';
import { walkTree } from './tree';

export type { ClosureGap, GapReason, PackageShadow, ResolvedLaunch } from './plan';

/**
 * Bounds of one closure: files pinned, bytes hashed, and directory entries looked at while walking trees.
 * Over any of them the closure is incomplete (a gap), never silently cut.
 */
export const CLOSURE_LIMITS = { maxFiles: 5_000, maxBytes: 256 * 1024 * 1024, maxEntries: 50_000 } as const;

/** Bounds of a closure (see {@link CLOSURE_LIMITS}). */
export interface ClosureLimits {
  maxFiles: number;
  maxBytes: number;
  maxEntries: number;
}

/**
 * How a closure file is reached: `module` (a module the entry loads, or a script/file the launch names),
 * `manifest` (package-manager manifest or configuration), `tree` (a file of a pinned folder),
 * `package` (a workspace copy of a package a package runner would use).
 */
export type ClosureKind = 'module' | 'manifest' | 'tree' | 'package';

/** One pinned file of a closure. */
export interface ClosureFile {
  /** Absolute path (as reached; symlinks are followed when hashing). */
  path: string;
  kind: ClosureKind;
  /** SHA-256 (hex) of the whole file, or `null` when it does not exist. */
  sha256: string | null;
  size: number | null;
  /**
   * For manifests (`package.json`, `.npmrc`, TOML manifests): SHA-256 of each top-level key's value, so a diff
   * can name the key that changed (`scripts`, `registry`, `tool`, …).
   */
  keys?: Record<string, string>;
}

/** The code closure of a launch. */
export interface CodeClosure {
  /** Pinned files, sorted by path, without duplicates. */
  files: ClosureFile[];
  /** What the closure does not cover, and why. Non-empty means the pin is incomplete. */
  gaps: ClosureGap[];
  /** Workspace copies of packages that a package runner would run instead of the registry's. */
  shadows: PackageShadow[];
  /** The workspace folder passed to a registry package as data (not pinned as a tree). */
  dataFolders: { arg: string; runner: string }[];
}

/** A path and its state when something was computed from it (see {@link FsPass.state} and `FsPass.unchanged`). */
export interface Watched {
  path: string;
  /** `FsPass.state` when the closure was computed: `f:`/`d:` + stamp, `-` missing, `!CODE`, or `?` (unsettled). */
  state: string;
}

/**
 * Closures and file hashes kept between checks. A cached closure is reused when every file and folder it was
 * computed from has the same state — device, inode, size, mtime and ctime (for folders these move when an entry is
 * added, removed or renamed) — and had settled before it was computed (a change in the same clock tick could keep
 * every field; see `settledAt`); otherwise it is recomputed, re-reading only files whose identity moved.
 * Holds at most `maxClosures` closures (oldest dropped first).
 */
export class ClosureCache {
  readonly hashes: FileHashCache;
  private readonly closures = new Map<string, { closure: CodeClosure; watched: Watched[] }>();
  /** What each closure this cache computed was computed from, for as long as the closure is held anywhere. */
  private readonly watchedBy = new WeakMap<CodeClosure, readonly Watched[]>();
  /** Module traces by (entries, repo, cwd): launches that differ only in other arguments share one. */
  private readonly traces = new Map<string, { trace: NodeTrace; watched: Watched[] }>();

  /** @param hashes the file hash cache to use (default: the process-wide one). */
  constructor(private readonly maxClosures = 10_000, hashes: FileHashCache = defaultFileHashes) {
    this.hashes = hashes;
  }

  /** Number of closures held. */
  get size(): number {
    return this.closures.size;
  }

  /**
   * @internal the module trace of `entries`, from the cache when nothing it read moved; traced once per pass
   * for all launches that share it.
   */
  trace(entries: string[], repoRoot: string, cwd: string, pass: FsPass): Promise<NodeTrace> {
    const key = JSON.stringify([entries, repoRoot, cwd]);
    return pass.once(`trace\0${key}`, async () => {
      const hit = this.traces.get(key);
      if (hit && pass.unchanged(hit.watched)) return hit.trace;
      const trace = await traceNodeModules(entries, repoRoot, cwd, { pass, hashes: this.hashes });
      // States from the pass: taken before nft read each file, or unsettled when they moved during the trace.
      const watched = [...trace.files, ...trace.dirs].map((p) => ({ path: p, state: pass.state(p) }));
      setNewest(this.traces, key, { trace, watched }, this.maxClosures);
      return trace;
    });
  }

  /** @internal the cached closure of `key` when nothing it was computed from moved. */
  lookup(key: string, pass: FsPass): CodeClosure | undefined {
    const hit = this.closures.get(key);
    return hit && pass.unchanged(hit.watched) ? hit.closure : undefined;
  }

  /**
   * The paths and states a closure of this cache was computed from (while the closure is referenced, even after the
   * cache dropped it): it is still the closure of its launch while `FsPass.unchanged` holds for them. Undefined for a
   * closure this cache did not compute.
   */
  watchedOf(closure: CodeClosure): readonly Watched[] | undefined {
    return this.watchedBy.get(closure);
  }

  /** @internal */
  store(key: string, closure: CodeClosure, watched: Watched[]): void {
    this.watchedBy.set(closure, watched);
    setNewest(this.closures, key, { closure, watched }, this.maxClosures);
  }
}

/** The process-wide cache used when none is given. */
export const defaultClosureCache = new ClosureCache();

const MAX_KEYED_MANIFEST_BYTES = 1024 * 1024;

/**
 * Per-key hashes of a manifest's top-level keys (JSON, TOML, `.npmrc` ini lines); undefined when not parsable.
 * Read once per pass.
 */
function manifestKeys(path: string, pass: FsPass): Promise<Record<string, string> | undefined> {
  return pass.once(`keys\0${path}`, () => readManifestKeys(path, pass));
}

async function readManifestKeys(path: string, pass: FsPass): Promise<Record<string, string> | undefined> {
  const name = basename(path);
  let text: string;
  try {
    const st = pass.stat(path);
    if (!st?.isFile() || st.size > MAX_KEYED_MANIFEST_BYTES) return undefined;
    text = await readRegularText(path);
  } catch {
    return undefined;
  }
  try {
    let obj: Record<string, unknown> | undefined;
    if (name.endsWith('.json')) obj = JSON.parse(text) as Record<string, unknown>;
    else if (name.endsWith('.toml')) obj = parseToml(text) as Record<string, unknown>;
    else if (name === '.npmrc') {
      obj = {};
      for (const line of text.split(/\r?\n/)) {
        const m = /^\s*([^#;=\s][^=]*?)\s*=\s*(.*)$/.exec(line);
        if (m) obj[m[1]] = m[2];
      }
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
    const keys: Record<string, string> = {};
    for (const [k, v] of Object.entries(obj)) keys[k] = sha256Hex(canonicalJson(v instanceof Date ? v.toISOString() : v));
    return keys;
  } catch {
    return undefined;
  }
}

/** Options of {@link computeClosure}. */
export interface ClosureOptions {
  cache?: ClosureCache;
  limits?: ClosureLimits;
  /**
   * The pass this closure belongs to (a scan pass shares one across its servers: each path is stat'ed once, a
   * trace or a hash shared by several launches is done once). Default: a pass of its own.
   */
  pass?: FsPass;
}

/**
 * The code closure of a resolved stdio launch: the files that decide what runs, each pinned by the SHA-256 of
 * its whole content (streamed), plus the gaps it cannot cover.
 * - Node (`node`, `tsx`, `bun`, `deno`, a `.js`/`.ts` command, `-r`/`--import` preloads, `NODE_OPTIONS`):
 *   the module graph traced by `@vercel/nft`, inside the repo, with the `package.json` files on the way;
 * - package managers (`npm run`, `pnpm`, `yarn`, `npx`, `pnpm dlx`, `bunx`, `uv`, `uvx`, `go run`,
 *   `cargo run`): the manifests and configuration of {@link MANIFESTS} in the working folder, the workspace folder
 *   and the repo root (missing ones pinned as missing), the script a `run` names (followed), and any workspace
 *   copy of a package a runner would use instead of the registry's (also listed in `shadows`);
 * - Python and runtimes no tracer follows: the tree of the package folder (see `walkTree`);
 * - folder arguments and container bind mounts (`docker run -v src:dst`, `--mount`): their trees.
 * Only files inside `launch.repoRoot` are pinned. Results are cached in `opts.cache` (see {@link ClosureCache}).
 * Never throws: an unreadable file is pinned as missing and named in a gap.
 */
export async function computeClosure(launch: ResolvedLaunch, opts: ClosureOptions = {}): Promise<CodeClosure> {
  const cache = opts.cache ?? defaultClosureCache;
  const limits = opts.limits ?? CLOSURE_LIMITS;
  const key = closureKey(launch, limits);
  const pass = opts.pass ?? new FsPass();
  return pass.once(`closure\0${key}`, () => computeUncached(launch, key, cache, limits, pass));
}

/**
 * The cache key of a launch's closure: every field of the launch and the limits, as one JSON array (environment
 * entries sorted by name, so the order they were written in does not matter). Computed for every stdio server of
 * every scan; `JSON.stringify` of strings is injective, so two keys are equal only for equal launches.
 */
function closureKey(launch: ResolvedLaunch, limits: ClosureLimits): string {
  const env = launch.env ? Object.entries(launch.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  return JSON.stringify([launch.command, launch.args, launch.cwd, env, launch.workspaceFolder ?? null, launch.repoRoot, limits.maxFiles, limits.maxBytes, limits.maxEntries]);
}

async function computeUncached(launch: ResolvedLaunch, key: string, cache: ClosureCache, limits: ClosureLimits, pass: FsPass): Promise<CodeClosure> {
  const hit = cache.lookup(key, pass);
  if (hit) return hit;

  const plan = await planClosure(launch, pass);
  const gaps = [...plan.gaps];
  const kinds = new Map<string, ClosureKind>();
  const watchedDirs = new Set<string>([launch.cwd]);
  const add = (p: string, k: ClosureKind) => {
    if (isInside(launch.repoRoot, p) && !kinds.has(p)) kinds.set(p, k);
  };
  for (const [p, k] of plan.files) add(p, k);
  for (const [dir, ecos] of plan.manifestDirs) for (const eco of ecos) for (const m of MANIFESTS[eco]) add(join(dir, m), 'manifest');
  for (const a of launch.args) {
    const abs = resolve(launch.cwd, a);
    if (isInside(launch.repoRoot, abs)) watchedDirs.add(abs);
  }

  if (plan.nodeEntries.size) {
    try {
      const t = await cache.trace([...plan.nodeEntries].sort(), launch.repoRoot, launch.cwd, pass);
      for (const f of t.files) add(f, 'module');
      for (const d of t.dirs) watchedDirs.add(d);
    } catch (e) {
      gaps.push({ subject: [...plan.nodeEntries].join(', '), reason: 'unreadable', detail: `the module graph could not be traced: ${(e as Error).message.split('\n')[0]}` });
    }
  }
  let entriesLeft = limits.maxEntries;
  for (const [root, why] of plan.trees) {
    const w = await walkTree(root, launch.repoRoot, { maxFiles: limits.maxFiles, maxEntries: Math.max(0, entriesLeft) });
    for (const f of w.files) add(f, 'tree');
    for (const d of w.dirs) watchedDirs.add(d);
    entriesLeft -= w.dirs.length + w.files.length;
    if (w.over) gaps.push({ subject: root, reason: 'over-bound', detail: `the folder (${why}) has ${w.over}; it is not pinned beyond that` });
    for (const p of w.problems) gaps.push({ subject: p.path, reason: p.why.includes('symlink') ? 'untraceable' : 'unreadable', detail: p.why });
  }

  const paths = [...kinds.keys()].sort();
  if (paths.length > limits.maxFiles) {
    gaps.push({ subject: `${paths.length - limits.maxFiles} files after ${paths[limits.maxFiles - 1]}`, reason: 'over-bound', detail: `the closure has ${paths.length} files, over its bound of ${limits.maxFiles}` });
    paths.length = limits.maxFiles;
  }
  const files: ClosureFile[] = new Array(paths.length);
  const states: string[] = new Array(paths.length).fill('-');
  let bytes = 0;
  let overBytes: string | undefined;
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const i = next++;
      const path = paths[i];
      const kind = kinds.get(path) as ClosureKind;
      try {
        const h = await cache.hashes.hash(path, pass);
        bytes += h.size;
        if (bytes > limits.maxBytes && !overBytes) overBytes = path;
        files[i] = { path, kind, sha256: h.sha256, size: h.size };
        states[i] = hashedState(h) ?? UNSETTLED;
        if (kind === 'manifest') {
          const keys = await manifestKeys(path, pass);
          if (keys) files[i].keys = keys;
        }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        files[i] = { path, kind, sha256: null, size: null };
        if (code !== 'ENOENT' && code !== 'ENOTDIR') gaps.push({ subject: path, reason: 'unreadable', detail: `it cannot be read (${code ?? (e as Error).message})` });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, paths.length) }, worker));
  if (overBytes) gaps.push({ subject: overBytes, reason: 'over-bound', detail: `the closure holds more than ${limits.maxBytes} bytes` });
  gaps.sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));

  const closure: CodeClosure = { files, gaps, shadows: plan.shadows, dataFolders: plan.dataFolders };
  const watched: Watched[] = [];
  // A file's state is the identity it had when hashed: an edit made meanwhile invalidates the entry.
  files.forEach((f, i) => watched.push({ path: f.path, state: f.sha256 === null ? pass.state(f.path) : states[i] }));
  for (const d of watchedDirs) watched.push({ path: d, state: pass.state(d) });
  cache.store(key, closure, watched);
  return closure;
}
