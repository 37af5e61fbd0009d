import { isAbsolute, relative, resolve, sep } from 'node:path';
import { isGuarded } from '../edit/guard';
import { computeClosure, type ClosureCache, type ClosureFile, type CodeClosure } from '../launch/closure';
import { displayRef, isInside as isInsideRoot, repoRootOf } from '../launch/paths';
import type { FsPass } from '../launch/pass';
import type { ResolvedLaunch } from '../launch/plan';
import type { FileSystemPort } from '../ports';
import { variableFormsOf } from '../hosts';
import { resolveVariables, type UnresolvedVariable } from '../launch/variables';
import type { Finding, ReferencedFile, ServerSpec } from '../types';
import { sha256Hex } from './canonical';

/**
 * SHA-256 of every byte of a file, streamed when the port can (`hashFile`); otherwise read through `readFile`
 * with a 1 GiB cap, over which it throws (`EFBIG`) rather than pin a prefix.
 */
async function hashWholeFile(fs: FileSystemPort, path: string): Promise<{ sha256: string; size: number }> {
  if (fs.hashFile) return fs.hashFile(path);
  const cap = 1024 * 1024 * 1024;
  const bytes = await fs.readFile(path, cap);
  if (bytes.length > cap) throw Object.assign(new Error(`${path} is over ${cap} bytes`), { code: 'EFBIG' });
  return { sha256: sha256Hex(bytes), size: bytes.length };
}

/** Where the variables of a launch spec point, for finding referenced files only (specs are pinned as written). */
export interface VariableContext {
  /** Absolute path that `${workspaceFolder}` stands for. */
  workspaceFolder?: string;
  /** Absolute path that `${userHome}` and a leading `~/` stand for. */
  home: string;
}

/** A path the launch may read that could not be followed, because a variable in it cannot be resolved here. */
export interface ReferenceGap {
  /** Which part of the spec names it. */
  via: ReferencedFile['via'];
  /** The value as written. */
  ref: string;
  /** The first variable that could not be resolved, and why. */
  variable: UnresolvedVariable;
}

/**
 * Resolves a path-like value of `spec` with the host's variable forms (the one resolver), plus a leading `~/`
 * (a path convention every runtime's shell-less spawn keeps literal, but that a user writes meaning home; it is
 * pinned either way). The host's environment is unknown here, so environment variables are unresolved.
 */
function resolvePath(value: string, spec: ServerSpec, ctx: VariableContext) {
  return resolveVariables(value, [...variableFormsOf(spec.host, spec.configFile), 'tilde'], { workspaceFolder: ctx.workspaceFolder, home: ctx.home, configFile: spec.configFile });
}

const SCRIPT_EXT = /\.(?:[cm]?[jt]s|py|pyw|sh|bash|zsh|ps1|psm1|bat|cmd|rb|pl|php|lua|jar|exe|dll|so|dylib|wasm|json|ya?ml|toml|env|mjs)$/i;

