/**
 * The guarded entry a team can commit, and the strict parse that decides whether an entry is guarded.
 *
 * Guard Server writes
 * `{"command": "mcp-trust-guard", "args": ["run", "--config", <ref>, "--name", <name>, "--", <command>, <args…>]}`:
 * - `mcp-trust-guard` is a bare command name, looked up by the host on the user's `PATH`, where the extension
 *   installs its launcher (see `userBinDir` in `src/core/config/paths.ts`). A machine without the extension has no
 *   such command, so the host fails to start the server: it fails closed.
 * - `<ref>` names the config file without a path of this machine (see {@link guardConfigRef}): a host variable
 *   (`${workspaceFolder}/.vscode/mcp.json`) where the host's variable forms resolve it, else a path relative to
 *   the folder the host starts the server in.
 *
 * The entry is in the repository, so the attacker may edit it. {@link guardedForm} counts an entry as guarded only
 * when the host would certainly run the guard's own launcher with these exact arguments, before anything of the
 * workspace runs: nothing in the entry may move the command lookup (`PATH`, `PATHEXT`), load code into the
 * launcher's shell or runtime (`LD_PRELOAD`, `DYLD_*`, `NODE_OPTIONS`, `BASH_ENV`, …), or feed it an environment
 * file the guard cannot vouch for (`envFile`). Every other form is "not guarded" — and, being a different entry, it
 * is a new or changed server like any other (its fingerprint differs from the approved one).
 */
import { createHash } from 'node:crypto';
import { isAbsolute, posix, win32 } from 'node:path';
import { HOSTS, type HostAdapter, type HostId } from '../hosts';
import { resolveVariables } from '../launch/variables';
import type { FileSystemPort } from '../ports';
import type { Finding, ReferencedFile, Scope, ServerSpec } from '../types';
import { isGuarded, type GuardedInvocation, type GuardLauncher } from './guard';

/** The command name of the guard's launcher on the user's `PATH` (`mcp-trust-guard.cmd` on Windows, found through `PATHEXT`). */
export const GUARD_LAUNCHER_NAME = 'mcp-trust-guard';

/** The launcher a committable guarded entry names: the bare command, no leading arguments. */
export const PATH_LAUNCHER: GuardLauncher = { command: GUARD_LAUNCHER_NAME, args: [] };

/**
 * Environment names that act on the guard's launch before its gate runs (in the host's command lookup, the
 * launcher's shell, the dynamic loader or the runtime), compared without case (Windows names are case-blind):
 * - the command lookup: `PATH`, `PATHEXT` (Windows), `COMSPEC` (the shell that runs a `.cmd`);
 * - the launcher's shell: `ENV`, `BASH_ENV`, `BASH_FUNC_*`, `SHELLOPTS`, `IFS`, `CDPATH`, `PS4`;
 * - the dynamic loader and C library: `LD_*`, `DYLD_*`, `GCONV_PATH`, `GLIBC_TUNABLES`, `MALLOC_*`, `LOCPATH`,
 *   `NLSPATH`, `HOSTALIASES`, `RES_OPTIONS`;
 * - the runtime: `NODE_*`, `ELECTRON_*` (the launcher clears the loader variables it knows, but only after its
 *   shell has started, and a shell is already a process the entry's environment reaches);
 * - the guard's own namespace (`MCP_TRUST_GUARD_*`).
 */
const LAUNCH_AFFECTING = /^(?:PATH|PATHEXT|COMSPEC|ENV|BASH_ENV|SHELLOPTS|BASHOPTS|IFS|CDPATH|PS4|GCONV_PATH|GLIBC_TUNABLES|LOCPATH|NLSPATH|HOSTALIASES|RES_OPTIONS|(?:LD_|DYLD_|NODE_|ELECTRON_|MALLOC_|BASH_FUNC_|MCP_TRUST_GUARD_).*)$/i;

/** Whether an environment variable of an entry acts on the guard's own launch (see {@link LAUNCH_AFFECTING}). */
export function actsOnLauncher(name: string): boolean {
  return LAUNCH_AFFECTING.test(name);
}

