/**
 * User-level entries that run code from whichever workspace is open. `~/.cursor/mcp.json` or a VS Code user
 * `mcp.json` may say `node ${workspaceFolder}/tools/mcp.js`: the host resolves the variable against the folder it
 * has open (VS Code: `IConfigurationResolverService` with the workspace folder,
 * https://code.visualstudio.com/docs/reference/variables-reference; Cursor: "Config interpolation",
 * https://docs.cursor.com/context/model-context-protocol), so every repository supplies its own code. Such an entry
 * is evaluated once per workspace folder, with that folder's canonical real path in its trust record's key
 * (`ServerSpec.resolvedIn`): approving it in one repository approves nothing in another, and the code closure is
 * pinned per workspace.
 */
import { resolve } from 'node:path';
import { variableFormsOf } from '../hosts';
import type { ServerSpec } from '../types';
import { resolveVariables } from './variables';

/** The launch strings of an entry that decide what runs: command, args, cwd, envFile and env values. */
function launchStrings(spec: ServerSpec): string[] {
  const out: string[] = [];
  if (spec.command !== undefined) out.push(spec.command);
  out.push(...(spec.args ?? []));
  if (spec.cwd !== undefined) out.push(spec.cwd);
  if (spec.envFile !== undefined) out.push(spec.envFile);
  out.push(...Object.values(spec.env ?? {}));
  // A non-string argument the normalizer dropped still names something (a host may coerce it to text).
  const raw = spec.raw as { args?: unknown } | null;
  if (raw && typeof raw === 'object' && Array.isArray(raw.args)) for (const a of raw.args) if (typeof a !== 'string') out.push(JSON.stringify(a) ?? '');
  return out;
}

/**
 * Whether a user-level entry's launch depends on the open workspace: one of its launch strings holds a variable
 * that the host resolves to a workspace folder (`${workspaceFolder}`, `${workspaceRoot}`,
 * `${workspaceFolderBasename}`, `${workspaceFolder:name}`, in the host's variable forms). False for workspace-level
 * entries and for user-level ones already tied to a project (`~/.claude.json` `projects[<path>]`). Pure.
 */
export function dependsOnWorkspace(spec: ServerSpec): boolean {
  if (spec.scope !== 'user' || spec.workspaceFolder !== undefined) return false;
  const forms = variableFormsOf(spec.host, spec.configFile);
  return launchStrings(spec).some((v) => resolveVariables(v, forms, { home: '/', configFile: spec.configFile }).unresolved.some((u) => u.kind === 'workspace'));
}

/**
 * The specs one entry stands for in a scan of `folders`: the entry itself, unless it {@link dependsOnWorkspace},
 * in which case one copy per folder with `workspaceFolder` and `resolvedIn` set to the folder's canonical real
 * path (`realpath`; the resolved path when that fails). With no folder open the entry is returned as it is,
 * and its workspace variables stay unresolved (a high `unresolved-variable` finding: nothing is pinned for it).
 * @param realpath resolves symlinks (the scan's file system port), so one repository reached by two paths has one key.
 */
export async function workspaceBoundSpecs(spec: ServerSpec, folders: readonly string[], realpath: (p: string) => Promise<string>): Promise<ServerSpec[]> {
  if (!folders.length || !dependsOnWorkspace(spec)) return [spec];
  const out: ServerSpec[] = [];
  const seen = new Set<string>();
  for (const folder of folders) {
    const abs = resolve(folder);
    let real: string;
    try {
      real = await realpath(abs);
    } catch {
      real = abs;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    // Pinned from the real path: one repository reached by two paths pins the same files under the same names.
    out.push({ ...spec, workspaceFolder: real, resolvedIn: real });
  }
  return out;
}
