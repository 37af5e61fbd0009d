import { dirname, resolve } from 'node:path';
import { discoverConfigFiles, type DiscoverOptions } from '../config';
import type { FileSystemPort } from '../ports';
import type { ConfigLocation } from '../types';

/**
 * Finds how a host reads a given config file path: runs discovery with the file's ancestor directories as
 * workspace folders (a workspace config lies at most three levels below its folder) plus the user-level
 * locations, and returns every location whose path is that file (one file can be read by several hosts,
 * e.g. `.vscode/settings.json`).
 * @param file absolute or cwd-relative path of the config file.
 * @returns the matching locations; empty when no host reads a file at that path.
 */
export async function locateConfigFile(
  file: string,
  base: Omit<DiscoverOptions, 'workspaceFolders' | 'includeUser'>,
  fs?: FileSystemPort,
): Promise<ConfigLocation[]> {
  const abs = resolve(file);
  const folders: string[] = [];
  let d = dirname(abs);
  for (let i = 0; i < 4; i++) {
    folders.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  const found = await discoverConfigFiles({ ...base, workspaceFolders: folders, includeUser: true }, fs);
  const matches = found.filter((l) => resolve(l.path) === abs);
  // `~/.cursor/mcp.json` also looks like a workspace file of the folder `~`; the host reads it as user-level.
  return matches.filter((l) => l.scope === 'user' || !matches.some((u) => u.scope === 'user' && u.host === l.host));
}
