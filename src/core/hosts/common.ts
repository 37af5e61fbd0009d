/**
 * Building blocks the adapters share: the wildcard section segment, transport spellings, the usual entry
 * field names and how a {@link ConfigLocation} is made. No host facts here.
 */
import type { ConfigLocation, Scope, Transport } from '../types';
import type { EntryFields, HostAdapter, HostSyntax } from './types';
import type { HostId } from './ids';

/**
 * A `serverSections` segment that matches every member of the object at that level, e.g.
 * `["projects", ANY_KEY, "mcpServers"]` for every project of `~/.claude.json`. The key it matched becomes the
 * `workspaceFolder` of the servers below it. (A literal `"*"` key can never be a project path, which is
 * absolute, so the wildcard does not shadow a real section.)
 */
export const ANY_KEY = '*';

/** Strict JSON (`JSON.parse`): no comments, no trailing commas, no empty file. */
export const STRICT_JSON: HostSyntax = { comments: false, trailingCommas: false, emptyContent: false };

/** JSONC as VS Code's `jsonc-parser` reads it: comments, trailing commas and an empty file are fine. */
export const JSONC: HostSyntax = { comments: true, trailingCommas: true, emptyContent: true };

/** `command` → stdio, else `url` → streamable HTTP (falling back to SSE). */
export const COMMAND_OR_URL = [['command', 'stdio'], ['url', 'http']] as const;

/** The field names most hosts use (`command`, `args`, `env`, `cwd`, `url`, `headers`, `type`). */
export const STANDARD_FIELDS: EntryFields = {
  command: ['command'],
  args: ['args'],
  env: ['env'],
  cwd: ['cwd'],
  url: ['url'],
  headers: ['headers'],
  envFile: ['envFile'],
  type: ['type'],
};

/**
 * Normalizes an explicit `type` of an entry to a transport. Accepts the spellings hosts document or write:
 * `stdio`, `http`, `streamable-http`, `streamableHttp`, `streamable_http`, `sse` (any case), then the host's own
 * spellings (`local` → stdio) when given.
 * @returns the transport, or `undefined` for an unknown spelling.
 */
export function transportOfType(type: string, own?: Readonly<Record<string, Transport>>): Transport | undefined {
  if (own && Object.prototype.hasOwnProperty.call(own, type)) return own[type];
  switch (type.toLowerCase().replace(/[-_ ]/g, '')) {
    case 'stdio':
      return 'stdio';
    case 'http':
    case 'streamablehttp':
      return 'http';
    case 'sse':
      return 'sse';
    default:
      return undefined;
  }
}

/** A config location of `host` (`jsonc` from the host's syntax). */
export function location(host: HostId, syntax: HostSyntax, scope: Scope, path: string, serverSections: string[][], extra?: Partial<ConfigLocation>): ConfigLocation {
  return { host, scope, path, jsonc: syntax.comments, serverSections, ...extra };
}

/** `value` when it is a non-empty absolute path for `p` (hosts ignore relative XDG-style variables). */
export function absolute(p: { isAbsolute(s: string): boolean }, value: string | undefined): string | undefined {
  return value && p.isAbsolute(value) ? value : undefined;
}

/**
 * The file format most hosts copied from Claude Desktop: strict JSON, servers under `mcpServers`, the usual field
 * names, `command` → stdio else `url` → HTTP, string values only, no variables, nothing merged in, no field that
 * widens rights. An adapter spreads it and states only what differs.
 */
export const CLAUDE_FORMAT: Pick<HostAdapter, 'format' | 'syntax' | 'serversKey' | 'fields' | 'implicitTransport' | 'envValueCoercion' | 'variables' | 'rightsFields' | 'mergedSources'> = {
  format: 'json',
  syntax: STRICT_JSON,
  serversKey: 'mcpServers',
  fields: STANDARD_FIELDS,
  implicitTransport: COMMAND_OR_URL,
  envValueCoercion: 'strings',
  variables: [],
  rightsFields: [],
  mergedSources: [],
};