/** Variable forms that read `${NAME}` from the environment, so a `${workspaceFolder}` would be an (unset) variable. */
const ENV_BRACE_FORMS = new Set(['shell', 'shell-bare']);

/**
 * Whether Guard Server can rewrite this host's entries: a JSON file whose entries hold a string `command` and an
 * array `args` (hosts with an argv `command`, TOML or YAML files are not rewritten).
 * @returns undefined when it can, else one sentence saying why not.
 */
export function guardUnsupported(host: HostId): string | undefined {
  const a = HOSTS[host];
  if (a.format !== 'json') return `${a.displayName} files are ${a.format.toUpperCase()}; Guard Server rewrites JSON files only`;
  if (a.fields.commandArgv || !a.fields.command.includes('command') || !a.fields.args.includes('args')) {
    return `${a.displayName} entries do not hold a "command" string and an "args" array; Guard Server cannot rewrite them`;
  }
  return undefined;
}

/** Where an entry is, as {@link guardConfigRef} needs it. */
export interface GuardTarget {
  host: HostId;
  scope: Scope;
  /** Absolute path of the config file. */
  configFile: string;
  workspaceFolder?: string;
  /** The entry sets its own working directory (`cwd`). */
  hasCwd: boolean;
}

/** How the `--config` of a guarded entry names its file. */
export interface ConfigRef {
  /** The value written after `--config`. */
  value: string;
  /**
   * `variable`: a host variable (`${workspaceFolder}/…`, `${userHome}/…`); `relative`: relative to the folder
   * the host starts the server in; `absolute`: a path of this machine (a user-level file, or no other form works).
   */
  form: 'variable' | 'relative' | 'absolute';
  /** One sentence for the consent text: what the value depends on. */
  note: string;
}

/** The folder a host starts a stdio server in when the entry has no `cwd`, when it can be known here. */
function launchBase(a: HostAdapter, workspaceFolder: string | undefined, home: string): string | undefined {
  if (a.defaultCwd === 'home') return home;
  if (a.defaultCwd === 'workspace-folder' || a.defaultCwd === 'host-cwd') return workspaceFolder;
  return undefined;
}

function pathApi(p: string): typeof posix {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(p) ? win32 : posix;
}

function samePath(a: string, b: string): boolean {
  const api = pathApi(b);
  const x = api.resolve(a);
  const y = api.resolve(b);
  return api === win32 ? x.toLowerCase() === y.toLowerCase() : x === y;
}

/** `rel` with `/` separators when `file` is inside `folder`, else undefined. */
function inside(folder: string, file: string): string | undefined {
  const api = pathApi(file);
  const rel = api.relative(folder, file);
  if (!rel || rel.startsWith('..') || api.isAbsolute(rel)) return undefined;
  return rel.split(api.sep).join('/');
}

/**
 * The `--config` value that names `t.configFile` without a path of this machine, chosen from the host adapter's
 * own variable forms and checked with the one resolver (`resolveVariables`):
 * 1. `${workspaceFolder}/<path>` for a workspace file (`${userHome}/<path>` for a user file) when the host
 *    resolves that variable and has no form that reads `${…}` from the environment instead (Claude Code's and
 *    Gemini CLI's `${VAR}` would take it for an unset variable);
 * 2. else, for a workspace file of an entry without `cwd`, the path relative to the folder the host starts the
 *    server in (`HostAdapter.defaultCwd`: the workspace folder, or the folder the host was started in);
 * 3. else the absolute path (said so in `note`).
 * Pure; never throws.
 *
 * @param home the user's home directory (absolute).
 */
