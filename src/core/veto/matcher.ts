/**
 * Server matchers of the hosts' own pre-launch vetoes: the format VS Code (`chat.mcp.allowedServers`,
 * `chat.mcp.deniedServers`, since 1.130) and Claude Code (`allowedMcpServers`, `deniedMcpServers`) both read.
 *
 * A matcher is an object with exactly one of `serverName`, `serverUrl` or `serverCommand`:
 * - `serverCommand`: the exact resolved argv `[command, ...args]` of a stdio server (element-wise equality);
 * - `serverUrl`: the URL of a remote server (VS Code compares origin + path + query case-insensitively, and
 *   treats `*` as a wildcard);
 * - `serverName`: the server's configured name.
 *
 * Sources: VS Code 1.139.1 workbench, the allowed-servers service (`checkServerAllowed`, `toIdentity`,
 * matcher validation and matching: one of the three keys, non-empty); Claude Code docs "Control MCP server
 * access for your organization" (managed-mcp: "Command arrays must match exactly").
 */
import { commandLine } from '../edit/guard';
import { canonicalHash } from '../fingerprint';

/** One veto matcher (see the module doc). */
export type VetoMatcher = { serverName: string } | { serverUrl: string } | { serverCommand: string[] };

/**
 * Whether `value` is a matcher the hosts accept: a plain object with exactly one of the three keys, a non-empty
 * string (name, URL) or a non-empty array of strings (command). Other members are ignored by the hosts and are
 * not looked at here either.
 */
export function isVetoMatcher(value: unknown): value is VetoMatcher {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const name = typeof v.serverName === 'string' && v.serverName.length > 0;
  const url = typeof v.serverUrl === 'string' && v.serverUrl.length > 0;
  const cmd = Array.isArray(v.serverCommand) && v.serverCommand.length > 0 && v.serverCommand.every((x) => typeof x === 'string');
  return Number(name) + Number(url) + Number(cmd) === 1;
}

/**
 * A stable key for a matcher: the SHA-256 of its canonical JSON (RFC 8785) restricted to the one matching key,
 * so `{serverName: "x", note: 1}` and `{serverName: "x"}` are the same matcher, as the hosts see them.
 */
export function matcherKey(m: VetoMatcher): string {
  if ('serverCommand' in m) return canonicalHash({ serverCommand: m.serverCommand });
  if ('serverUrl' in m) return canonicalHash({ serverUrl: m.serverUrl });
  return canonicalHash({ serverName: m.serverName });
}

/** What a host checks a server against, once its launch is resolved (VS Code's `toIdentity`). */
export interface LaunchIdentity {
  name: string;
  /** `[command, ...args]` of a stdio server, variables resolved. */
  command?: string[];
  /** URL of a remote server, variables resolved. */
  url?: string;
}

/**
 * The matchers that hit exactly this launch, most precise first: the command (stdio) or the URL (remote) when
 * known, else the name. A URL holding `*` is a wildcard to VS Code, so it is not returned as an exact URL matcher
 * (its name is used instead).
 */
export function matcherFor(id: LaunchIdentity): VetoMatcher {
  if (id.command && id.command.length > 0) return { serverCommand: [...id.command] };
  if (id.url && !id.url.includes('*')) return { serverUrl: id.url };
  return { serverName: id.name };
}

/** The display form of a matcher for messages: `command a b`, `url …`, `name …`. */
export function describeMatcher(m: VetoMatcher): string {
  if ('serverCommand' in m) return `command ${commandLine(m.serverCommand[0], m.serverCommand.slice(1))}`;
  if ('serverUrl' in m) return `url ${m.serverUrl}`;
  return `name ${m.serverName}`;
}
