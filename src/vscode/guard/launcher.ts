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
  const runtime = opts.runtime ?? process.execPath;
  const platform = opts.platform ?? process.platform;
  const store = opts.store;
  if (/[\r\n]/.test(cli + runtime + (store ?? ''))) throw new Error('the CLI, runtime or store path contains a line break');
  const bin = join(storageDir, 'bin');
  await fsp.mkdir(bin, { recursive: true, mode: 0o700 });
  const sh =
    '#!/bin/sh\n' +
    '# MCP Trust Guard launcher: runs the CLI of the installed extension. Rewritten on every activation.\n' +
    `CLI=${shQuote(cli)}\n` +
    `RUNTIME=${shQuote(runtime)}\n` +
    `for v in ${LOADER_VARIABLES.join(' ')}; do\n` +
    '  eval "if [ -n \\"\\${$v+x}\\" ]; then ' + SAVED_ENV_PREFIX + '$v=\\"\\$$v\\"; export ' + SAVED_ENV_PREFIX + '$v; unset $v; fi"\n' +
    'done\n' +
    'ELECTRON_RUN_AS_NODE=1\nexport ELECTRON_RUN_AS_NODE\n' +
    (store !== undefined ? `exec "$RUNTIME" "$CLI" --store ${shQuote(store)} "$@"\n` : 'exec "$RUNTIME" "$CLI" "$@"\n');
  await writeFileAtomic(join(bin, 'mcp-trust-guard'), sh, { mode: 0o755 });
  const winSafe = !/["%]/.test(cli + runtime + (store ?? ''));
  if (winSafe) {
    const cmd = [
      '@echo off',
      'rem MCP Trust Guard launcher: runs the CLI of the installed extension. Rewritten on every activation.',
      'setlocal',
      `set "CLI=${cli}"`,
      `set "RUNTIME=${runtime}"`,
      ...LOADER_VARIABLES.map((v) => `if defined ${v} (set "${SAVED_ENV_PREFIX}${v}=%${v}%" & set "${v}=")`),
      'set ELECTRON_RUN_AS_NODE=1',
      store !== undefined ? `"%RUNTIME%" "%CLI%" --store "${store}" %*` : '"%RUNTIME%" "%CLI%" %*',
      'exit /b %ERRORLEVEL%',
      '',
    ].join('\r\n');
    await writeFileAtomic(join(bin, 'mcp-trust-guard.cmd'), cmd);
  } else if (platform === 'win32') {
    throw new Error('the CLI or runtime path contains " or %, which a Windows launcher cannot carry');
  }
  const record: LauncherRecord = { cli, runtime, ...(store !== undefined ? { store } : {}), updatedAt: new Date().toISOString() };
  await writeFileAtomic(join(bin, 'launcher.json'), JSON.stringify(record, null, 1) + '\n');
  return { command: join(bin, platform === 'win32' ? 'mcp-trust-guard.cmd' : 'mcp-trust-guard'), args: [] };
}
