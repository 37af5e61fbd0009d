/**
 * The stable launcher of the guard: `<globalStorage>/bin/mcp-trust-guard` (POSIX
 * sh) and `mcp-trust-guard.cmd` (Windows), rewritten on every activation so that they run the CLI bundled with
 * the extension version installed NOW (`dist/cli.js`). A guarded config entry names the launcher, whose path
 * does not change when the extension updates. Each script runs the editor's own runtime by its absolute path
 * (`process.execPath` with `ELECTRON_RUN_AS_NODE=1`), never a `node` from the host's PATH, so guarded entries work
 * on machines without Node and a workspace cannot choose the guard's runtime.
 * `launcher.json` beside them records the paths in use (for diagnostics and other tools).
 *
 * No `vscode` import: testable under plain Node.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { GuardLauncher } from '../../core/edit/guard';
import { LOADER_VARIABLES, SAVED_ENV_PREFIX } from '../../proxy/trustRoots';

/** What `launcher.json` holds. */
export interface LauncherRecord {
  /** Absolute path of the bundled CLI the launcher runs. */
  cli: string;
  /** The runtime that runs the CLI (absolute). */
  runtime: string;
  /** The trust store baked in as `--store`, when one was given. */
  store?: string;
  /** ISO time of the last rewrite. */
  updatedAt: string;
}

/** Quotes a string for POSIX sh (single quotes; `'` becomes `'\''`). */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Options of {@link installLauncher}. */
export interface LauncherOptions {
  /** The runtime that runs the CLI, by absolute path (default `process.execPath`: the editor's own). */
  runtime?: string;
  /** The trust store the guard believes (absolute), baked in as `--store`; default: the CLI's per-OS default. */
  store?: string;
  platform?: NodeJS.Platform;
}

const installed = new Set<string>();

/**
 * Absolute paths of the launchers written in this process (the storage one and the one on `PATH`): an entry guarded
 * before the launcher was on `PATH` names one of them, and the strict parse accepts exactly these.
 */
export function knownLaunchers(): string[] {
  return [...installed];
}

/** The first line after the shebang of every launcher script the guard writes: how it recognises its own. */
const MARK = 'MCP Trust Guard launcher';

/** What {@link writeScripts} writes. */
interface ScriptTargets {
  /** Write the other OS's script too (the storage folder keeps both, as before). */
  both: boolean;
  /** Write `launcher.json` beside the scripts. */
  record: boolean;
  /** Leave a script of someone else in place (refuse) instead of replacing it. */
  keepForeign: boolean;
}

/** Whose the launcher script `file` is: nobody's (absent), the guard's, or someone else's (unreadable counts as that). */
async function ownerOf(file: string): Promise<'absent' | 'guard' | 'foreign'> {
  const text = await fsp.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : ''));
  return text === undefined ? 'absent' : text.slice(0, 400).includes(MARK) ? 'guard' : 'foreign';
}

/** The launcher script this platform runs in `bin`. */
function scriptIn(bin: string, platform: NodeJS.Platform): string {
  return join(bin, platform === 'win32' ? 'mcp-trust-guard.cmd' : 'mcp-trust-guard');
}

