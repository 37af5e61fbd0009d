/**
 * The stable launcher of the guard: `<globalStorage>/bin/mcp-trust-guard` (POSIX
 * sh) and `mcp-trust-guard.cmd` (Windows), rewritten on every activation so that they run the CLI bundled with
 * the extension version installed NOW (`dist/cli.js`). A guarded config entry names the launcher, whose path
 * does not change when the extension updates. Each script runs `node` when one is on PATH, else the editor's own
 * runtime (`process.execPath` with `ELECTRON_RUN_AS_NODE=1`), so guarded entries work on machines without Node.
 * `launcher.json` beside them records the paths in use (for diagnostics and other tools).
 *
 * No `vscode` import: testable under plain Node.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { GuardLauncher } from '../../core/edit/guard';

/** What `launcher.json` holds. */
export interface LauncherRecord {
  /** Absolute path of the bundled CLI the launcher runs. */
  cli: string;
  /** The editor's runtime, used when no `node` is on PATH. */
  runtime: string;
  /** ISO time of the last rewrite. */
  updatedAt: string;
}

/** Quotes a string for POSIX sh (single quotes; `'` becomes `'\''`). */
function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes (atomically) the launchers and `launcher.json` into `<storageDir>/bin` and returns the launcher a
 * config entry should name on this platform (`args` is empty).
 *
 * @param storageDir the extension's global storage directory (`ExtensionContext.globalStorageUri.fsPath`).
 * @param cli absolute path of the bundled CLI (`dist/cli.js` of the installed extension).
 * @param runtime the editor's runtime (default `process.execPath`).
 * @throws when a path contains a character the Windows script cannot carry (`"`, `%`, newline) on Windows, or
 *   a newline anywhere; I/O errors.
 */
export async function installLauncher(storageDir: string, cli: string, runtime = process.execPath, platform = process.platform): Promise<GuardLauncher> {
  if (/[\r\n]/.test(cli + runtime)) throw new Error('the CLI or runtime path contains a line break');
  const bin = join(storageDir, 'bin');
  await fsp.mkdir(bin, { recursive: true, mode: 0o700 });
  const sh =
    '#!/bin/sh\n' +
    '# MCP Trust Guard launcher: runs the CLI of the installed extension. Rewritten on every activation.\n' +
    `CLI=${shQuote(cli)}\n` +
    `RUNTIME=${shQuote(runtime)}\n` +
    'if command -v node >/dev/null 2>&1; then exec node "$CLI" "$@"; fi\n' +
    'ELECTRON_RUN_AS_NODE=1\nexport ELECTRON_RUN_AS_NODE\nexec "$RUNTIME" "$CLI" "$@"\n';
  await writeFileAtomic(join(bin, 'mcp-trust-guard'), sh, { mode: 0o755 });
  const winSafe = !/["%]/.test(cli + runtime);
  if (winSafe) {
    const cmd = [
      '@echo off',
      'rem MCP Trust Guard launcher: runs the CLI of the installed extension. Rewritten on every activation.',
      'setlocal',
      `set "CLI=${cli}"`,
      `set "RUNTIME=${runtime}"`,
      'where node >nul 2>nul',
      'if errorlevel 1 goto editor',
      'node "%CLI%" %*',
      'exit /b %ERRORLEVEL%',
      ':editor',
      'set ELECTRON_RUN_AS_NODE=1',
      '"%RUNTIME%" "%CLI%" %*',
      'exit /b %ERRORLEVEL%',
      '',
    ].join('\r\n');
    await writeFileAtomic(join(bin, 'mcp-trust-guard.cmd'), cmd);
  } else if (platform === 'win32') {
    throw new Error('the CLI or runtime path contains " or %, which a Windows launcher cannot carry');
  }
  const record: LauncherRecord = { cli, runtime, updatedAt: new Date().toISOString() };
  await writeFileAtomic(join(bin, 'launcher.json'), JSON.stringify(record, null, 1) + '\n');
  return { command: join(bin, platform === 'win32' ? 'mcp-trust-guard.cmd' : 'mcp-trust-guard'), args: [] };
}
