/**
 * The key every command that acts on one server takes (from the tree, a CodeLens, a prompt or another
 * extension). No `vscode` import: testable under plain Node.
 */

/** Identifies one server entry: the shape of every command argument that acts on a server. */
export interface ServerKey {
  /** Absolute path of the config file. */
  configFile: string;
  /** RFC 6901 JSON Pointer of the entry. */
  pointer: string;
  /**
   * For a user-level entry resolved per workspace folder (`ServerSpec.resolvedIn`): the folder's canonical real
   * path. One entry is then one server per open folder, and the key names which.
   */
  resolvedIn?: string;
}

/** The key of a server entry as scanned (with `resolvedIn` when the entry is resolved per workspace folder). */
export function serverKeyOf(spec: { configFile: string; pointer: string; resolvedIn?: string }): ServerKey {
  return spec.resolvedIn === undefined ? { configFile: spec.configFile, pointer: spec.pointer } : { configFile: spec.configFile, pointer: spec.pointer, resolvedIn: spec.resolvedIn };
}

/**
 * The one server `key` names among `servers` (reports of one scan). A key without `resolvedIn` names an entry
 * resolved per workspace folder only when one folder has it: with several, which one is meant is not known, and
 * nothing is returned (the caller says it found no such server) rather than acting on another folder's copy.
 */
export function findByKey<T extends { spec: { configFile: string; pointer: string; resolvedIn?: string } }>(servers: readonly T[], key: ServerKey): T | undefined {
  const all = servers.filter((s) => s.spec.configFile === key.configFile && s.spec.pointer === key.pointer);
  if (key.resolvedIn !== undefined) return all.find((s) => s.spec.resolvedIn === key.resolvedIn);
  return all.length === 1 ? all[0] : all.find((s) => s.spec.resolvedIn === undefined);
}
