/**
 * The one variable resolver. Fingerprinting (which workspace files a launch reads), probing (what to spawn) and
 * the guard proxy's gate (whether its own argv is the approved one) all resolve a host's variables here, with the
 * forms the host's adapter declares (`HostAdapter.variables`, see `src/core/hosts/types.ts`). A variable that
 * cannot be resolved is never dropped: it is returned as an {@link UnresolvedVariable} so the caller can fail
 * closed (a high `unresolved-variable` finding, a refused probe, a gate that matches only what it can prove).
 */
import type { VariableForm } from '../hosts/types';

/** What variables stand for. */
export interface VariableContext {
  /**
   * The host's environment. `undefined` when it is not known (fingerprinting: the scanning process is not the
   * host), which makes every environment-dependent form unresolved.
   */
  env?: Record<string, string | undefined>;
  /** Absolute path of `${workspaceFolder}` (the folder the entry's file belongs to). */
  workspaceFolder?: string;
  /** Every folder of a multi-root workspace, for `${workspaceFolder:name}` (matched on the folder's basename). */
  workspaceFolders?: readonly string[];
  /** The user's home directory (`${userHome}`, `~/`). */
  home: string;
  /** Absolute path of the config file the value comes from (`${extensionPath}` is its folder). */
  configFile?: string;
  /** `${pathSeparator}` and `${/}`; default: the running OS's. */
  pathSeparator?: '/' | '\\';
}

/** Why a variable could not be resolved. */
export type UnresolvedKind = 'input' | 'env' | 'workspace' | 'file' | 'command';

/** A variable left as written, and why. */
export interface UnresolvedVariable {
  /** The variable as written (`${input:key}`, `${TOKEN}`, `{file:./x}`). */
  variable: string;
  kind: UnresolvedKind;
  /** One sentence, for messages. */
  reason: string;
}

/** One piece of a resolved string: literal text, or a variable that stays unresolved. */
export type ResolvedPart = { text: string } | { unresolved: UnresolvedVariable };

/** The result of {@link resolveVariables}. */
export interface Resolution {
  /** The string with every resolvable variable replaced; unresolved ones are kept as written. */
  value: string;
  /** Every variable that could not be resolved, in order. */
  unresolved: UnresolvedVariable[];
  /** The same string as parts (literal text and unresolved variables), for matching with wildcards. */
  parts: ResolvedPart[];
}

/** `${{…}}` (mustache), `${…}` (VS Code, shell, env-colon forms), `$NAME` (shell-bare), `{env:X}`/`{file:x}` (OpenCode forms). */
const TOKEN = /\$\{\{([^}]*)\}\}|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\{(env|file):([^}]*)\}/g;
const SHELL_NAME = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

function basename(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? '';
}

/** The folder of a path (either separator), without the trailing separator. */
function dirnameOf(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i <= 0 ? p.slice(0, i + 1) : p.slice(0, i);
}

/**
 * Resolves the variables of one string with the forms a host supports (see `VariableForm`):
 * - `predefined`: `${workspaceFolder}` (alias `${workspaceRoot}`), `${workspaceFolder:name}`,
 *   `${workspaceFolderBasename}`, `${userHome}`, `${pathSeparator}`, `${/}`, `${env:X}` (empty when unset, as VS
 *   Code does); `${input:id}`, `${command:id}` and `${config:x}` are unresolved (asked or computed at launch).
 *   Other `${…}` names stay as written (VS Code leaves them).
 * - `shell`: `${X}`, `${X:-default}` (Claude Code): unset without default is unresolved (the host refuses the
 *   entry); a known-empty value takes the default.
 * - `shell-bare`: `$X` and `${X}` (Gemini CLI's `resolveEnvVarsInString`): unset stays as written.
 * - `env-colon`: `${env:X}` only (empty when unset).
 * - `curly`: `{env:X}` (empty when unset) and `{file:path}` (the file's content: unresolved here).
 * - `mustache`: `${{ secrets.X }}`/`${{ inputs.X }}` (Continue) are unresolved (the host's secret store).
 * - `tilde`: a leading `~/` or `~\` is the home directory.
 * - `extension`: `${extensionPath}` (the folder of `ctx.configFile`), `${workspacePath}`, `${/}`, `${pathSeparator}`.
 * With `ctx.env` undefined, every environment-dependent variable is unresolved (kind `env`).
 * Pure; never throws.
 */
