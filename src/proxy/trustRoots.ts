/**
 * What the guard proxy takes from where, when a host launches it. The host builds the proxy's environment partly
 * from workspace files (`envFile`, settings `env`, `.env`), and the attacker controls the workspace, so nothing
 * the host passes may decide which trust store is believed, which runtime runs the guard, or which binary a bare
 * command name resolves to:
 * - the trust store is the one baked into the launcher (`--store`, absolute), else the per-OS default computed
 *   from the user's real home (`os.userInfo().homedir`, read from the account database, not `HOME`/`XDG_*`), and it
 *   is refused inside the workspace, inside a git working tree, or when it is not the user's own;
 * - a bare command name is looked up on `PATH` without relative entries and without entries inside the workspace
 *   or a git working tree (`resolveCommand` of `src/core/launch/command.ts`, the lookup the approval pinned), and
 *   spawned by that absolute path;
 * - loader variables (`NODE_OPTIONS`, `LD_PRELOAD`, `DYLD_*`, …) are cleared for the guard by the launcher, which
 *   keeps them aside as `MCP_TRUST_GUARD_ENV_<NAME>`; the proxy restores them for the server only.
 */
import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { gitWorkTree, isInsideReal } from '../core/launch/command';

/** Loader variables cleared for the guard process by the launcher (Node, glibc/musl, macOS dyld). */
export const LOADER_VARIABLES = [
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_REPL_EXTERNAL_MODULE',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'DYLD_INSERT_LIBRARIES',
  'DYLD_LIBRARY_PATH',
  'DYLD_FRAMEWORK_PATH',
  'DYLD_FALLBACK_LIBRARY_PATH',
] as const;

/** Prefix under which the launcher keeps a loader variable aside for the server. */
export const SAVED_ENV_PREFIX = 'MCP_TRUST_GUARD_ENV_';

/** The user's real home directory, from the account database (never from `HOME`/`USERPROFILE`). */
export function realHome(): string {
  return userInfo().homedir;
}

/**
 * The per-OS default trust store under `home`, as `env-paths` lays it out without any environment variable:
 * Linux `~/.config/mcp-trust-guard/trust-store.json`, macOS `~/Library/Preferences/mcp-trust-guard/…`, Windows
 * `~\AppData\Roaming\mcp-trust-guard\Config\…`.
 */
export function homeStorePath(home: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'mcp-trust-guard', 'trust-store.json');
  if (platform === 'win32') return join(home, 'AppData', 'Roaming', 'mcp-trust-guard', 'Config', 'trust-store.json');
  return join(home, '.config', 'mcp-trust-guard', 'trust-store.json');
}

/**
 * Checks the trust store location the proxy is about to believe.
 * @param workspaceFolders folders the launch belongs to (the config entry's workspace folder, if any).
 * @returns undefined when it may be used, else why not (one sentence).
 */
export function checkStoreLocation(store: string, workspaceFolders: readonly string[], home = realHome()): string | undefined {
  if (!isAbsolute(store)) return `the trust store path ${JSON.stringify(store)} is not absolute`;
  for (const w of workspaceFolders) {
    if (isInsideReal(store, w)) return `the trust store ${store} is inside the workspace folder ${w}, which the repository controls`;
  }
  const tree = gitWorkTree(store, home);
  if (tree) return `the trust store ${store} is inside the git working tree ${tree}, which a repository controls`;
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return undefined;
  const uid = process.getuid();
  for (const p of [store, dirname(store)]) {
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // missing: an empty store approves nothing
    }
    if (st.uid !== uid && !(p !== store && st.uid === 0)) return `${p} is not owned by this user (uid ${st.uid}, not ${uid})`;
    if (st.mode & 0o002 && !(st.mode & 0o1000)) return `${p} is writable by every user`;
    if (p === store && st.mode & 0o022) return `the trust store ${store} is writable by other users`;
  }
  return undefined;
}

/** The server's environment: the proxy's, with the loader variables the launcher kept aside put back. */
export function restoreLoaderVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of LOADER_VARIABLES) {
    const saved = out[SAVED_ENV_PREFIX + name];
    delete out[SAVED_ENV_PREFIX + name];
    if (saved !== undefined) out[name] = saved;
  }
  return out;
}