export function guardConfigRef(t: GuardTarget, home: string): ConfigRef {
  const a = HOSTS[t.host];
  const braceVars = a.variables.includes('predefined') && !a.variables.some((f) => ENV_BRACE_FORMS.has(f));
  const candidates: { value: string; form: ConfigRef['form']; note: string }[] = [];
  const inWs = t.workspaceFolder !== undefined ? inside(t.workspaceFolder, t.configFile) : undefined;
  const inHome = inside(home, t.configFile);
  if (braceVars && t.scope === 'workspace' && inWs !== undefined) {
    candidates.push({ value: `\${workspaceFolder}/${inWs}`, form: 'variable', note: `${a.displayName} resolves \${workspaceFolder} on each machine` });
  }
  if (braceVars && t.scope !== 'workspace' && inHome !== undefined) {
    candidates.push({ value: `\${userHome}/${inHome}`, form: 'variable', note: `${a.displayName} resolves \${userHome} on each machine` });
  }
  if (t.scope === 'workspace' && inWs !== undefined && !t.hasCwd && launchBase(a, t.workspaceFolder, home) === t.workspaceFolder) {
    const where = a.defaultCwd === 'host-cwd' ? `the folder ${a.displayName} is started in (the project's root)` : 'the workspace folder';
    candidates.push({ value: inWs, form: 'relative', note: `relative to ${where}, where ${a.displayName} starts the server; started anywhere else, the guard finds no such entry and starts nothing` });
  }
  for (const c of candidates) {
    if (configRefNames(c.value, t, home)) return c;
  }
  return {
    value: t.configFile,
    form: 'absolute',
    note: t.scope === 'workspace' ? 'an absolute path of this machine: no host variable or relative form names this file for this host, so the entry works on this machine only' : 'an absolute path of this machine (a user-level file, not shared)',
  };
}

/**
 * Whether a written `--config` value names `t.configFile` as the host resolves it: variables through the one
 * resolver with the adapter's forms (an environment-dependent one never counts), a relative value against the
 * folder the host starts the server in (only for an entry without `cwd`).
 */
function configRefNames(value: string, t: GuardTarget, home: string): boolean {
  const a = HOSTS[t.host];
  const r = resolveVariables(value, a.variables, { workspaceFolder: t.workspaceFolder, home });
  if (r.unresolved.length) return false;
  if (pathApi(r.value) === win32 ? win32.isAbsolute(r.value) : isAbsolute(r.value)) return samePath(r.value, t.configFile);
  if (t.hasCwd) return false;
  const base = launchBase(a, t.workspaceFolder, home);
  return base !== undefined && samePath(pathApi(base).resolve(base, r.value), t.configFile);
}

/** The result of {@link guardedForm}. */
export type GuardedForm =
  | { guarded: true; invocation: GuardedInvocation; launcher: 'path' | 'installed' }
  /** `why` is set when the entry looks like a guarded one: what keeps it from counting. */
  | { guarded: false; why?: string };

/** Options of {@link guardedForm}. */
export interface GuardedFormOptions {
  /** The user's home directory. */
  home: string;
  /**
   * Absolute paths of the launchers the extension installed on this machine, accepted as `command` besides
   * {@link GUARD_LAUNCHER_NAME} (entries guarded before the launcher was on `PATH`).
   */
  installedLaunchers?: readonly string[];
}

/**
 * The strict parse of a guarded entry: the entry counts as guarded only when its `command` is the guard's
 * launcher (the bare {@link GUARD_LAUNCHER_NAME}, or an installed launcher's absolute path) and its `args` are
 * exactly `run --config <ref> --name <name> -- <command> <args…>` (or `run` with the three pairs `--config <ref>`,
 * `--name <name>`, `--url <url>` in any order, a hand-written remote bridge), where `<ref>` names this very file (see {@link guardConfigRef}) and `<name>` is the entry's own name;
 * the entry has no duplicate keys, no environment file, and no environment variable that acts on the launcher
 * ({@link actsOnLauncher}). Pure; never throws.
 *
 * @returns `{guarded: true, …}`, or `{guarded: false, why}` (why: set for a look-alike, naming what disqualifies it).
 */
