/**
 * The one place that spawns and kills server process trees, for the probe and the guard proxy alike.
 *
 * - POSIX: the server is spawned `detached`, so it leads a new process group whose id is its pid; signals go to the
 *   whole group (`kill(-pgid)`), which reaches every child that did not start a group of its own.
 * - Windows: there are no process groups; a tree is ended with `taskkill /T` (the tree by parent pid, `/F` for the
 *   final kill). A `.cmd`/`.bat` shim (such as `npx.cmd`) cannot be spawned without a shell since Node 20.12
 *   (CVE-2024-27980): it is run through `%ComSpec% /d /s /c` with each argument quoted for cmd, as cross-spawn (the
 *   SDK's spawner) does.
 *
 * Follows vscode-js-debug `src/common/processUtils.ts` in spirit: nothing else in the project spawns or kills.
 */
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Options of {@link spawnTree}. */
export interface SpawnTreeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdio: StdioOptions;
}

/** Quotes one argument for `cmd.exe /s /c` (cross-spawn's escaping: `^`-escape metacharacters after quoting). */
function cmdQuote(arg: string): string {
  let a = `${arg}`.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\*)$/, '$1$1');
  a = `"${a}"`;
  return a.replace(/([()\][%!^"`<>&|;, *?])/g, '^$1');
}

/**
 * Spawns `command args` (`shell: false`) as the root of a tree this module can later signal as a whole.
 * @throws what `child_process.spawn` throws synchronously (bad arguments); a missing command is an `error` event.
 */
export function spawnTree(command: string, args: readonly string[], opts: SpawnTreeOptions): ChildProcess {
  if (process.platform === 'win32' && /\.(cmd|bat)$/i.test(command)) {
    const line = [command, ...args].map(cmdQuote).join(' ');
    return spawn(opts.env.ComSpec ?? process.env.ComSpec ?? 'cmd.exe', ['/d', '/s', '/c', `"${line}"`], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: opts.stdio,
      windowsHide: true,
      windowsVerbatimArguments: true,
    });
  }
  return spawn(command, [...args], { cwd: opts.cwd, env: opts.env, shell: false, detached: process.platform !== 'win32', windowsHide: true, stdio: opts.stdio });
}

/**
 * Sends `sig` to the tree rooted at `child` (POSIX: its process group; Windows: `taskkill /T`, `/F` for SIGKILL).
 * @returns false when there was nothing to signal.
 */
export function signalTree(child: ChildProcess, sig: NodeJS.Signals): boolean {
  const pid = child.pid;
  if (pid === undefined) return false;
  try {
    if (process.platform === 'win32') {
      const r = spawnSync('taskkill', ['/T', ...(sig === 'SIGKILL' ? ['/F'] : []), '/PID', String(pid)], { windowsHide: true, stdio: 'ignore', timeout: 5_000 });
      if (r.status !== 0) child.kill(sig);
    } else process.kill(-pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** Linux: whether a non-zombie process with process group `pgid` exists (reads `/proc/<pid>/stat`). */
function liveGroupMembers(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const e of entries) {
    if (!/^[0-9]+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'latin1');
    } catch {
      continue;
    }
    // Fields after the parenthesized command name: state ppid pgrp ...
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z' && rest[0] !== 'X') return true;
  }
  return false;
}

/**
 * Whether any process of the tree rooted at `pid` still runs. POSIX: its process group; once the root was
 * reaped (`rootExited`), Linux zombies (dead, waiting for init) do not count. Windows: whether `pid` runs.
 */
export function treeAlive(pid: number, rootExited: boolean): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux' || !rootExited) return true;
  return liveGroupMembers(pid);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/**
 * Ends the tree rooted at `child`: SIGTERM, then SIGKILL once `graceMs` passed with any member alive. Resolves once
 * the tree is gone or `graceMs + 2,000` ms passed.
 * @param exited whether the root has exited (read at each check).
 */
export async function killTree(child: ChildProcess, graceMs: number, exited: () => boolean): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  if (!exited() || treeAlive(pid, exited())) signalTree(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && (!exited() || treeAlive(pid, exited()))) await sleep(5);
  if (!exited() || treeAlive(pid, exited())) signalTree(child, 'SIGKILL');
  const until = Date.now() + 2_000;
  while (Date.now() < until && (!exited() || treeAlive(pid, exited()))) await sleep(5);
}
