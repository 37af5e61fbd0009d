/**
 * Shared shapes of the core trust engine. No `vscode` import, no I/O: every entry point (extension, CLI,
 * guard proxy) builds on these.
 */

import type { HostId } from './hosts/ids';

/** An MCP host: the application that reads a config file and launches the servers in it (see `src/core/hosts`). */
export type { HostId } from './hosts/ids';

/** Where a config file lives: inside a workspace folder (attacker-writable) or in the user's home. */
export type Scope = 'workspace' | 'user';

/**
 * How the host talks to the server (MCP spec 2025-06-18, "Transports"): `stdio` (a child process),
 * `http` (streamable HTTP) or `sse` (the deprecated HTTP+SSE transport).
 */
export type Transport = 'stdio' | 'http' | 'sse';

/** Severity of a finding, highest first. `high` findings make `scan` exit 1. */
export type Severity = 'high' | 'medium' | 'low' | 'info';

/** All severities, highest first. */
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/**
 * A position in a config file. `offset`/`length` are UTF-16 code units into the decoded text (after any BOM
 * was removed); `line` and `column` are 1-based, as editors show them.
 */
export interface SourceRange {
  offset: number;
  length: number;
  line: number;
  column: number;
}

/**
 * One config file that a host reads. `serverSections` lists the JSON paths (property names, outermost
 * first) of the objects whose members are server entries, e.g. `[["servers"]]` for `.vscode/mcp.json` or
 * `[["mcpServers"], ["projects", "/abs/ws", "mcpServers"]]` for `~/.claude.json`.
 */
export interface ConfigLocation {
  host: HostId;
  scope: Scope;
  /** Absolute path of the config file. */
  path: string;
  /** The workspace folder this file belongs to (workspace scope), or that a user-level section is about. */
  workspaceFolder?: string;
  /** Whether the host parses this file as JSONC (comments, trailing commas). */
  jsonc: boolean;
  serverSections: string[][];
  /** Why this file is listed even though no host launches from it (e.g. `.cursor/rules/mcp.json`). */
  note?: string;
  /**
   * When the top-level object has no member of this name, its members are servers too (another host reads the
   * same file that way: VS Code 1.139 and a workspace-root `.mcp.json` without `mcpServers`).
   */
  rootServersUnlessKey?: string;
  /** The servers key the host reads in this file when it is not the host's usual one (its adapter's `serversKey`). */
  serversKey?: string;
  /** The file's format when it is not JSON/JSONC: `yaml` or `toml` (by the host, or by the file's extension). */
  format?: 'json' | 'yaml' | 'toml';
  /** The server sections are lists whose entries are named by this member (Continue's `mcpServers: [{name, …}]`). */
  listNameKey?: string;
  /**
   * This host reads the file as another host's (VS Code's discovery of `~/.copilot/mcp-config.json`, Copilot CLI's
   * use of Claude Code's `.mcp.json`): when both list it, the owner's location is kept and this host is added to its
   * {@link alsoReadBy}.
   */
  guest?: boolean;
  /** Other hosts that read this same file and launch its servers (set by discovery when several hosts list it). */
  alsoReadBy?: HostId[];
}

/** A duplicate object key found while parsing: hosts disagree on which value wins, so both are pinned. */
export interface DuplicateKey {
  /** RFC 6901 JSON Pointer of the duplicated member, relative to the server entry ("" for the entry itself). */
  pointer: string;
  /** Every value given for the key, in source order. */
  values: unknown[];
}

/**
 * One server entry of one config file, normalized across hosts. The `raw` entry is what the fingerprint
 * covers (every field, known or not); the typed fields are a convenience view of it.
 */
export interface ServerSpec {
  host: HostId;
  scope: Scope;
  /** Absolute path of the config file. */
  configFile: string;
  /** The server's name: its key in the servers object. */
  name: string;
  /** RFC 6901 JSON Pointer of the entry in the config file, e.g. `/mcpServers/build`. */
  pointer: string;
  workspaceFolder?: string;
  /** Other hosts that launch this entry from the same file (its `ConfigLocation.alsoReadBy`). */
  alsoReadBy?: HostId[];
  /**
   * For a user-level entry whose launch names the workspace through a variable (`${workspaceFolder}/tools/mcp.js`
   * in `~/.cursor/mcp.json`): the canonical real path of the workspace folder it was resolved in (`workspaceFolder`
   * is that folder). The entry is evaluated once per open workspace folder, and its trust record is keyed by
   * this path too, so approving it in one repository approves nothing in another (see `workspaceBoundSpecs`).
   */
  resolvedIn?: string;
  transport: Transport;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  envFile?: string;
  cwd?: string;
  url?: string;
  headers?: Record<string, string>;
  /** The entry exactly as parsed (last value wins on duplicate keys, as JSON.parse does). */
  raw: unknown;
  /** Duplicate keys inside the entry, with all their values. Empty when there are none. */
  duplicateKeys: DuplicateKey[];
  /** Where the entry's value stands in the file. */
  range: SourceRange;
  /** The entry's source text, byte for byte (used for the cosmetic-change hash). */
  sourceText: string;
}

/**
 * A static-check result (see `src/core/checks`). Checks return findings; they never throw.
 * `pointer` is an RFC 6901 JSON Pointer into the checked item (a server entry, a tool).
 */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  pointer: string;
}

/** A config file that could not be read or parsed. `line`/`column` are 1-based when known. */
export interface ConfigError {
  configFile: string;
  message: string;
  line?: number;
  column?: number;
}

/** The result of parsing one config file. */
export interface ParsedConfig {
  location: ConfigLocation;
  servers: ServerSpec[];
  errors: ConfigError[];
  /** File-level findings (duplicate keys above the entries, servers in a section the host ignores, …). */
  findings: Finding[];
  /** SHA-256 (hex) of the file bytes as read; lets a watcher skip unchanged files. */
  contentHash: string;
}

/** A field-level difference between two JSON values. `before`/`after` are absent for added/removed. */
export interface Change {
  /** RFC 6901 JSON Pointer of the changed member. */
  pointer: string;
  before?: unknown;
  after?: unknown;
}

/** A workspace file the launch spec points at, and the hash of its content when it was read. */
export interface ReferencedFile {
  /** Absolute, symlink-resolved path. */
  path: string;
  /**
   * Path as written in the spec (after variable resolution), for messages; for closure files, the path relative to
   * the workspace folder (`../x` for a file of the enclosing repository outside it).
   */
  ref: string;
  /**
   * Which part of the spec points at it: `command`, `arg`, `envFile`, `cwd` name it; the others are the launch's
   * code closure (`module`: a module the launch loads; `manifest`: package-manager manifest or configuration;
   * `tree`: a file of a pinned folder; `package`: a workspace copy of a package a runner would use).
   */
  via: 'command' | 'arg' | 'envFile' | 'cwd' | 'module' | 'manifest' | 'tree' | 'package';
  /** For manifests: SHA-256 of each top-level key's value, so a diff names the key that changed. */
  keys?: Record<string, string>;
  /** SHA-256 hex of the content, or `null` when the file was missing or unreadable. */
  sha256: string | null;
  /** Size in bytes, or `null` when missing. */
  size: number | null;
}