export function guardedForm(spec: ServerSpec, opts: GuardedFormOptions): GuardedForm {
  const g = isGuarded(spec.raw);
  if (!g) return { guarded: false };
  const no = (why: string): GuardedForm => ({ guarded: false, why });
  const raw = spec.raw as Record<string, unknown>;
  const a = HOSTS[spec.host];
  let launcher: 'path' | 'installed';
  if (g.launcher.command === GUARD_LAUNCHER_NAME) launcher = 'path';
  else if ((opts.installedLaunchers ?? []).includes(g.launcher.command)) launcher = 'installed';
  else return no(`its command ${JSON.stringify(g.launcher.command).slice(0, 120)} is not the guard's launcher`);
  const args = raw.args as string[];
  const shape =
    g.url === undefined
      ? args.length >= 7 && args[0] === 'run' && args[1] === '--config' && args[3] === '--name' && args[5] === '--'
      : args.length === 7 && args[0] === 'run' && [args[1], args[3], args[5]].sort().join(' ') === '--config --name --url';
  if (!shape) return no('its arguments are not exactly "run --config <file> --name <server> -- <command> …"');
  if (spec.transport !== 'stdio') return no(`the host reads it as a ${spec.transport} server, not as the command it shows`);
  if (spec.duplicateKeys.length) return no(`it has a key twice (${spec.duplicateKeys[0].pointer.slice(0, 80) || 'the entry'}), and hosts disagree on which one counts`);
  if (g.name !== spec.name) return no(`it guards the server "${g.name.slice(0, 60)}", not itself ("${spec.name.slice(0, 60)}")`);
  const hasCwd = a.fields.cwd.some((k) => raw[k] !== undefined);
  if (!configRefNames(g.configFile, { host: spec.host, scope: spec.scope, configFile: spec.configFile, workspaceFolder: spec.workspaceFolder, hasCwd }, opts.home)) {
    return no(`its --config ${JSON.stringify(g.configFile).slice(0, 160)} does not name this file`);
  }
  const envFile = (a.fields.envFile ?? []).find((k) => raw[k] !== undefined);
  if (envFile !== undefined) return no(`"${envFile}" may set PATH or a loader variable for the launcher, and the guard cannot vouch for that file`);
  for (const k of a.fields.env) {
    const env = raw[k];
    if (env === undefined) continue;
    if (env === null || typeof env !== 'object' || Array.isArray(env)) return no(`its "${k}" is not an object`);
    const bad = Object.keys(env).find(actsOnLauncher);
    if (bad !== undefined) return no(`its ${k} sets ${bad.slice(0, 60)}, which acts on the launcher before the guard runs`);
  }
  return { guarded: true, invocation: g, launcher };
}

/**
 * Whether `command` names a launcher the guard writes, where the launchers installed on this machine are not known
 * (the organization policy, a CI run): the bare {@link GUARD_LAUNCHER_NAME}, or an absolute path to a file named
 * `mcp-trust-guard` / `mcp-trust-guard.cmd` (the names `installLauncher` writes) outside the entry's workspace
 * folder — a repository can put a file of that name only inside itself. Pure; never throws.
 */
export function launcherByName(command: string, workspaceFolder: string | undefined): boolean {
  if (command === GUARD_LAUNCHER_NAME) return true;
  const api = pathApi(command);
  if (!api.isAbsolute(command)) return false;
  const base = api.basename(command);
  const named = api === win32 ? [GUARD_LAUNCHER_NAME, `${GUARD_LAUNCHER_NAME}.cmd`].includes(base.toLowerCase()) : base === GUARD_LAUNCHER_NAME || base === `${GUARD_LAUNCHER_NAME}.cmd`;
  if (!named) return false;
  return workspaceFolder === undefined || (!samePath(workspaceFolder, command) && inside(workspaceFolder, command) === undefined);
}

/**
 * {@link guardedForm} for a scanned server: a `launcher-shadow` finding (a file in its start folder that Windows
 * would run instead of the launcher) also keeps it from counting as guarded. Pure; never throws.
 *
 * @param findings the server's findings (`ServerReport.findings`).
 */
