import { resolve } from 'node:path';
import { Scanner, sameEntry, type ServerReport } from '../../core/scan';
import { locateConfigFile } from '../../core/scan/locate';
import { dependsOnWorkspace } from '../../core/launch/workspaceBound';
import type { TrustStoreData } from '../../core/trust';
import { CliError, homeOf, type GlobalOptions, type Io } from '../context';

/**
 * Evaluates the server `name` of `configFile` (as its host reads it) against the store.
 * A user-level entry whose launch names the workspace (see `workspaceBoundSpecs`) is resolved in
 * `opts.workspace`, and is refused without it.
 * @throws CliError (exit 2) when no host reads that file, the file has errors, the name is missing or
 *   ambiguous (the message lists the candidates), or a per-workspace entry is selected without `--workspace`.
 */
export async function selectServer(configFile: string, name: string, opts: GlobalOptions, io: Io, data: TrustStoreData): Promise<ServerReport> {
  const abs = resolve(io.cwd, configFile);
  const base = { home: homeOf(io), env: io.env };
  const locations = await locateConfigFile(abs, base);
  if (!locations.length) throw new CliError(`${abs} is not an MCP config file that a known host reads`);
  // A user-level entry that runs code from the workspace is resolved in the one named by --workspace.
  const workspace = opts.workspace === undefined ? undefined : resolve(io.cwd, opts.workspace);
  const scanner = new Scanner({ ...base, workspaceFolders: workspace ? [workspace] : [], includeUser: false, strict: opts.strict });
  for (const loc of locations) await scanner.recheckFile(loc, data);
  const report = scanner.report();
  if (report.errors.length) {
    const e = report.errors[0];
    throw new CliError(`${e.configFile}${e.line ? `:${e.line}:${e.column ?? 1}` : ''}: ${e.message}`);
  }
  const matches = report.servers.filter((s) => s.spec.name === name || s.spec.pointer === name);
  const one = sameEntry(matches);
  if (one && !workspace && dependsOnWorkspace(one.spec)) {
    throw new CliError(`"${name}" in ${abs} runs code from the open workspace (a workspace variable in its launch); its decision is per workspace: give --workspace <dir>`);
  }
  if (one) return one;
  const names = report.servers.map((s) => `${s.spec.name} (${s.spec.pointer})`).join(', ') || 'none';
  if (!matches.length) throw new CliError(`no server "${name}" in ${abs}; servers there: ${names}`);
  throw new CliError(`"${name}" names ${matches.length} entries in ${abs}; give the JSON Pointer instead: ${matches.map((m) => m.spec.pointer).join(', ')}`);
}
