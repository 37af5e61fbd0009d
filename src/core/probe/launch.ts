/**
 * Turns an approved launch spec into exactly what a host would spawn or connect to: variables resolved, the
 * environment merged as hosts merge it. No SDK import, no process is started here.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, resolve as resolvePath } from 'node:path';
import { HOSTS, variableFormsOf } from '../hosts';
import { parseDotenv } from '../launch/dotenv';
import { resolveVariables } from '../launch/variables';

export { parseDotenv } from '../launch/dotenv';
import type { HostId, ServerSpec } from '../types';
import type { ClientInfo } from './types';

/** Thrown by {@link resolveLaunch} when a spec cannot be resolved without asking the user (`${input:…}`). */
export class LaunchResolveError extends Error {
  override name = 'LaunchResolveError';
}

/** Largest `envFile` read, in bytes. */
export const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** A stdio launch, resolved: spawn `command` with `args` in `cwd` with exactly `env` (`shell: false`). */
export interface ResolvedStdioLaunch {
  transport: 'stdio';
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
}

/** A remote server, resolved: its URL and request headers. */
export interface ResolvedRemoteLaunch {
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

/** What {@link resolveLaunch} returns. */
export type ResolvedLaunch = ResolvedStdioLaunch | ResolvedRemoteLaunch;

/** Inputs of variable resolution. */
export interface ResolveContext {
  /** Base environment (the host's own). */
  env: Record<string, string | undefined>;
  workspaceFolder?: string;
  home?: string;
  /** The config file the values come from (some hosts' variables depend on it: `${extensionPath}`). */
  configFile?: string;
}

/**
 * Resolves the variables of one string as `host` does, with the one resolver (`src/core/launch/variables.ts`)
 * and the forms the host's adapter declares. The environment is the host's (`ctx.env`).
 *
 * @throws LaunchResolveError naming the first variable that cannot be resolved without the host (`${input:…}`,
 *   `${NAME}` unset with no default for Claude Code, `${workspaceFolder}` with no folder known, `{file:…}`).
 */
export function resolveForLaunch(value: string, host: HostId, ctx: ResolveContext): string {
  const r = resolveVariables(value, variableFormsOf(host, ctx.configFile), { env: ctx.env, workspaceFolder: ctx.workspaceFolder, home: ctx.home ?? homedir(), configFile: ctx.configFile });
  if (r.unresolved.length) throw new LaunchResolveError(r.unresolved[0].reason);
  return r.value;
}

/**
 * Resolves a launch spec into exactly what to spawn (stdio) or connect to (http/sse).
 * Environment of a stdio server = base env (the host's), then the `envFile` (dotenv), then `spec.env`, later
 * wins; a value of `undefined` is dropped. Variables are resolved in command, args, cwd, env values, envFile,
 * url and header values. The working directory is `spec.cwd`, else the workspace folder, else the user's home
 * (VS Code starts stdio servers in the workspace folder; user-level servers have none).
 *
 * @throws LaunchResolveError when a variable cannot be resolved, the spec has no command/url, or the envFile
 *   cannot be read (missing, not a file, over {@link MAX_ENV_FILE_BYTES}).
 */
export function resolveLaunch(spec: ServerSpec, ctx: ResolveContext): ResolvedLaunch {
  const r = (s: string): string => resolveForLaunch(s, spec.host, { ...ctx, configFile: spec.configFile });
  if (spec.transport !== 'stdio') {
    if (!spec.url) throw new LaunchResolveError(`server "${spec.name}" has transport ${spec.transport} but no url`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.headers ?? {})) headers[k] = r(String(v));
    return { transport: spec.transport, url: r(spec.url), headers };
  }
  if (!spec.command) throw new LaunchResolveError(`server "${spec.name}" has no command`);
  const command = r(spec.command);
  const args = (spec.args ?? []).map((a) => r(String(a)));
  const home = ctx.home ?? homedir();
  let cwd = spec.cwd !== undefined ? r(spec.cwd) : (ctx.workspaceFolder ?? home);
  if (!isAbsolute(cwd)) cwd = resolvePath(ctx.workspaceFolder ?? home, cwd);

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined) env[k] = v;
  if (spec.envFile !== undefined) {
    const p = resolvePath(cwd, r(spec.envFile));
    let text: string;
    try {
      const st = statSync(p);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > MAX_ENV_FILE_BYTES) throw new Error(`larger than ${MAX_ENV_FILE_BYTES} bytes`);
      text = readFileSync(p, 'utf8');
    } catch (e) {
      throw new LaunchResolveError(`envFile ${p} cannot be read: ${(e as Error).message}`);
    }
    for (const [k, v] of Object.entries(parseDotenv(text))) env[k] = v;
  }
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    if (v === undefined || v === null) continue;
    env[k] = r(String(v));
  }
  return { transport: 'stdio', command, args, cwd, env };
}

/** The PATH separator of this platform, for callers building env values. */
export const pathListSeparator = delimiter;

/**
 * The `clientInfo` the host presents in `initialize` (its adapter's `clientInfo`, best known values from servers'
 * logs; a server that keys behaviour on them sees what the host would show it).
 */
export function defaultClientInfo(host: HostId): ClientInfo {
  return { ...HOSTS[host].clientInfo };
}
