import { isGuarded } from '../edit/guard';
import { HOSTS } from '../hosts';
import { isBareCommand, resolveCommand } from '../launch/command';
import { resolveVariables } from '../launch/variables';
import { resolveLaunch } from '../probe/launch';
import type { ServerSpec } from '../types';

/**
 * The binary a guarded stdio entry's proxy runs, as the approval pins it: the guard proxy looks the command after
 * `--` up on a `PATH` without workspace folders and spawns the absolute path it finds, so that path is part of
 * the effective launch. A different binary resolving first later (a new file in a `PATH` folder, another `PATH`)
 * is a change (`/$command`), and the proxy refuses it.
 */
export interface CommandPin {
  /** The command after `--` as the host passes it (variables resolved; as written when one cannot be). */
  name: string;
  /** The absolute path it resolves to (`resolveCommand`), or `null` when nothing executable was found. */
  path: string | null;
}

/** Inputs of {@link pinCommand}. */
export interface CommandPinContext {
  /**
   * The environment the proxy would get from the host, before the entry's own (`envFile`, then `env`, which are
   * laid over it here as hosts lay them). The scanning process's own by default.
   */
  env?: NodeJS.ProcessEnv;
  /** The user's home (for `~`, `${userHome}` and the dotfiles exemption of the git-tree rule). */
  home: string;
}

/**
 * Resolves what a guarded entry's proxy will spawn, with the proxy's own lookup (`resolveCommand` of
 * `src/core/launch/command.ts`: `PATH` of the launch's environment, workspace folder and git working trees
 * skipped). Only a bare command name is pinned this way: a path is the entry's text (and pinned as a file when it
 * lies in the workspace).
 * @returns undefined for an entry that is not a guarded stdio entry with a bare command. Never throws.
 */
export function pinCommand(spec: ServerSpec, ctx: CommandPinContext): CommandPin | undefined {
  if (spec.transport !== 'stdio') return undefined;
  const g = isGuarded(spec.raw);
  if (g?.command === undefined) return undefined;
  const base = ctx.env ?? process.env;
  const vars = { env: base, workspaceFolder: spec.workspaceFolder, home: ctx.home };
  const r = resolveVariables(g.command, HOSTS[spec.host].variables, vars);
  if (r.unresolved.length) return { name: g.command, path: null };
  if (!isBareCommand(r.value)) return undefined;
  let env: NodeJS.ProcessEnv = base;
  try {
    const launch = resolveLaunch(spec, { env: base, workspaceFolder: spec.workspaceFolder, home: ctx.home });
    if (launch.transport === 'stdio') env = launch.env;
  } catch {
    // An entry whose env cannot be resolved here (`${input:…}`, an unreadable envFile) is pinned with the base
    // environment's PATH; the proxy compares what it finds with that, and refuses a difference.
  }
  const exclude = spec.workspaceFolder !== undefined ? [spec.workspaceFolder] : [];
  const found = resolveCommand(r.value, env, spec.workspaceFolder ?? ctx.home, exclude, ctx.home);
  return { name: r.value, path: 'path' in found ? found.path : null };
}
