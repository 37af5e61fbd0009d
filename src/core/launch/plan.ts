import { promises as fsp } from 'node:fs';
import { readRegularText } from '../ports/regularFile';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { packageBins, resolveNodeMain } from './node';
import { FsPass } from './pass';
import { isInside } from './paths';

/**
 * How a launch decides what runs, per ecosystem: the manifests and package-manager configuration that change
 * what a command resolves to. Looked up in the launch's working directory, the workspace folder and the repo
 * root; pinned also when missing, so that adding one later is a change.
 */
export const MANIFESTS = {
  node: ['package.json', '.npmrc', '.yarnrc.yml', '.yarnrc', 'pnpm-workspace.yaml', '.pnpmfile.cjs', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb', 'bunfig.toml'],
  deno: ['deno.json', 'deno.jsonc', 'deno.lock', 'package.json'],
  python: ['pyproject.toml', 'uv.toml', 'uv.lock', 'setup.py', 'setup.cfg', 'requirements.txt', 'poetry.lock', 'Pipfile', 'Pipfile.lock', '.python-version'],
  go: ['go.mod', 'go.sum', 'go.work', 'go.work.sum'],
  rust: ['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml'],
} as const;

/** An ecosystem of {@link MANIFESTS}. */
export type Ecosystem = keyof typeof MANIFESTS;

/** Why part of a launch is not covered by the pin (see `incomplete-pin` in the README). */
export type GapReason = 'unknown-variable' | 'coerced-value' | 'over-bound' | 'untraceable' | 'unreadable';

/** Something the closure cannot cover: `subject` names it (a path, an argument), `detail` says why. */
export interface ClosureGap {
  subject: string;
  reason: GapReason;
  detail: string;
  /** @internal inline code the gap is about (kept only while planning). */
  inline?: string;
}

/** A workspace copy of a package that a package runner would run instead of the registry's. */
export interface PackageShadow {
  /** The package spec as written (`pkg@1.2.3`). */
  spec: string;
  /** The runner (`npx`, `pnpm dlx`, `bunx`, …). */
  runner: string;
  /** Absolute path of the workspace copy (`…/node_modules/pkg` or `…/node_modules/.bin/pkg`). */
  path: string;
}

/** What to pin for one launch, before reading any file content. Paths are absolute. */
export interface ClosurePlan {
  nodeEntries: Set<string>;
  /** Folders pinned as trees, with the reason shown when one is over its bound. */
  trees: Map<string, string>;
  /** Single files pinned (missing ones as `null`), with their kind. */
  files: Map<string, 'module' | 'manifest' | 'package'>;
  /** Folders whose manifests of the given ecosystems are pinned. */
  manifestDirs: Map<string, Set<Ecosystem>>;
  gaps: ClosureGap[];
  shadows: PackageShadow[];
  /**
   * The workspace or repository folder itself passed to a registry package (`npx server-filesystem .`): data the
   * server serves, not code it runs; not pinned as a tree (every edit anywhere would be a change).
   */
  dataFolders: { arg: string; runner: string }[];
}

/** A launch whose variables are resolved: what the host will execute. See `computeClosure`. */
export interface ResolvedLaunch {
  /** The command as the host runs it (a bare name is looked up on PATH, outside the workspace). */
  command: string;
  args: readonly string[];
  /** Absolute working directory of the launch. */
  cwd: string;
  /** The server's environment additions (resolved). */
  env?: Readonly<Record<string, string>>;
  /** Absolute path of the workspace folder the launch belongs to, when any. */
  workspaceFolder?: string;
  /** Absolute path of the enclosing repository (nearest folder with `.git`, else the workspace folder). */
  repoRoot: string;
}

const NODE_RUNTIMES = new Set(['node', 'nodejs', 'tsx', 'ts-node', 'ts-node-esm', 'bun', 'deno']);
const PYTHON_RUNTIME = /^(?:python[0-9.]*|pythonw|py|pypy[0-9.]*)$/;
const OTHER_INTERPRETERS = new Set(['bash', 'sh', 'zsh', 'dash', 'fish', 'ruby', 'perl', 'php', 'lua', 'pwsh', 'powershell', 'java', 'Rscript', 'julia', 'elixir', 'dotnet']);
const SHELL_INLINE = new Set(['-c', '/c', '/k', '-command', '-Command', '-e', '--eval', '-p', '--print']);
/** Inline code that may load something from disk: a loading word, or a path. `node -e 1` does not. */
const INLINE_LOADS = /\b(?:require|import|from|open|exec|spawn|source|load|eval|include|run)\b|\.{1,2}[\\/]|[\\/]|\$|`/;
const NODE_PRELOAD = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
/** Node flags that take a separate value (the value is not the script). */
const NODE_VALUE_FLAGS = new Set([...NODE_PRELOAD, '--input-type', '--conditions', '-C', '--env-file', '--title', '--stack-size', '--max-old-space-size', '--inspect-port']);
const NODE_EXT = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/i;
const PY_EXT = /\.pyw?$/i;

/** The command's program name: last path segment, lower-cased, without a Windows executable extension. */
export function programName(command: string): string {
  return basename(command.replace(/\\/g, '/')).replace(/\.(?:exe|cmd|bat|ps1)$/i, '').toLowerCase();
}

/**
 * The launch values holding a NUL character, by name (`command`, `argument 2`, `cwd`, `env X`). Hosts refuse
 * such a value or cut it at the NUL (C strings), so what would run cannot be followed.
 */
function nulValues(launch: ResolvedLaunch): string[] {
  const out: string[] = [];
  if (launch.command.includes('\0')) out.push('command');
  launch.args.forEach((a, i) => a.includes('\0') && out.push(`argument ${i + 1}`));
  if (launch.cwd.includes('\0')) out.push('cwd');
  for (const [k, v] of Object.entries(launch.env ?? {})) if (k.includes('\0') || v.includes('\0')) out.push(`env ${k.replace(/\0/g, '\\0')}`);
  return out;
}

/** Splits a package spec into its name (`@s/n@1` → `@s/n`). */
function packageName(spec: string): string {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at > 0 ? spec.slice(0, at) : spec;
}

/** A crude POSIX-ish word split of a package.json script (quotes kept together), split into `&&`/`||`/`;`/`|` parts. */
function splitScript(script: string): string[][] {
  const parts: string[][] = [[]];
  const re = /"([^"]*)"|'([^']*)'|(&&|\|\||;|\|)|(\S+)/g;
  for (let m = re.exec(script); m; m = re.exec(script)) {
    if (m[3]) parts.push([]);
    else parts[parts.length - 1].push(m[1] ?? m[2] ?? m[4]);
  }
  return parts.filter((p) => p.length > 0);
}

/**
 * Builds the {@link ClosurePlan} of a launch: which runtime or package manager runs what, and which files,
 * trees and manifests decide it, looking files up through `pass` (default: a fresh one). Never throws; what it
 * cannot follow becomes a gap.
 */
export async function planClosure(launch: ResolvedLaunch, pass: FsPass = new FsPass()): Promise<ClosurePlan> {
  // The file tests answer false for what cannot be looked at (a path with a NUL character, a permission error).
  const exists = (p: string) => pass.exists(p);
  const isDir = (p: string) => pass.isDir(p);
  const isFile = (p: string) => pass.isFile(p);
  const plan: ClosurePlan = { nodeEntries: new Set(), trees: new Map(), files: new Map(), manifestDirs: new Map(), gaps: [], shadows: [], dataFolders: [] };
  const nul = nulValues(launch);
  if (nul.length) {
    plan.gaps.push({ subject: nul.join(', '), reason: 'untraceable', detail: 'a NUL character: a host refuses the value or cuts it there, and what would run is not followed' });
    return plan;
  }
  const repo = launch.repoRoot;
  const inRepo = (p: string) => isInside(repo, p);
  const manifests = (dir: string, eco: Ecosystem) => {
    for (const d of new Set([dir, launch.workspaceFolder ?? dir, repo])) {
      if (!inRepo(d)) continue;
      let set = plan.manifestDirs.get(d);
      if (!set) plan.manifestDirs.set(d, (set = new Set()));
      set.add(eco);
    }
  };
  const tree = (dir: string, why: string) => {
    if (inRepo(dir) && !plan.trees.has(dir)) plan.trees.set(dir, why);
  };
  /** The folder a Python module belongs to: the nearest folder (inside the repo) with a project manifest, else its own. */
  const packageFolder = (start: string) => {
    for (let d = start; inRepo(d); d = dirname(d)) {
      if (['pyproject.toml', 'setup.py', 'setup.cfg'].some((m) => exists(join(d, m)))) return d;
      if (d === repo) break;
    }
    return start;
  };
  const nearest = (start: string, marker: string) => {
    for (let d = start; inRepo(d); d = dirname(d)) {
      if (exists(join(d, marker))) return d;
      if (d === repo) break;
    }
    return undefined;
  };

  /** Arguments that name files or folders: a file is pinned, a folder is pinned as a tree. */
  const genericArgs = (args: readonly string[], cwd: string, runner?: string) => {
    for (const a of args) {
      const v = a.startsWith('-') ? (a.includes('=') ? a.slice(a.indexOf('=') + 1) : '') : a;
      if (!v || v.length > 4096 || /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) continue;
      const abs = resolve(cwd, v);
      if (!inRepo(abs)) continue;
      if (runner && (abs === repo || abs === launch.workspaceFolder)) plan.dataFolders.push({ arg: a, runner });
      else if (isDir(abs)) tree(abs, `folder argument ${a}`);
      else if (isFile(abs) && (v.includes('/') || v.includes('\\') || v.startsWith('.'))) plan.files.set(abs, 'module');
    }
  };

  const nodePackageRunner = async (runner: string, rest: readonly string[], cwd: string) => {
    manifests(cwd, 'node');
    let i = 0;
    const pkgs: string[] = [];
    for (; i < rest.length; i++) {
      const a = rest[i];
      if (a === '--') {
        i++;
        break;
      }
      if (a === '-p' || a === '--package') pkgs.push(rest[++i] ?? '');
      else if (a.startsWith('--package=')) pkgs.push(a.slice(10));
      else if (!a.startsWith('-')) break;
    }
    const spec = rest[i];
    if (spec === undefined) return;
    genericArgs(rest.slice(i + 1), cwd, `${runner} ${spec}`);
    const specs = pkgs.length ? pkgs : [spec];
    for (const s of specs) {
      if (!s) continue;
      if (s.startsWith('.') || s.startsWith('/') || s.startsWith('file:') || isAbsolute(s)) {
        const dir = resolve(cwd, s.replace(/^file:/, ''));
        if (!inRepo(dir)) continue;
        plan.files.set(join(dir, 'package.json'), 'package');
        for (const f of (await packageBins(dir, pass)).files) plan.nodeEntries.add(f);
        continue;
      }
      const name = packageName(s);
      const bins = new Set([name.replace(/^@[^/]+\//, '')]);
      if (!pkgs.length || spec !== s) bins.add(spec);
      let found = false;
      for (let d = cwd; inRepo(d); d = dirname(d)) {
        const pkgDir = join(d, 'node_modules', name);
        if (isFile(join(pkgDir, 'package.json'))) {
          found = true;
          plan.shadows.push({ spec: s, runner, path: pkgDir });
          plan.files.set(join(pkgDir, 'package.json'), 'package');
          const b = await packageBins(pkgDir, pass);
          for (const n of b.names) bins.add(n);
          for (const f of b.files) plan.nodeEntries.add(f);
        }
        for (const bin of bins) {
          const binPath = join(d, 'node_modules', '.bin', bin);
          if (exists(binPath)) {
            found = true;
            plan.shadows.push({ spec: s, runner, path: binPath });
            plan.files.set(binPath, 'package');
            try {
              const real = await fsp.realpath(binPath);
              if (inRepo(real) && NODE_EXT.test(real)) plan.nodeEntries.add(real);
              else if (inRepo(real)) plan.files.set(real, 'package');
            } catch {
              // dangling link: pinned as missing through binPath
            }
          }
        }
        if (d === repo) break;
      }
      if (!found) {
        // Pinned as missing: a copy that appears later is a change.
        plan.files.set(join(cwd, 'node_modules', name, 'package.json'), 'package');
        for (const bin of bins) if (!bin.includes('/')) plan.files.set(join(cwd, 'node_modules', '.bin', bin), 'package');
      }
    }
  };

  const npmScript = async (manager: string, script: string, cwd: string, depth: number) => {
    manifests(cwd, 'node');
    const dir = nearest(cwd, 'package.json') ?? cwd;
    const pj = join(dir, 'package.json');
    plan.files.set(pj, 'manifest');
    let body: unknown;
    try {
      body = (JSON.parse(await readRegularText(pj)) as { scripts?: Record<string, unknown> }).scripts?.[script];
    } catch {
      return;
    }
    if (typeof body !== 'string') return;
    for (const words of splitScript(body)) {
      if (words.some((w) => /[$`]/.test(w))) {
        plan.gaps.push({ subject: `${manager} run ${script}`, reason: 'untraceable', detail: `the script "${body.slice(0, 200)}" uses shell expansion the guard cannot follow` });
        continue;
      }
      // npm puts node_modules/.bin on PATH for scripts.
      const bin = join(dir, 'node_modules', '.bin', words[0]);
      if (!/[\\/]/.test(words[0]) && exists(bin)) {
        plan.files.set(bin, 'package');
        try {
          const real = await fsp.realpath(bin);
          if (inRepo(real) && NODE_EXT.test(real)) plan.nodeEntries.add(real);
        } catch {
          // dangling: pinned as missing
        }
      }
      await command(words[0], words.slice(1), dir, depth + 1);
    }
  };

  const python = (args: readonly string[], cwd: string) => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === '-m' && args[i + 1]) {
        // python -m puts the working folder first on sys.path: a module or package there wins over an installed one.
        const mod = args[i + 1].split('.')[0];
        if (inRepo(cwd)) {
          manifests(cwd, 'python');
          const dir = join(cwd, mod);
          if (isDir(dir)) tree(packageFolder(dir), `Python package ${args[i + 1]}`);
          else for (const f of [`${mod}.py`, `${mod}/__init__.py`, `${mod}/__main__.py`]) plan.files.set(join(cwd, f), 'module');
        }
        genericArgs(args.slice(i + 2), cwd, `python -m ${args[i + 1]}`);
        return;
      }
      if (a === '-c') {
        plan.gaps.push({ subject: `python -c`, reason: 'untraceable', detail: 'an inline Python program: the modules it imports from the workspace are not followed', inline: args[i + 1] ?? '' });
        return;
      }
      if (a.startsWith('-')) continue;
      const abs = resolve(cwd, a);
      if (inRepo(abs)) {
        manifests(cwd, 'python');
        plan.files.set(isDir(abs) ? join(abs, '__main__.py') : abs, 'module');
        tree(packageFolder(isDir(abs) ? abs : dirname(abs)), `Python script ${a}`);
      }
      genericArgs(args.slice(i + 1), cwd, `python ${a}`);
      return;
    }
  };

  const nodeRuntime = async (prog: string, args: readonly string[], cwd: string, depth: number) => {
    let i = 0;
    if (prog === 'deno' && ['run', 'serve'].includes(args[0])) i = 1;
    if (prog === 'deno' && args[0] === 'task') {
      plan.gaps.push({ subject: 'deno task', reason: 'untraceable', detail: 'deno tasks are not followed; deno.json is pinned' });
      return;
    }
    if (prog === 'bun' && (args[0] === 'x')) return nodePackageRunner('bun x', args.slice(1), cwd);
    if (prog === 'bun' && args[0] === 'run') i = 1;
    for (; i < args.length; i++) {
      const a = args[i];
      if (NODE_PRELOAD.has(a) && args[i + 1]) {
        const v = args[++i];
        if (v.startsWith('.') || isAbsolute(v)) {
          const f = await resolveNodeMain(resolve(cwd, v), pass);
          if (f && inRepo(f)) plan.nodeEntries.add(f);
        }
        continue;
      }
      const eq = /^(--require|--import|--loader|--experimental-loader)=(.+)$/.exec(a);
      if (eq && (eq[2].startsWith('.') || isAbsolute(eq[2]))) {
        const f = await resolveNodeMain(resolve(cwd, eq[2]), pass);
        if (f && inRepo(f)) plan.nodeEntries.add(f);
        continue;
      }
      if (SHELL_INLINE.has(a)) {
        plan.gaps.push({ subject: `${prog} ${a}`, reason: 'untraceable', detail: 'an inline script: the files it loads from the workspace are not followed', inline: args[i + 1] ?? '' });
        if (args[i + 1] !== undefined && !INLINE_LOADS.test(args[i + 1])) {
          i++;
          continue;
        }
        return;
      }
      if (NODE_VALUE_FLAGS.has(a)) {
        i++;
        continue;
      }
      if (a.startsWith('-')) continue;
      const abs = resolve(cwd, a);
      const main = await resolveNodeMain(abs, pass);
      if (prog === 'deno' && inRepo(abs)) manifests(cwd, 'deno');
      if (main && inRepo(main)) plan.nodeEntries.add(main);
      else if (!main && prog === 'bun' && args[i - 1] === 'run') return npmScript('bun', a, cwd, depth);
      else if (inRepo(abs)) plan.files.set(abs, 'module');
      genericArgs(args.slice(i + 1), cwd, `${prog} ${a}`);
      return;
    }
  };

  const docker = (prog: string, args: readonly string[], cwd: string) => {
    if (args[0] !== 'run' && args[0] !== 'create') {
      genericArgs(args, cwd);
      return;
    }
    for (let i = 1; i < args.length; i++) {
      const a = args[i];
      let vol: string | undefined;
      if (a === '-v' || a === '--volume') vol = args[++i];
      else if (a.startsWith('--volume=')) vol = a.slice(9);
      else if (a.startsWith('-v') && a.length > 2) vol = a.slice(2);
      if (vol !== undefined) {
        const src = vol.split(':')[0];
        if (src && (src.startsWith('.') || isAbsolute(src) || src.startsWith('~'))) {
          const abs = resolve(cwd, src);
          if (isDir(abs)) tree(abs, `${prog} mount ${vol}`);
          else if (inRepo(abs)) plan.files.set(abs, 'module');
        }
        continue;
      }
      let mount: string | undefined;
      if (a === '--mount') mount = args[++i];
      else if (a.startsWith('--mount=')) mount = a.slice(8);
      if (mount !== undefined) {
        const m = /(?:^|,)(?:source|src)=([^,]+)/.exec(mount);
        if (m && !/(?:^|,)type=(?:volume|tmpfs)/.test(mount)) {
          const abs = resolve(cwd, m[1]);
          if (isDir(abs)) tree(abs, `${prog} mount ${mount}`);
          else if (inRepo(abs)) plan.files.set(abs, 'module');
        }
        continue;
      }
      if (a === '--env-file' || a === '--label-file') {
        const f = resolve(cwd, args[++i] ?? '');
        if (inRepo(f)) plan.files.set(f, 'module');
      }
    }
  };

  async function command(cmd: string, args: readonly string[], cwd: string, depth: number): Promise<void> {
    if (depth > 4) {
      plan.gaps.push({ subject: cmd, reason: 'untraceable', detail: 'scripts nest more than 4 levels deep' });
      return;
    }
    const prog = programName(cmd);
    if (/[\\/]/.test(cmd)) {
      const abs = resolve(cwd, cmd);
      if (inRepo(abs)) {
        if (NODE_EXT.test(abs)) plan.nodeEntries.add(abs);
        else if (PY_EXT.test(abs)) tree(packageFolder(dirname(abs)), `Python script ${cmd}`);
        else {
          plan.files.set(abs, 'module');
          tree(dirname(abs), `${cmd}: a program the guard cannot follow; its folder is pinned`);
        }
        genericArgs(args, cwd);
        return;
      }
    }
    if (NODE_RUNTIMES.has(prog)) return nodeRuntime(prog, args, cwd, depth);
    if (PYTHON_RUNTIME.test(prog)) return python(args, cwd);
    const sub = args[0];
    switch (prog) {
      case 'npx':
      case 'bunx':
        return nodePackageRunner(prog, args, cwd);
      case 'npm':
        if (sub === 'exec' || sub === 'x') return nodePackageRunner(`npm ${sub}`, args.slice(1), cwd);
        if ((sub === 'run' || sub === 'run-script') && args[1]) return npmScript('npm', args[1], cwd, depth);
        if (sub === 'start' || sub === 'test') return npmScript('npm', sub, cwd, depth);
        manifests(cwd, 'node');
        return;
      case 'pnpm':
      case 'yarn':
        if (sub === 'dlx' || sub === 'exec') return nodePackageRunner(`${prog} ${sub}`, args.slice(1), cwd);
        if (sub === 'run' && args[1]) return npmScript(prog, args[1], cwd, depth);
        if (sub && !sub.startsWith('-')) return npmScript(prog, sub, cwd, depth);
        manifests(cwd, 'node');
        return;
      case 'uvx':
      case 'uv':
      case 'pipx': {
        manifests(cwd, 'python');
        const rest = prog === 'uvx' ? args : sub === 'tool' && args[1] === 'run' ? args.slice(2) : args.slice(1);
        if (prog === 'uv' && sub === 'run') {
          tree(packageFolder(cwd), 'the uv project (uv run installs it)');
          const script = rest.find((a) => !a.startsWith('-'));
          if (script && PY_EXT.test(script)) python([script, ...rest.slice(rest.indexOf(script) + 1)], cwd);
        }
        for (let i = 0; i < rest.length; i++) {
          const a = rest[i];
          const from = a === '--from' || a === '--with' || a === '--with-editable' ? rest[++i] : a.startsWith('--from=') ? a.slice(7) : undefined;
          if (from && (from.startsWith('.') || isAbsolute(from))) tree(resolve(cwd, from), `local package ${from}`);
        }
        genericArgs(rest.slice(1), cwd, `${prog} ${rest[0] ?? ""}`);
        return;
      }
      case 'go':
        manifests(cwd, 'go');
        if (sub === 'run') {
          const mod = nearest(cwd, 'go.mod');
          tree(mod ?? cwd, 'the Go module go run compiles');
        }
        return;
      case 'cargo':
        manifests(cwd, 'rust');
        if (sub === 'run') {
          const crate = nearest(cwd, 'Cargo.toml');
          tree(crate ?? cwd, 'the crate cargo run builds');
        }
        return;
      case 'docker':
      case 'podman':
      case 'nerdctl':
        return docker(prog, args, cwd);
      default:
        break;
    }
    if (OTHER_INTERPRETERS.has(prog) || prog === 'cmd') {
      for (let i = 0; i < args.length; i++) {
        const a = args[i];
        if (SHELL_INLINE.has(a) || a.toLowerCase() === '/c') {
          plan.gaps.push({ subject: `${prog} ${a}`, reason: 'untraceable', detail: 'an inline script: the files it runs from the workspace are not followed', inline: args.slice(i + 1).join(' ') });
          return;
        }
        if (a === '-jar' || a.startsWith('-')) continue;
        const abs = resolve(cwd, a);
        if (inRepo(abs) && exists(abs)) {
          plan.files.set(abs, 'module');
          tree(isDir(abs) ? abs : dirname(abs), `${prog} ${a}: a runtime the guard cannot follow; the script's folder is pinned`);
        }
        genericArgs(args.slice(i + 1), cwd, `${prog} ${a}`);
        return;
      }
      return;
    }
    genericArgs(args, cwd);
  }

  await command(launch.command, launch.args, launch.cwd, 0);
  const nodeOptions = launch.env?.NODE_OPTIONS;
  if (nodeOptions) await nodeRuntime('node', [...nodeOptions.split(/\s+/).filter(Boolean)], launch.cwd, 0);
  for (const key of ['PYTHONPATH', 'NODE_PATH']) {
    for (const p of (launch.env?.[key] ?? '').split(/[:;]/).filter(Boolean)) {
      const abs = resolve(launch.cwd, p);
      if (isDir(abs)) tree(abs, `${key} entry ${p}`);
    }
  }
  plan.gaps = plan.gaps.filter((g) => g.reason !== 'untraceable' || !g.inline || INLINE_LOADS.test(g.inline));
  for (const g of plan.gaps) delete g.inline;
  for (const key of ['PYTHONSTARTUP', 'BASH_ENV', 'ENV', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES']) {
    const v = launch.env?.[key];
    if (v) {
      const abs = resolve(launch.cwd, v);
      if (inRepo(abs)) plan.files.set(abs, 'module');
    }
  }
  return plan;
}