/** Writes the launcher scripts (and `launcher.json`) into `bin`; see {@link installLauncher}. */
async function writeScripts(bin: string, cli: string, opts: LauncherOptions, targets: ScriptTargets): Promise<string> {
  const runtime = opts.runtime ?? process.execPath;
  const platform = opts.platform ?? process.platform;
  const store = opts.store;
  if (/[\r\n]/.test(cli + runtime + (store ?? ''))) throw new Error('the CLI, runtime or store path contains a line break');
  await fsp.mkdir(bin, { recursive: true, mode: 0o700 });
  const shFile = join(bin, 'mcp-trust-guard');
  const cmdFile = join(bin, 'mcp-trust-guard.cmd');
  const mine = scriptIn(bin, platform);
  if (targets.keepForeign && (await ownerOf(mine)) === 'foreign') throw new Error(`${mine} exists and is not the guard's launcher; it was left as it is`);
  if (platform !== 'win32' || targets.both) {
    const sh =
      '#!/bin/sh\n' +
      `# ${MARK}: runs the CLI of the installed extension. Rewritten on every activation.\n` +
      `CLI=${shQuote(cli)}\n` +
      `RUNTIME=${shQuote(runtime)}\n` +
      `for v in ${LOADER_VARIABLES.join(' ')}; do\n` +
      '  eval "if [ -n \\"\\${$v+x}\\" ]; then ' + SAVED_ENV_PREFIX + '$v=\\"\\$$v\\"; export ' + SAVED_ENV_PREFIX + '$v; unset $v; fi"\n' +
      'done\n' +
      'ELECTRON_RUN_AS_NODE=1\nexport ELECTRON_RUN_AS_NODE\n' +
      (store !== undefined ? `exec "$RUNTIME" "$CLI" --store ${shQuote(store)} "$@"\n` : 'exec "$RUNTIME" "$CLI" "$@"\n');
    await writeFileAtomic(shFile, sh, { mode: 0o755 });
  }
  const winSafe = !/["%]/.test(cli + runtime + (store ?? ''));
  if (winSafe && (platform === 'win32' || targets.both)) {
    const cmd = [
      '@echo off',
      `rem ${MARK}: runs the CLI of the installed extension. Rewritten on every activation.`,
      'setlocal',
      `set "CLI=${cli}"`,
      `set "RUNTIME=${runtime}"`,
      ...LOADER_VARIABLES.map((v) => `if defined ${v} (set "${SAVED_ENV_PREFIX}${v}=%${v}%" & set "${v}=")`),
      'set ELECTRON_RUN_AS_NODE=1',
      store !== undefined ? `"%RUNTIME%" "%CLI%" --store "${store}" %*` : '"%RUNTIME%" "%CLI%" %*',
      'exit /b %ERRORLEVEL%',
      '',
    ].join('\r\n');
    await writeFileAtomic(cmdFile, cmd);
  } else if (platform === 'win32') {
    throw new Error('the CLI or runtime path contains " or %, which a Windows launcher cannot carry');
  }
  installed.add(mine);
  if (targets.record) {
    const record: LauncherRecord = { cli, runtime, ...(store !== undefined ? { store } : {}), updatedAt: new Date().toISOString() };
    await writeFileAtomic(join(bin, 'launcher.json'), JSON.stringify(record, null, 1) + '\n');
  }
  return mine;
}

/**
 * Writes (atomically) the launchers and `launcher.json` into `<storageDir>/bin` and returns the launcher a
 * config entry should name on this platform (`args` is empty). The launcher runs `runtime` by its absolute path
 * (never a `node` found on the host's PATH) with `ELECTRON_RUN_AS_NODE=1`, clears the loader variables
 * (`LOADER_VARIABLES`: `NODE_OPTIONS`, `LD_PRELOAD`, `DYLD_*`, …) for the guard after keeping each aside as
 * `MCP_TRUST_GUARD_ENV_<NAME>` (the guard restores them for the server it starts), and passes `--store <store>`
 * before the caller's arguments, so the trust store comes from the user's settings, not from the host's
 * environment (which a workspace's `envFile` or `.env` can set).
 *
 * @param storageDir the extension's global storage directory (`ExtensionContext.globalStorageUri.fsPath`).
 * @param cli absolute path of the bundled CLI (`dist/cli.js` of the installed extension).
 * @throws when a path contains a character the Windows script cannot carry (`"`, `%`, newline) on Windows, or
 *   a newline anywhere; I/O errors.
 */
export async function installLauncher(storageDir: string, cli: string, opts: LauncherOptions = {}): Promise<GuardLauncher> {
  const command = await writeScripts(join(storageDir, 'bin'), cli, opts, { both: true, record: true, keepForeign: false });
  return { command, args: [] };
}

/**
 * Installs the same launcher (see {@link installLauncher}) as the command `mcp-trust-guard` in the user's bin
 * directory (`userBinDir`: `$XDG_BIN_HOME` or `~/.local/bin`), so a guarded entry can name it by that bare name
 * and hold no path of this machine: the POSIX script on Linux and macOS, `mcp-trust-guard.cmd` on Windows.
 * A file of that name that the guard did not write is left in place (and this throws).
 *
 * @param binDir the user's bin directory (absolute).
 * @returns the script's absolute path.
 * @throws as {@link installLauncher}, and when `binDir` holds a `mcp-trust-guard` of someone else.
 */
export async function installPathLauncher(binDir: string, cli: string, opts: LauncherOptions = {}): Promise<string> {
  return writeScripts(binDir, cli, opts, { both: false, record: false, keepForeign: true });
}

/** What {@link activatePathLauncher} did. */
export interface PathLauncherActivation {
  /** Absolute path of the script, when it is there now. */
  script?: string;
  /** Nothing was written: the setting is off and no launcher of the guard's is there (Guard Server installs it). */
  deferred: boolean;
}

/**
 * The launcher on PATH at activation (`mcpTrustGuard.installLauncherOnPath`). On (`install`): written as
 * {@link installPathLauncher} writes it, so guarded entries (also those a team committed) run on this machine. Off:
 * nothing is created (not even the folder) while no launcher of the guard's is there; one that is there (Guard
 * Server installed it after the user's consent) is kept pointing at the installed CLI, since an update moves it.
 *
 * @throws as {@link installPathLauncher}.
 */
export async function activatePathLauncher(binDir: string, cli: string, install: boolean, opts: LauncherOptions = {}): Promise<PathLauncherActivation> {
  if (!install && (await ownerOf(scriptIn(binDir, opts.platform ?? process.platform))) !== 'guard') return { deferred: true };
  return { script: await installPathLauncher(binDir, cli, opts), deferred: false };
}
