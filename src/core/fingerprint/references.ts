import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileSystemPort } from '../ports';
import { HOSTS } from '../hosts';
import { resolveVariables, type UnresolvedVariable } from '../launch/variables';
import type { ReferencedFile, ServerSpec } from '../types';
import { sha256Hex } from './canonical';

/** Largest referenced file hashed in full (bytes). A larger one is pinned by its size and the hash of its first bytes. */
export const MAX_HASHED_FILE_BYTES = 64 * 1024 * 1024;

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
  return resolveVariables(value, [...HOSTS[spec.host].variables, 'tilde'], { workspaceFolder: ctx.workspaceFolder, home: ctx.home });
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
      out.push(a, ...['.js', '.cjs', '.mjs', '.json', '.node', '/index.js', '/package.json'].map((x) => a + x));
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

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(`..${sep}`));
}

/** Options of {@link findReferencedFiles}. */
export interface ReferenceOptions extends VariableContext {
  fs: FileSystemPort;
  /**
   * Workspace roots: a command or argument is pinned only when it resolves (as written or through symlinks)
   * into one of them. Default: the spec's `workspaceFolder`.
   */
  roots?: string[];
  /** Receives every path that could not be followed because of an unresolved variable (see {@link ReferenceGap}). */
  gaps?: ReferenceGap[];
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
  const roots = (opts.roots ?? (spec.workspaceFolder ? [spec.workspaceFolder] : [])).map((r) => resolve(r));
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

  const seen = new Set<string>();
  const out: ReferencedFile[] = [];
  for (const w of wanted) {
    const r = resolvePath(w.ref, spec, ctx);
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
    const inRoot = roots.some((r) => inside(r, abs) || (real !== undefined && inside(r, real)));
    if (!w.always && !inRoot) continue;
    // The config file itself (e.g. `--config <file>` of a guarded entry) is pinned through the entry already;
    // pinning its bytes too would turn every edit of any other entry of that file into a change of this one.
    if (abs === resolve(spec.configFile) || (real !== undefined && real === resolve(spec.configFile))) continue;
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
          size = st.size;
          const bytes = await opts.fs.readFile(real, MAX_HASHED_FILE_BYTES);
          sha256 = sha256Hex(bytes.subarray(0, MAX_HASHED_FILE_BYTES));
        }
      } catch {
        sha256 = null;
        size = null;
      }
    }
    const shown = roots.find((r) => inside(r, abs));
    out.push({ path: real ?? abs, ref: shown ? relative(shown, abs).split(sep).join('/') : abs, via: w.via, sha256, size });
  }
  out.sort((a, b) => (a.via === b.via ? (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0) : a.via < b.via ? -1 : 1));
  return out;
}
