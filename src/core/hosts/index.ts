/**
 * The host registry: every {@link HostAdapter}, by id. The only place in `src` that knows host names; everything
 * else asks an adapter (see `./types.ts` for what an adapter states, and one file per host for the facts and
 * their sources).
 */
import type { ConfigLocation, ServerSpec } from '../types';
import { amazonQ } from './amazonQ';
import { antigravity } from './antigravity';
import { claudeCode } from './claudeCode';
import { claudeDesktop } from './claudeDesktop';
import { cline } from './cline';
import { codex } from './codex';
import { continueDev } from './continue';
import { copilotCli } from './copilotCli';
import { cursor } from './cursor';
import { geminiCli } from './geminiCli';
import { goose } from './goose';
import { junie } from './junie';
import { kilo } from './kilo';
import { kiro } from './kiro';
import { opencode } from './opencode';
import { roo } from './roo';
import { trae } from './trae';
import { HOST_IDS, type HostId } from './ids';
import type { HostAdapter, VariableForm } from './types';
import { vscode } from './vscode';
import { windsurf } from './windsurf';
import { zed } from './zed';

export { HOST_IDS, type HostId } from './ids';
export { ANY_KEY, transportOfType } from './common';
export { APP_STATE_MAX_CONFIG_BYTES } from './claudeCode';
export { vscodeCodeWorkspace, vscodeMcpJson, vscodeSettingsJson, vscodeUserDirLocations, vscodeUserDirs } from './vscode';
export type * from './types';

/** Every adapter, by host id. */
export const HOSTS: Readonly<Record<HostId, HostAdapter>> = {
  vscode,
  cursor,
  'claude-code': claudeCode,
  windsurf,
  'claude-desktop': claudeDesktop,
  'gemini-cli': geminiCli,
  cline,
  codex,
  'copilot-cli': copilotCli,
  kilo,
  opencode,
  continue: continueDev,
  roo,
  kiro,
  'amazon-q': amazonQ,
  zed,
  junie,
  trae,
  goose,
  antigravity,
};

/** The adapter of a host id. */
export function adapterOf(host: HostId): HostAdapter {
  return HOSTS[host];
}

/** Every adapter, in {@link HOST_IDS} order. */
export const ADAPTERS: readonly HostAdapter[] = HOST_IDS.map((id) => HOSTS[id]);

/** Whether `id` names a known host (for settings and trust-store validation). */
export function isHostId(id: unknown): id is HostId {
  return typeof id === 'string' && (HOST_IDS as readonly string[]).includes(id);
}

/** The host's product name (`Cursor`, `VS Code`, …), or the id itself for an unknown one. */
export function hostDisplayName(host: string): string {
  return isHostId(host) ? HOSTS[host].displayName : host;
}

/**
 * The variable forms `host` resolves in the entries of `configFile` (its adapter's `variablesOf`, else its
 * `variables`); without a file, the adapter's usual forms.
 */
export function variableFormsOf(host: HostId, configFile?: string): readonly VariableForm[] {
  const a = HOSTS[host];
  return (configFile !== undefined ? a.variablesOf?.(configFile) : undefined) ?? a.variables;
}

/** Every member name any host reads a URL from (`url`, `serverUrl`, `httpUrl`, `uri`, …), without duplicates. */
export const ALL_URL_KEYS: readonly string[] = [...new Set(ADAPTERS.flatMap((a) => a.fields.url))];

/**
 * Whether the host reads servers from `section` of `location`: false for the alternate spelling of the servers
 * key (`mcpServers` in a VS Code file, `servers` elsewhere), which is parsed too but only so that nothing is missed.
 */
export function hostReadsSection(location: ConfigLocation, section: readonly string[]): boolean {
  const a = HOSTS[location.host];
  const own = location.serversKey ?? a.serversKey;
  const last = section[section.length - 1];
  const alternates = new Set([a.serversKey, a.alternateServersKey, location.serversKey].filter((k): k is string => k !== undefined));
  return !alternates.has(last) || last === own;
}

/** The key of the servers object the host reads in `location` (the file's own, else the host's usual one). */
export function serversKeyOf(location: ConfigLocation): string {
  return location.serversKey ?? HOSTS[location.host].serversKey;
}

/**
 * The ids the running editor (VS Code, whose adapter declares `serverIds`) gives a server, for asking it to stop
 * one. Empty when the editor does not run servers of that file.
 * @param workspaceFolders the editor's workspace folders (absolute paths, in its order).
 */
export function editorServerIds(spec: ServerSpec, workspaceFolders: readonly string[]): string[] {
  return ADAPTERS.flatMap((a) => a.serverIds?.(spec, workspaceFolders) ?? []);
}

/** Whether the running editor itself launches servers of this host (so it can be asked to stop one). */
export function isEditorHost(host: HostId): boolean {
  return HOSTS[host].serverIds !== undefined;
}

/**
 * The folders a host opens for a workspace file (`*.code-workspace`: its `folders`, relative ones resolved against
 * the file's folder), or `undefined` when no host opens such a file.
 * @param text the file's text.
 */
export function foldersOfWorkspaceFile(file: string, text: string): string[] | undefined {
  for (const a of ADAPTERS) {
    const folders = a.workspaceFileFolders?.(file, text);
    if (folders) return folders;
  }
  return undefined;
}
