/**
 * Wrapping a config entry in the guard proxy, and unwrapping it. Pure functions on
 * config text: edits are computed with `jsonc-parser`'s `modify` so formatting and comments outside the changed
 * values are kept.
 *
 * A guarded stdio entry launches
 * `<launcher.command> <launcher.args…> run --config <configFile> --name <name> -- <original command> <original args…>`
 * and keeps every other member (`env`, `envFile`, `cwd`, `type`, unknown fields) as it was.
 *
 * Remote entries (any member a host reads a URL from: `url`, `serverUrl`, `httpUrl`, …) are refused: a guarded remote entry would have to become a stdio
 * entry carrying the URL and any request headers (often secrets) on the command line. `mcp-trust-guard run --url`
 * exists for users who write such an entry by hand.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type Edit, type FormattingOptions, type Node } from 'jsonc-parser';
import { ALL_URL_KEYS } from '../hosts';
import { nodeToValue } from './jsonValue';

/** The stable launcher of the guard: e.g. `{command: "~/.../bin/mcp-trust-guard", args: []}` or `{command: "node", args: ["/x/dist/cli.js"]}`. */
export interface GuardLauncher {
  command: string;
  args: string[];
}

/** What a guarded entry wraps, as read from its `command`/`args` (see {@link isGuarded}). */
export interface GuardedInvocation {
  /** The launcher command and the arguments before `run`. */
  launcher: GuardLauncher;
  /** `--config` value. */
  configFile: string;
  /** `--name` value. */
  name: string;
  /** `--store` value, when given. */
  store?: string;
  /** `--url` value (remote bridge), when given. */
  url?: string;
  /** The original command (after `--`); absent for a `--url` bridge. */
  command?: string;
  /** The original args (after the original command). */
  args: string[];
}

/** Thrown when an entry cannot be guarded or unguarded; the message says why, in one sentence. */
export class GuardEditError extends Error {
  override name = 'GuardEditError';
}

/** The options of `run` that take a value, as written in a guarded entry. */
const VALUE_OPTIONS = new Set(['--config', '--name', '--store', '--url']);

/**
 * Detects a guarded entry: `args` contain `run`, followed only by `--config <file>`, `--name <server>`,
 * optionally `--store <file>` / `--url <url>` (also as `--opt=value`), then `--` and the original command (or,
 * with `--url`, nothing). The launcher is everything before `run`. Never throws.
 *
 * @param raw a parsed server entry (any JSON value).
 * @returns what it wraps, or `undefined` when the entry is not guarded.
 */
export function isGuarded(raw: unknown): GuardedInvocation | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const e = raw as Record<string, unknown>;
  if (typeof e.command !== 'string' || !Array.isArray(e.args) || !e.args.every((a) => typeof a === 'string')) return undefined;
  const args = e.args as string[];
  for (let i = args.indexOf('run'); i !== -1; i = args.indexOf('run', i + 1)) {
    const parsed = parseRunArgs(args.slice(i + 1));
    if (parsed) return { launcher: { command: e.command, args: args.slice(0, i) }, ...parsed };
  }
  return undefined;
}

/**
 * Parses the arguments after `run` (see {@link isGuarded}).
 * @returns undefined when they are not a guard invocation with `--config` and `--name`.
 */
export function parseRunArgs(rest: readonly string[]): Omit<GuardedInvocation, 'launcher'> | undefined {
  const opts: Record<string, string> = {};
  let i = 0;
  for (; i < rest.length && rest[i] !== '--'; i++) {
    const a = rest[i];
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!VALUE_OPTIONS.has(name) || name in opts) return undefined;
    if (eq > 0) opts[name] = a.slice(eq + 1);
    else {
      if (i + 1 >= rest.length) return undefined;
      opts[name] = rest[++i];
    }
  }
  const configFile = opts['--config'];
  const name = opts['--name'];
  if (configFile === undefined || name === undefined) return undefined;
  const after = i < rest.length ? rest.slice(i + 1) : undefined;
  const out: Omit<GuardedInvocation, 'launcher'> = { configFile, name, args: [] };
  if (opts['--store'] !== undefined) out.store = opts['--store'];
  if (opts['--url'] !== undefined) {
    if (after && after.length) return undefined;
    out.url = opts['--url'];
    return out;
  }
  if (!after || !after.length) return undefined;
  out.command = after[0];
  out.args = after.slice(1);
  return out;
}