export function resolveVariables(value: string, forms: readonly VariableForm[], ctx: VariableContext): Resolution {
  const has = (f: VariableForm) => forms.includes(f);
  let text = value;
  if (has('tilde') && (text === '~' || text.startsWith('~/') || text.startsWith('~\\'))) text = ctx.home + text.slice(1);
  // No token can start without `$` or `{`: most values (paths, flags, names) take this path on every scan.
  if (!text.includes('$') && !text.includes('{')) return { value: text, unresolved: [], parts: text ? [{ text }] : [] };
  const sep = ctx.pathSeparator ?? (process.platform === 'win32' ? '\\' : '/');
  const parts: ResolvedPart[] = [];
  const unresolved: UnresolvedVariable[] = [];
  let last = 0;
  const push = (s: string) => {
    if (!s) return;
    const prev = parts[parts.length - 1];
    if (prev && 'text' in prev) prev.text += s;
    else parts.push({ text: s });
  };
  const fail = (variable: string, kind: UnresolvedKind, reason: string) => {
    const u = { variable, kind, reason };
    unresolved.push(u);
    parts.push({ unresolved: u });
  };
  const envValue = (whole: string, name: string, emptyWhenUnset: boolean): string | undefined => {
    if (!ctx.env) {
      fail(whole, 'env', `${whole} takes its value from the host's environment, which is not known here`);
      return undefined;
    }
    const v = ctx.env[name];
    return v ?? (emptyWhenUnset ? '' : undefined);
  };
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    const whole = m[0];
    push(text.slice(last, m.index));
    last = m.index + whole.length;
    const out = resolveOne(whole, m, has, ctx, sep, fail, envValue);
    if (out !== undefined) push(out);
  }
  push(text.slice(last));
  const joined = parts.map((p) => ('text' in p ? p.text : p.unresolved.variable)).join('');
  return { value: joined, unresolved, parts };
}

type Fail = (variable: string, kind: UnresolvedKind, reason: string) => void;
type EnvValue = (whole: string, name: string, emptyWhenUnset: boolean) => string | undefined;

/** The replacement of one token, `undefined` when `fail` was called, or the token itself when it is no variable. */
function resolveOne(whole: string, m: RegExpExecArray, has: (f: VariableForm) => boolean, ctx: VariableContext, sep: string, fail: Fail, envValue: EnvValue): string | undefined {
  const [, mustache, braced, bare, ocKind, ocBody] = m;
  if (mustache !== undefined) {
    if (!has('mustache')) return whole;
    fail(whole, 'input', `${whole} is filled in by the host from its secrets or inputs when the server starts`);
    return undefined;
  }
  if (ocKind !== undefined) {
    if (!has('curly')) return whole;
    if (ocKind === 'env') return envValue(whole, ocBody.trim(), true);
    fail(whole, 'file', `${whole} is replaced by the content of a file when the host reads its config`);
    return undefined;
  }
  if (bare !== undefined) {
    if (!has('shell-bare')) return whole;
    const v = envValue(whole, bare, false);
    return v === undefined ? (ctx.env ? whole : undefined) : v;
  }
  const body = braced;
  if (has('extension')) {
    switch (body) {
      case 'extensionPath':
        if (ctx.configFile === undefined) {
          fail(whole, 'workspace', `${whole} is the folder of the extension, which is not known here`);
          return undefined;
        }
        return dirnameOf(ctx.configFile);
      case 'workspacePath':
        if (ctx.workspaceFolder === undefined) {
          fail(whole, 'workspace', `${whole} is used but no workspace folder is known`);
          return undefined;
        }
        return ctx.workspaceFolder;
      case '/':
      case 'pathSeparator':
        return sep;
    }
  }
  if (has('predefined') || has('env-colon')) {
    if (body.startsWith('env:')) {
      const v = envValue(whole, body.slice(4), true);
      return v;
    }
  }
  if (has('predefined')) {
    if (body.startsWith('input:')) {
      fail(whole, 'input', `${whole} is a value the user types (or a command computes) when the server starts`);
      return undefined;
    }
    if (body.startsWith('command:') || body.startsWith('config:')) {
      fail(whole, 'command', `${whole} is computed by the editor when the server starts`);
      return undefined;
    }
    switch (body) {
      case 'workspaceFolder':
      case 'workspaceRoot':
      case 'workspaceFolderBasename':
        if (ctx.workspaceFolder === undefined) {
          fail(whole, 'workspace', `${whole} is used but no workspace folder is known`);
          return undefined;
        }
        return body === 'workspaceFolderBasename' ? basename(ctx.workspaceFolder) : ctx.workspaceFolder;
      case 'userHome':
        return ctx.home;
      case 'pathSeparator':
      case '/':
        return sep;
    }
    if (body.startsWith('workspaceFolder:')) {
      const name = body.slice('workspaceFolder:'.length);
      const folder = (ctx.workspaceFolders ?? (ctx.workspaceFolder ? [ctx.workspaceFolder] : [])).find((f) => basename(f) === name);
      if (folder === undefined) {
        fail(whole, 'workspace', `${whole} names a workspace folder that is not open`);
        return undefined;
      }
      return folder;
    }
  }
  const shell = SHELL_NAME.exec(body);
  if (shell && has('shell')) {
    const v = envValue(whole, shell[1], false);
    if (!ctx.env) return undefined;
    if (v !== undefined && v !== '') return v;
    if (shell[2] !== undefined) return shell[2];
    if (v !== undefined) return v;
    fail(whole, 'env', `${shell[1]} is not set in the environment (the host refuses the entry)`);
    return undefined;
  }
  if (shell && shell[2] === undefined && has('shell-bare')) {
    const v = envValue(whole, shell[1], false);
    return v === undefined ? (ctx.env ? whole : undefined) : v;
  }
  return whole;
}
