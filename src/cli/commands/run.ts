import { isAbsolute, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { connectRemoteBridge } from '../../core/probe/bridge';
import { homeStorePath, realHome, restoreLoaderVariables, runGuardProxy, stderrLogger, type LogLevel } from '../../proxy';
import { CliError, type GlobalOptions, type Io } from '../context';

/**
 * V8's profiler budget for the guard process, in bytes of bytecode run between two tier-up checks of a function
 * (V8 11, Node 20: `--interrupt-budget`, default 66 KiB; a function is optimized after 3 or more checks). The
 * relay's hot path is a chain of small functions that each run a few dozen bytes of bytecode per message, so with
 * the default they stay in baseline code for about the first 20,000 messages of a session (`--log-code` on the
 * echo bench: the last of them optimized at 10.5 s); at 8 KiB, at 3.6 s. A long-lived relay wants its loop
 * optimized early. Later V8 (13.6, Node 24) tiers up by invocation count and has no such flag, so it is set only
 * on V8 11 and older, where it was measured.
 */
const RELAY_INTERRUPT_BUDGET = 8192;

/** Sets {@link RELAY_INTERRUPT_BUDGET} for this process when its V8 has that flag. */
function tuneRelayTierUp(): void {
  if (Number.parseInt(process.versions.v8, 10) <= 11) setFlagsFromString(`--interrupt-budget=${RELAY_INTERRUPT_BUDGET}`);
}

/** Options of `run` (besides the global `--store`). */
export interface RunOptions {
  config?: string;
  name?: string;
  url?: string;
  maxMessageBytes?: string;
}

/**
 * `mcp-trust-guard run --config <configFile> --name <server> [--store <file>] -- <command> [args...]`
 * `mcp-trust-guard run --url <url> --config <configFile> --name <server> [--store <file>]`
 *
 * The guard proxy, meant to be the `command` of a config entry (see `src/core/edit/guard.ts`). Flags (stable):
 * - `--config <file>`: the config file whose entry launches this proxy (absolute, or relative to the cwd);
 * - `--name <server>`: the entry's server name in that file;
 * - `--store <file>` (global, before `run`; the launcher the extension installs bakes it in): the trust store,
 *   absolute; default: the per-OS config dir under the user's real home. `$MCP_TRUST_GUARD_STORE`, `HOME` and
 *   `XDG_CONFIG_HOME` are ignored here: a host builds this process's environment partly from workspace files;
 * - `--url <url>`: bridge to a remote server (streamable HTTP, falling back to SSE) instead of spawning one;
 * - `--max-message-bytes <n>`: cap of one JSON-RPC message (default 4 MiB);
 * - everything after `--`: the server command and its args, spawned only when they are exactly the approved
 *   entry's.
 * Logs go to stderr (`$MCP_TRUST_GUARD_LOG` = debug|info|warn|error, default info); stdout carries JSON-RPC only.
 *
 * @returns the exit code: the server's, 0 when a blocked stand-in's host closed stdin, 1 when the server could
 *   not be started.
 * @throws CliError (exit 2) on a usage error (missing `--config`/`--name`, neither a command nor `--url`).
 */
export async function runCommand(command: string[], o: RunOptions, opts: GlobalOptions, io: Io, version: string): Promise<number> {
  if (!o.config || !o.name) throw new CliError('run needs --config <configFile> and --name <server>');
  if (o.url !== undefined && command.length) throw new CliError('run takes either --url <url> or a command after "--", not both');
  if (o.url === undefined && !command.length) throw new CliError('run needs the server command after "--" (or --url <url>)');
  const level = (['debug', 'info', 'warn', 'error'] as const).find((l) => l === io.env.MCP_TRUST_GUARD_LOG) ?? 'info';
  const logger = stderrLogger(level as LogLevel, (s) => io.err(s));
  if (opts.store !== undefined && !isAbsolute(opts.store)) throw new CliError(`run needs an absolute --store (got ${JSON.stringify(opts.store)})`);
  const home = realHome();
  const max = o.maxMessageBytes !== undefined ? Number(o.maxMessageBytes) : undefined;
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw new CliError('--max-message-bytes must be a positive integer');
  tuneRelayTierUp();
  const code = await runGuardProxy({
    invocation: {
      configFile: resolve(io.cwd, o.config),
      name: o.name,
      ...(o.url !== undefined ? { url: o.url } : { command: command[0] }),
      args: command.slice(1),
      cwd: io.cwd,
      env: restoreLoaderVariables(io.env),
      home,
    },
    storePath: opts.store ?? homeStorePath(home),
    logger,
    version,
    stdin: process.stdin,
    stdout: process.stdout,
    ...(max ? { maxMessageBytes: max } : {}),
    connectRemote: connectRemoteBridge,
  });
  // Release stdin so the process can end; the unref'd timer is a safety net for any handle left by a server.
  process.stdin.destroy();
  setTimeout(() => process.exit(code), 500).unref();
  return code;
}