/** Splits an RFC 6901 JSON Pointer into its reference tokens (`~1` → `/`, `~0` → `~`). */
export function pointerTokens(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new GuardEditError(`not a JSON Pointer: ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  const indent = m?.[1] ?? '  ';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

function entryNode(text: string, pointer: string): { root: Node; node: Node; path: string[] } {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root) throw new GuardEditError('the config file is empty or not JSON');
  const path = pointerTokens(pointer);
  const node = findNodeAtLocation(root, path);
  if (!node || node.type !== 'object') throw new GuardEditError(`no server entry at ${pointer}`);
  const keys = (node.children ?? []).map((p) => p.children?.[0]?.value as string);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) throw new GuardEditError(`the entry at ${pointer} has the key "${dup}" twice; fix the config by hand first`);
  return { root, node, path };
}

function memberValue(node: Node, key: string): unknown {
  const prop = (node.children ?? []).find((p) => p.children?.[0]?.value === key);
  const v = prop?.children?.[1];
  if (!v) return undefined;
  return nodeToValue(v);
}


/** Applies `modify` steps one after the other and returns them as one edit replacing the entry's text. */
function entryEdit(text: string, node: Node, steps: { path: (string | number)[]; value: unknown }[]): Edit[] {
  const formattingOptions = formattingOf(text);
  let cur = text;
  for (const s of steps) cur = applyEdits(cur, modify(cur, s.path, s.value, { formattingOptions }));
  const delta = cur.length - text.length;
  return [{ offset: node.offset, length: node.length, content: cur.slice(node.offset, node.offset + node.length + delta) }];
}

/**
 * Edits that wrap the stdio entry at `pointer` in the guard proxy (see the module doc).
 *
 * @param text the config file's text (JSON or JSONC).
 * @param pointer RFC 6901 JSON Pointer of the entry (its last token is the server name).
 * @param launcher the stable launcher (see `src/vscode/guard/launcher.ts`).
 * @param configFile absolute path of the config file, written as `--config`.
 * @returns jsonc-parser edits (one edit replacing the entry's value); apply with `applyEdits`.
 * @throws GuardEditError when there is no object entry at `pointer`, it has duplicate keys, it is a remote
 *   entry, it has no string `command` or non-string `args`, or it is guarded already.
 */
export function guardEntryEdits(text: string, pointer: string, launcher: GuardLauncher, configFile: string): Edit[] {
  const { node, path } = entryNode(text, pointer);
  const name = path[path.length - 1];
  if (name === undefined) throw new GuardEditError('the pointer names no server entry');
  const raw = nodeToValue(node) as Record<string, unknown>;
  if (isGuarded(raw)) throw new GuardEditError(`"${name}" is guarded already`);
  for (const k of ALL_URL_KEYS) {
    if (k in raw) {
      throw new GuardEditError(
        `"${name}" is a remote server (${k}); guarding it would put its URL and headers on a command line, so it is not rewritten. Write a "run --url" entry by hand if you want that.`,
      );
    }
  }
  const command = raw.command;
  if (typeof command !== 'string' || command === '') throw new GuardEditError(`"${name}" has no command to wrap`);
  const args = raw.args ?? [];
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new GuardEditError(`"${name}" has args that are not all strings`);
  const newArgs = [...launcher.args, 'run', '--config', configFile, '--name', name, '--', command, ...(args as string[])];
  return entryEdit(text, node, [
    { path: [...path, 'command'], value: launcher.command },
    { path: [...path, 'args'], value: newArgs },
  ]);
}

/**
 * Edits that restore the original command and args of a guarded entry (`args` is removed when the original had
 * none). Other members are left as they are.
 * @throws GuardEditError when there is no entry at `pointer` or it is not guarded (or is a `--url` bridge, whose
 *   original remote entry is not recorded).
 */
export function unguardEntryEdits(text: string, pointer: string): Edit[] {
  const { node, path } = entryNode(text, pointer);
  const g = isGuarded({ command: memberValue(node, 'command'), args: memberValue(node, 'args') });
  if (!g) throw new GuardEditError(`the entry at ${pointer} is not guarded`);
  if (g.command === undefined) throw new GuardEditError(`the entry at ${pointer} bridges a remote URL; rewrite it by hand`);
  return entryEdit(text, node, [
    { path: [...path, 'command'], value: g.command },
    { path: [...path, 'args'], value: g.args.length ? g.args : undefined },
  ]);
}

/** The command line a guarded entry would run, for consent dialogs: `command arg…`, each arg JSON-quoted when it has spaces. */
export function commandLine(command: string, args: readonly string[]): string {
  const q = (s: string) => (/^[\w@%+=:,./~-]+$/.test(s) ? s : JSON.stringify(s));
  return [command, ...args].map(q).join(' ');
}
