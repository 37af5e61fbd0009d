import { HOSTS } from '../hosts';
import type { ConfigLocation, HostId } from '../types';
import type { PlatformDirs } from './paths';

/** The config files inside one workspace folder that `host` reads (fixed names only; its adapter's `workspaceFiles`). */
export function workspaceLocations(host: HostId, folder: string, dirs: PlatformDirs): ConfigLocation[] {
  return HOSTS[host].workspaceFiles(folder, dirs);
}

/** The user-level (and machine-level) config files `host` reads (fixed names only; its adapter's `userFiles`). */
export function userLocations(host: HostId, dirs: PlatformDirs, userDataDirs: readonly string[] = []): ConfigLocation[] {
  return HOSTS[host].userFiles(dirs, userDataDirs);
}