export function guardedServer(spec: ServerSpec, findings: readonly Finding[], opts: GuardedFormOptions): GuardedForm {
  const g = guardedForm(spec, opts);
  const shadow = findings.find((f) => f.ruleId === LAUNCHER_SHADOW_RULE);
  return g.guarded && shadow ? { guarded: false, why: shadow.message } : g;
}

/** The `run` arguments of a guarded entry for `name`, wrapping `command args…` (the grammar {@link guardedForm} accepts). */
export function guardRunArgs(configRef: string, name: string, command: string, args: readonly string[]): string[] {
  return ['run', '--config', configRef, '--name', name, '--', command, ...args];
}

/** Rule id of the finding {@link launcherShadows} makes. */
export const LAUNCHER_SHADOW_RULE = 'launcher-shadow';

/**
 * Names Windows tries for the bare command `mcp-trust-guard` in a folder, lower-cased: as written, then the
 * executable extensions libuv (`.com`, `.exe`) and cmd.exe (`PATHEXT` defaults) add.
 */
const SHADOW_NAMES = new Set(['', '.com', '.exe', '.bat', '.cmd', '.vbs', '.vbe', '.js', '.jse', '.wsf', '.wsh', '.msc', '.ps1'].map((e) => GUARD_LAUNCHER_NAME + e));

/** Largest shadow file hashed whole (bytes); a larger one is pinned by its size and the first bytes. */
const MAX_SHADOW_BYTES = 1024 * 1024;

/**
 * Files in the folder a guarded entry starts in (the workspace folder, or the entry's `cwd` inside it) that a host
 * on Windows would run instead of the launcher on PATH: Windows looks a bare command name up in the working
 * directory first (libuv's `search_path`, cmd.exe). Each one is pinned (so adding, changing or removing one is a
 * change of the server) and is a high {@link LAUNCHER_SHADOW_RULE} finding. Only for entries that name the launcher
 * by its bare name; folders outside the workspace (the home directory) are the user's own and not listed. Reads
 * through `fs`; never throws (an unreadable folder yields nothing).
 */
export async function launcherShadows(spec: ServerSpec, fs: FileSystemPort, home: string): Promise<{ files: ReferencedFile[]; findings: Finding[] }> {
  const none = { files: [], findings: [] };
  const g = isGuarded(spec.raw);
  if (!g || g.launcher.command !== GUARD_LAUNCHER_NAME || spec.workspaceFolder === undefined) return none;
  const a = HOSTS[spec.host];
  const raw = spec.raw as Record<string, unknown>;
  const cwdKey = a.fields.cwd.find((k) => typeof raw[k] === 'string');
  let folder = launchBase(a, spec.workspaceFolder, home);
  if (cwdKey !== undefined) {
    const r = resolveVariables(raw[cwdKey] as string, a.variables, { workspaceFolder: spec.workspaceFolder, home });
    folder = r.unresolved.length ? undefined : pathApi(spec.workspaceFolder).resolve(spec.workspaceFolder, r.value);
  }
  if (folder === undefined || inside(spec.workspaceFolder, pathApi(folder).join(folder, 'x')) === undefined) return none;
  let names: string[];
  try {
    names = (await fs.readdir(folder)).filter((n) => SHADOW_NAMES.has(n.toLowerCase())).sort();
  } catch {
    return none;
  }
  const files: ReferencedFile[] = [];
  const findings: Finding[] = [];
  for (const name of names) {
    const path = pathApi(folder).join(folder, name);
    let sha256: string | null = null;
    let size: number | null = null;
    try {
      const bytes = await fs.readFile(path, MAX_SHADOW_BYTES);
      sha256 = createHash('sha256').update(bytes).digest('hex');
      size = (await fs.stat(path)).size;
    } catch {
      // pinned as unreadable
    }
    files.push({ path, ref: name, via: 'command', sha256, size });
    findings.push({
      ruleId: LAUNCHER_SHADOW_RULE,
      severity: 'high',
      message: `"${name}" in the folder this server starts in would run instead of the guard's launcher where the host looks a bare command up in its working directory first (Windows): the entry may not launch the guard at all`,
      pointer: '/command',
    });
  }
  return { files, findings };
}