/** Whether an argument looks like a file path worth pinning (has a separator, starts with `.`, or has a script extension). */
function looksLikePath(s: string): boolean {
  if (!s || s.length > 4096 || /^[a-z][a-z0-9+.-]*:\/\//i.test(s)) return false;
  return s.includes('/') || s.includes('\\') || s.startsWith('.') || SCRIPT_EXT.test(s);
}

/** Candidate path strings in one argument: the argument itself, or the value of `--flag=value` (a bare flag has none). */
function candidatesOf(arg: string): string[] {
  if (!arg.startsWith('-')) return [arg];
  const eq = arg.indexOf('=');
  return eq > 0 ? [arg.slice(eq + 1)] : [];
}

/** Runtimes that find a script from a bare argument: Node-style (`node server` runs `server.js`) and Python. */
const NODE_RUNTIME = /^(?:node|nodejs|bun|tsx|ts-node)$/;
const PYTHON_RUNTIME = /^(?:python[0-9.]*|pythonw|py|pypy[0-9.]*)$/;

/** What Node's main-module lookup appends to an argument (see {@link implicitScripts}). */
const NODE_IMPLICIT = ['.js', '.cjs', '.mjs', '.json', '.node', '/index.js', '/package.json'];
const PYTHON_IMPLICIT = '/__main__.py';
/** Every suffix {@link implicitScripts} appends to an argument (none holds `$`, `{` or `}`). */
const IMPLICIT_SUFFIXES = [...NODE_IMPLICIT, PYTHON_IMPLICIT];

/**
 * The files a runtime may run for one argument without it naming them (Node's CommonJS main-module lookup:
 * `X`, `X.js`, `X.json`, `X.node`, `X/package.json` + `X/index.js`, plus `.cjs`/`.mjs`; Python: `X`,
 * `X/__main__.py`; `python -m a.b`: `a/b.py`, `a/b/__main__.py`, `a/b/__init__.py`). Pinned when they exist.
 */
function implicitScripts(command: string | undefined, args: readonly string[]): string[] {
  const runtime = (command ?? '').split(/[\\/]/).pop()?.replace(/\.exe$/i, '').toLowerCase() ?? '';
  const out: string[] = [];
  if (NODE_RUNTIME.test(runtime)) {
    for (const a of args) {
      if (a.startsWith('-') || !a || a.length > 4096) continue;
      out.push(a, ...NODE_IMPLICIT.map((x) => a + x));
    }
  } else if (PYTHON_RUNTIME.test(runtime)) {
    args.forEach((a, i) => {
      if (args[i - 1] === '-m' && /^[\w.]+$/.test(a)) {
        const m = a.replace(/\./g, '/');
        out.push(`${m}.py`, `${m}/__main__.py`, `${m}/__init__.py`);
      } else if (!a.startsWith('-') && a && a.length <= 4096) out.push(a, `${a}/__main__.py`);
    });
  }
  return out;
}

/** Options of {@link findReferencedFiles}. */
export interface ReferenceOptions extends VariableContext {
  fs: FileSystemPort;
  /**
   * Workspace roots: a command or argument is pinned only when it resolves (as written or through symlinks)
   * into one of them, or into the repository that encloses one. Default: the spec's `workspaceFolder`.
   */
  roots?: string[];
  /** Receives every path that could not be followed because of an unresolved variable (see {@link ReferenceGap}). */
  gaps?: ReferenceGap[];
  /** Receives every referenced file that exists but cannot be read (`EACCES`, …), with the error code. */
  unreadable?: { ref: string; why: string }[];
}

/**
 * Finds the workspace files a launch spec points at and hashes them, so that editing `./server.js` behind
 * `node ./server.js` changes the pin:
 * - `command` and every element of `args` (and the value of `--flag=value`) that looks like a path, resolved
 *   against `cwd` (itself resolved against the workspace folder) and pinned when it lies inside a root —
 *   either as written or after symlinks are resolved (so a symlink that is re-pointed is a change);
 * - for a Node or Python runtime (`node`, `bun`, `tsx`, `python3`, …), the files it would run for an argument
 *   that does not name them (`node server` → `server.js`, `node .` → `./index.js`, `./package.json`,
 *   `python -m pkg.mod` → `pkg/mod.py`), pinned when they exist;
 * - `envFile`, always (its content becomes the server's environment).
 * A path inside a root that does not exist is pinned with `sha256: null`, so creating it later is a change.
 * Never throws: unreadable files are pinned as missing.
 * @returns the files, sorted by `via` then `ref`, without duplicates.
 */
export async function findReferencedFiles(spec: ServerSpec, opts: ReferenceOptions): Promise<ReferencedFile[]> {
  const own = (opts.roots ?? (spec.workspaceFolder ? [spec.workspaceFolder] : [])).map((r) => resolve(r));
  // Files of the enclosing repository outside the opened folder (`../../tools/server.js`) count too.
  const roots = withRepoRoots(own, opts.home);
  const ctx: VariableContext = { workspaceFolder: spec.workspaceFolder ?? opts.workspaceFolder, home: opts.home };
  const base = (() => {
    const wf = ctx.workspaceFolder;
    if (spec.cwd) {
      const c = resolvePath(spec.cwd, spec, ctx);
      if (!c.unresolved.length) return wf ? resolve(wf, c.value) : resolve(c.value);
      if (roots.length) opts.gaps?.push({ via: 'cwd', ref: spec.cwd, variable: c.unresolved[0] });
    }
    return wf;
  })();

  // `ifExists`: pinned only when it is a file (a runtime's implicit lookup); appearing later then adds it.
  const wanted: { ref: string; via: ReferencedFile['via']; always: boolean; ifExists?: boolean }[] = [];
  // A bare command name (`node`, `cmd.exe`) is looked up on PATH by the host, not in the workspace.
  if (spec.command && /[\\/]/.test(spec.command) && looksLikePath(spec.command)) wanted.push({ ref: spec.command, via: 'command', always: false });
  for (const a of spec.args ?? []) {
    for (const c of candidatesOf(a)) if (looksLikePath(c)) wanted.push({ ref: c, via: 'arg', always: false });
  }
  for (const c of implicitScripts(spec.command, spec.args ?? [])) wanted.push({ ref: c, via: 'arg', always: false, ifExists: true });
  if (spec.envFile) wanted.push({ ref: spec.envFile, via: 'envFile', always: true });

  const configFile = resolve(spec.configFile);
  const seen = new Set<string>();
  const out: ReferencedFile[] = [];
  // The implicit candidates of an argument (`X.js`, `X/index.js`, …) add a suffix without `$`, `{`, `}` or `~`, which
  // cannot start, end or extend a variable: the argument is resolved once and the suffix appended (the resolver
  // walks every candidate otherwise, on every server of every scan).
  const byArg = new Map<string, ReturnType<typeof resolvePath>>();
  const resolveRef = (ref: string) => {
    for (const suffix of IMPLICIT_SUFFIXES) {
      if (!ref.endsWith(suffix) || ref.length === suffix.length) continue;
      const arg = ref.slice(0, -suffix.length);
      if (arg === '~') break; // `~` alone is home, `~.js` is not
      let r = byArg.get(arg);
      if (!r) byArg.set(arg, (r = resolvePath(arg, spec, ctx)));
      return { ...r, value: r.value + suffix };
    }
    let r = byArg.get(ref);
    if (!r) byArg.set(ref, (r = resolvePath(ref, spec, ctx)));
    return r;
  };
  for (const w of wanted) {
    const r = resolveRef(w.ref);
    if (r.unresolved.length) {
      // Fail closed: a path we cannot follow is reported, never skipped silently (a workspace server only: a
      // user-level one's files are not in an attacker-writable root, and an envFile always counts).
      const gap = { via: w.via, ref: w.ref, variable: r.unresolved[0] };
      if ((roots.length || w.always) && !opts.gaps?.some((g) => g.via === gap.via && g.variable.variable === gap.variable.variable)) opts.gaps?.push(gap);
      continue;
    }
    const resolvedRef = r.value;
    if (!isAbsolute(resolvedRef) && !base) continue;
    const abs = base ? resolve(base, resolvedRef) : resolve(resolvedRef);
    let real: string | undefined;
    try {
      real = await opts.fs.realpath(abs);
    } catch {
      real = undefined;
    }
    const inRoot = roots.some((r) => isInsideRoot(r, abs) || (real !== undefined && isInsideRoot(r, real)));
    if (!w.always && !inRoot) continue;
    // The config file itself (e.g. `--config <file>` of a guarded entry) is pinned through the entry already;
    // pinning its bytes too would turn every edit of any other entry of that file into a change of this one.
    if (abs === configFile || (real !== undefined && real === configFile)) continue;
    const key = `${w.via}\0${real ?? abs}`;
    if (seen.has(key)) continue;
    if (w.ifExists) {
      try {
        if (real === undefined || !(await opts.fs.stat(real)).isFile) continue;
      } catch {
        continue;
      }
    }
    seen.add(key);
    let sha256: string | null = null;
    let size: number | null = null;
    if (real !== undefined) {
      try {
        const st = await opts.fs.stat(real);
        if (st.isFile) {
          const h = await hashWholeFile(opts.fs, real);
          size = h.size;
          sha256 = h.sha256;
        }
      } catch (e) {
        sha256 = null;
        size = null;
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') opts.unreadable?.push({ ref: w.ref, why: code ?? (e as Error).message });
      }
    }
    const shown = own.find((r) => isInsideRoot(r, abs));
    const ref = shown ? relative(shown, abs).split(sep).join('/') : roots.some((r) => isInsideRoot(r, abs)) ? displayRef(own[0], abs) : abs;
    out.push({ path: real ?? abs, ref, via: w.via, sha256, size });
  }
  out.sort((a, b) => (a.via === b.via ? (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0) : a.via < b.via ? -1 : 1));
  return out;
}

/** Rule id of the finding for anything the launch's pin does not cover (see {@link pinLaunchClosure}). */
export const INCOMPLETE_PIN_RULE = 'incomplete-pin';
/** Rule id of the finding for a workspace copy of a package that a package runner would run. */
export const WORKSPACE_PACKAGE_RULE = 'workspace-package';

/** The closure part of a launch's pin: extra files, and the findings about what is not covered. */
export interface LaunchClosurePin {
  files: ReferencedFile[];
  findings: Finding[];
}

const repoRoots = new Map<string, string>();
/** {@link repoRootOf}, cached per folder for the life of the process (a `.git` appearing later is not seen). */
function cachedRepoRoot(folder: string, home: string): string {
  let r = repoRoots.get(folder);
  if (r === undefined) {
    r = repoRootOf(folder, home);
    if (repoRoots.size > 10_000) repoRoots.clear();
    repoRoots.set(folder, r);
  }
  return r;
}

const withRepos = new Map<string, readonly string[]>();
/**
 * The enclosing repository of each root (nearest folder with `.git` at or above it, below `home`), roots kept.
 * Cached for the life of the process as {@link cachedRepoRoot} is (every server of a scan asks it twice).
 */
export function withRepoRoots(roots: readonly string[], home: string): readonly string[] {
  const key = `${home}\0${roots.join('\0')}`;
  let out = withRepos.get(key);
  if (!out) {
    const all = new Set(roots.map((r) => resolve(r)));
    for (const r of roots) all.add(cachedRepoRoot(resolve(r), resolve(home)));
    if (withRepos.size > 10_000) withRepos.clear();
    withRepos.set(key, (out = [...all]));
  }
  return out;
}

/** A string as the host's spawn would see it (the one resolver, the host's forms), or undefined when a variable in it is not known here. */
function launchString(value: string, spec: ServerSpec, ctx: VariableContext): string | undefined {
  const r = resolvePath(value, spec, ctx);
  return r.unresolved.length ? undefined : r.value;
}

const shown = new WeakMap<CodeClosure, { display: string; files: [ClosureFile, string][] }>();
/** A closure's files with how each is shown from `display` (computed once per closure: many servers share one). */
function shownFiles(closure: CodeClosure, display: string): [ClosureFile, string][] {
  let s = shown.get(closure);
  if (s?.display !== display) shown.set(closure, (s = { display, files: closure.files.map((f) => [f, displayRef(display, f.path)]) }));
  return s.files;
}

/**
 * Pins the code a stdio launch runs from the workspace or its repository (see `computeClosure` in
 * `src/core/launch`): resolves the launch as the host would (variables, `cwd` against the workspace folder; a
 * guarded entry's original command after `--`), computes its closure and returns the files not already in
 * `referenced`, with:
 * - a high `incomplete-pin` finding per gap (a value the host coerces, a tree over its bound, a runtime the guard
 *   cannot follow, an unreadable file), naming what is not covered and why;
 * - a high `workspace-package` finding per workspace copy of a package a runner would use (`npx pkg@1.2.3` with a
 *   `node_modules/pkg` in the workspace: the pinned version no longer says what runs);
 * - an `info` finding per workspace folder passed as data to a registry package (not pinned as a tree).
 * Files are shown (`ref`) relative to the workspace folder (`../x` for the repo outside it). `onClosure` receives
 * the closure computed, or undefined when it could not be (not called when the launch has none to compute). Never throws.
 */
export async function pinLaunchClosure(spec: ServerSpec, referenced: readonly ReferencedFile[], opts: ReferenceOptions & { cache?: ClosureCache; pass?: FsPass; onClosure?: (closure: CodeClosure | undefined) => void }): Promise<LaunchClosurePin> {
  const findings: Finding[] = [];
  const incomplete = (message: string, pointer = '') => findings.push({ ruleId: INCOMPLETE_PIN_RULE, severity: 'high', message, pointer });
  const raw = spec.raw as Record<string, unknown> | null;
  if (spec.transport !== 'stdio' || !raw || typeof raw !== 'object') return { files: [], findings };
  let command = spec.command;
  let args = spec.args;
  // A value of the wrong type: hosts coerce it (a number becomes its text) or refuse the entry; say what is not covered.
  if (Array.isArray(raw.args) && raw.args.some((a) => typeof a !== 'string')) {
    args = raw.args.map((a) => (typeof a === 'string' ? a : typeof a === 'number' || typeof a === 'boolean' ? String(a) : JSON.stringify(a) ?? ''));
    raw.args.forEach((a, i) => {
      if (typeof a !== 'string') incomplete(`args[${i}] is ${a === null ? 'null' : typeof a} ${JSON.stringify(a)?.slice(0, 80)}, which a host may coerce to text or refuse; the launch is pinned as written, and the files its arguments name are followed from their text forms`, `/args/${i}`);
    });
  }
  if (typeof raw.command !== 'string' && raw.command !== undefined) incomplete(`"command" is not a string; the host may coerce or refuse it, and what it runs is not pinned`, '/command');
  const guarded = isGuarded(raw);
  if (guarded?.command) {
    command = guarded.command;
    args = guarded.args;
  }
  if (!command) return { files: [], findings };
  const ctx: VariableContext = { workspaceFolder: spec.workspaceFolder ?? opts.workspaceFolder, home: opts.home };
  const wf = ctx.workspaceFolder ? resolve(ctx.workspaceFolder) : undefined;
  let cwd = wf;
  if (spec.cwd) {
    const c = launchString(spec.cwd, spec, ctx);
    cwd = c === undefined ? undefined : wf ? resolve(wf, c) : isAbsolute(c) ? resolve(c) : undefined;
  }
  if (!cwd) return { files: [], findings };
  const roots = withRepoRoots(opts.roots ?? (wf ? [wf] : []), opts.home);
  const repoRoot = wf ? cachedRepoRoot(wf, resolve(opts.home)) : roots.find((r) => isInsideRoot(r, cwd)) ?? cwd;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    const s = launchString(v, spec, ctx);
    if (s !== undefined) env[k] = s;
  }
  const launch: ResolvedLaunch = {
    command: launchString(command, spec, ctx) ?? command,
    args: (args ?? []).map((a) => launchString(a, spec, ctx) ?? a),
    cwd,
    env,
    workspaceFolder: wf,
    repoRoot,
  };
  let closure: Awaited<ReturnType<typeof computeClosure>>;
  try {
    closure = await computeClosure(launch, { cache: opts.cache, pass: opts.pass });
    opts.onClosure?.(closure);
  } catch (e) {
    // computeClosure is meant never to throw; if it does, the pin says so instead of failing the scan.
    opts.onClosure?.(undefined);
    incomplete(`not pinned: the code closure could not be computed (${(e as Error).message.slice(0, 200)})`);
    return { files: [], findings };
  }
  const display = wf ?? repoRoot;
  for (const g of closure.gaps) incomplete(`not pinned: ${isAbsolute(g.subject) ? displayRef(display, g.subject) : g.subject} (${g.reason}): ${g.detail}`);
  for (const s of closure.shadows) {
    findings.push({
      ruleId: WORKSPACE_PACKAGE_RULE,
      severity: 'high',
      message: `${s.runner} ${s.spec} would run the workspace copy ${displayRef(display, s.path)} instead of the registry's package; its files are pinned, but the version in the entry no longer says what runs`,
      pointer: '/args',
    });
  }
  for (const d of closure.dataFolders) {
    findings.push({ ruleId: 'data-folder', severity: 'info', message: `the folder argument ${d.arg} is the workspace itself, passed to ${d.runner} as data (the server reads it; it does not run from it); its files are not pinned as code`, pointer: '/args' });
  }
  // Named files are pinned already (by real path, shown as written); the config file is pinned through its entries.
  const have = new Set([...referenced.map((f) => f.path), ...referenced.map((f) => f.ref), resolve(spec.configFile)]);
  const files: ReferencedFile[] = [];
  for (const [f, ref] of shownFiles(closure, display)) {
    if (have.has(f.path) || have.has(ref)) continue;
    const rf: ReferencedFile = { path: f.path, ref, via: f.kind, sha256: f.sha256, size: f.size };
    if (f.keys) rf.keys = f.keys;
    files.push(rf);
  }
  return { files, findings };
}
