/**
 * The launch gate of the guard proxy: before anything is spawned, the config entry that launches the
 * proxy must be approved in the trust store exactly as it is now, and the proxy's own invocation (argv after
 * `--`, `--url`, cwd, literal env values) must be what that entry says.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { isGuarded } from '../core/edit/guard';
import { variableFormsOf } from '../core/hosts';
import { resolveVariables } from '../core/launch/variables';
import { loadPolicy, type PolicySet } from '../core/policy';
import { Scanner, sameEntry, type ServerReport } from '../core/scan';
import { locateConfigFile } from '../core/scan/locate';
import type { TrustStore } from '../core/trust';
import type { TrustRecord } from '../core/trust/types';
import { resolveCommand } from '../core/launch/command';
import { dependsOnWorkspace } from '../core/launch/workspaceBound';
import type { HostId, ServerSpec } from '../core/types';
import { checkStoreLocation } from './trustRoots';

/** What the proxy was asked to do, as it received it. */
export interface GuardInvocation {
  /** `--config`, absolute. */
  configFile: string;
  /** `--name`. */
  name: string;
  /** The command after `--` (stdio mode). */
  command?: string;
  /** The args after the command. */
  args: string[];
  /** `--url` (remote bridge mode). */
  url?: string;
  /** The proxy's working directory. */
  cwd: string;
  /** The proxy's environment, as received from the host. */
  env: NodeJS.ProcessEnv;
  /** The user's home directory. */
  home: string;
}

/** The gate's verdict. On `ok: false` nothing may be spawned or connected. */
export type GateResult =
  /** `command`: the absolute path to spawn (stdio). */
  | { ok: true; report: ServerReport; record: TrustRecord; command?: string }
  /** `storeRefused`: the trust store itself is not believed (nothing may be written next to it either). */
  | { ok: false; reason: string; report?: ServerReport; storeRefused?: boolean };

/**
 * Whether `actual` is what the host makes of `template`: equal as written, or equal once the variables the host
 * resolves are resolved with the one resolver (`src/core/launch/variables.ts`, the forms of the host's adapter),
 * where each `${input:…}` (a value the user typed at launch) matches any text. Any other variable that cannot be
 * resolved makes it no match. Never throws.
 */
export function matchesTemplate(template: string, actual: string, host: HostId, ctx: { env: NodeJS.ProcessEnv; workspaceFolder?: string; home: string; configFile?: string }): boolean {
  if (template === actual) return true;
  const r = resolveVariables(template, variableFormsOf(host, ctx.configFile), { env: ctx.env, workspaceFolder: ctx.workspaceFolder, home: ctx.home, configFile: ctx.configFile });
  if (r.unresolved.some((u) => u.kind !== 'input')) return false;
  if (!r.unresolved.length) return r.value === actual;
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp('^' + r.parts.map((p) => ('text' in p ? esc(p.text) : '[\\s\\S]*')).join('') + '$');
  return re.test(actual);
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/** Whether `p` is `dir` or lies below it (both canonical). */
function within(p: string, dir: string): boolean {
  const rel = relative(dir, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Longest walk up from one path when collecting candidate folders. */
const MAX_ANCESTORS = 64;

/**
 * The workspace folder a user-level entry that {@link dependsOnWorkspace} runs in, found from what the host passed
 * this launch: the folder that, put in for the workspace variables, makes every launch string of the guarded entry
 * that names one (the command and args after `--`, `--url`, `cwd`, env values) exactly what the proxy received.
 * Candidates are the proxy's cwd and the folders above each absolute path the host passed, nearest first; the same
 * folder reached by two paths counts once. Since the folder is read off the very argv that is spawned, the record
 * checked is the one of the workspace whose files run: nothing a workspace holds can select another's approval.
 *
 * @returns the folder as the host spelled it, or why none (or more than one) fits. Never throws.
 */
export function launchWorkspace(spec: ServerSpec, inv: GuardInvocation): { folder: string } | { error: string } {
  const g = isGuarded(spec.raw);
  if (!g) return { error: 'it does not launch the guard' };
  const forms = variableFormsOf(spec.host, spec.configFile);
  const names = (t: string) => resolveVariables(t, forms, { home: inv.home, configFile: spec.configFile, env: inv.env }).unresolved.some((u) => u.kind === 'workspace');
  const pairs: [template: string, actual: string | undefined][] = [];
  const want = g.command === undefined ? [] : [g.command, ...g.args];
  const got = inv.command === undefined ? [] : [inv.command, ...inv.args];
  if (want.length !== got.length) return { error: `the command after "--" is not the approved one (${got.length} words, ${want.length} approved)` };
  want.forEach((w, i) => pairs.push([w, got[i]]));
  if (g.url !== undefined) pairs.push([g.url, inv.url]);
  if (spec.cwd !== undefined) pairs.push([spec.cwd, inv.cwd]);
  for (const [k, v] of Object.entries(spec.env ?? {})) if (typeof v === 'string') pairs.push([v, inv.env[k]]);
  const dependent = pairs.filter(([t]) => names(t));
  if (!dependent.length) return { error: 'none of the strings the guard checks names the workspace (an envFile or a non-string argument does): the workspace cannot be told from this launch' };
  const candidates: string[] = [];
  const up = (from: string) => {
    let d = resolve(from);
    for (let i = 0; i < MAX_ANCESTORS; i++) {
      candidates.push(d);
      const parent = dirname(d);
      if (parent === d) break;
      d = parent;
    }
  };
  up(inv.cwd);
  for (const [, actual] of dependent) if (actual !== undefined && isAbsolute(actual)) up(actual);
  const fits = new Map<string, string>();
  for (const c of candidates) {
    const key = real(c);
    if (fits.has(key) || dirname(key) === key) continue;
    if (dependent.every(([t, actual]) => actual !== undefined && matchesTemplate(t, actual, spec.host, { env: inv.env, workspaceFolder: c, home: inv.home, configFile: spec.configFile }))) fits.set(key, c);
  }
  if (fits.size === 1) return { folder: [...fits.values()][0] };
  if (!fits.size) return { error: 'no folder makes this launch the approved entry (the workspace variables resolve to none of the proxy\'s cwd or the paths it was given)' };
  return { error: `this launch fits several workspace folders (${[...fits.keys()].slice(0, 4).join(', ')}); refusing to guess` };
}

/**
 * Runs the launch gate:
 * 1. reads the config file as the host that reads it does (`locateConfigFile`, `readConfigFile` via the
 *    `Scanner`), finds the entry named `name` (exactly one);
 * 2. fingerprints it (`fingerprintServer`: referenced scripts and envFile count) and evaluates it against the
 *    trust store: it must be `approved` with the same fingerprint;
 * 3. the entry must be a guarded entry (`isGuarded`) whose `--config`/`--name` name this entry, whose command
 *    and args after `--` (or `--url`) equal the proxy's own, whose `cwd` (resolved) is the proxy's cwd, and whose
 *    env values are present unchanged in the proxy's environment (`${input:…}` parts match anything).
 *
 * 4. the trust store is not inside the entry's workspace folder or a git working tree and is the user's own
 *    (`checkStoreLocation`); a bare command name resolves on a PATH without workspace entries (`resolveCommand`,
 *    with the proxy's own environment) to exactly the path the approval pinned (`CommandPin`, recorded by
 *    `scan`/`approve` or the extension with the same lookup), and that absolute path is what is spawned.
 *
 * A user-level entry that runs the open workspace's code (`${workspaceFolder}/tools/mcp.js`, keyed per workspace)
 * is checked in the workspace this launch runs in ({@link launchWorkspace}); without a `cwd` of its own, the proxy's
 * cwd must be that folder, below it, or the home directory.
 *
 * The organization policy (`policy`, default: the system-managed one, `loadPolicy`) decides first: a server it
 * blocks is refused with its rule and file, one it approves passes as approved, an unusable policy refuses all.
 *
 * Never throws: an unreadable store or config is a block with the reason.
 */
export async function checkLaunch(inv: GuardInvocation, store: TrustStore, policy?: PolicySet): Promise<GateResult> {
  const who = `"${inv.name}" in ${inv.configFile}`;
  let data;
  try {
    const snap = await store.read();
    if (snap.problem) return { ok: false, reason: `the trust store is unusable (${snap.problem.message}), so nothing counts as approved` };
    data = snap.data;
  } catch (e) {
    return { ok: false, reason: `the trust store ${store.path} cannot be read: ${(e as Error).message}` };
  }
  let report: ServerReport | undefined;
  /** The workspace folder, as the host spelled it, of a user-level entry resolved per workspace. */
  let launchFolder: string | undefined;
  try {
    const base = { home: inv.home, env: inv.env as Record<string, string | undefined> };
    const locations = await locateConfigFile(inv.configFile, base);
    if (!locations.length) return { ok: false, reason: `${inv.configFile} is not an MCP config file that a known host reads` };
    const scanner = new Scanner({ ...base, workspaceFolders: [], includeUser: false, policy: policy ?? (await loadPolicy({ env: inv.env })) });
    for (const loc of locations) await scanner.recheckFile(loc, data);
    const all = scanner.report();
    const matches = all.servers.filter((s) => s.spec.name === inv.name);
    // One entry read by several hosts (a workspace-root .mcp.json) counts once; the worst of its states decides.
    const one = sameEntry(matches);
    if (!one) {
      const err = all.errors[0];
      const why = err ? ` (${err.message}${err.line ? ` at line ${err.line}` : ''})` : '';
      return { ok: false, reason: matches.length ? `${who} names ${matches.length} entries; refusing to guess` : `there is no server ${who}${why}` };
    }
    report = one;
    if (dependsOnWorkspace(one.spec)) {
      // A user-level entry that runs the open workspace's code: its record is the one of the workspace this launch
      // runs in, found from what the host resolved (see `launchWorkspace`).
      const found = launchWorkspace(one.spec, inv);
      if ('error' in found) return { ok: false, report, reason: `${who} runs code from the open workspace, and ${found.error}` };
      launchFolder = found.folder;
      const inWs = new Scanner({ ...base, workspaceFolders: [found.folder], includeUser: false, policy: scanner.policy });
      for (const loc of locations) await inWs.recheckFile(loc, data);
      const copy = sameEntry(inWs.report().servers.filter((s) => s.spec.name === inv.name && s.spec.resolvedIn === real(found.folder)));
      if (!copy) return { ok: false, report, reason: `${who} could not be resolved in the workspace ${found.folder}` };
      report = copy;
    }
  } catch (e) {
    return { ok: false, reason: `${inv.configFile} could not be read: ${(e as Error).message}` };
  }
  const { spec, record } = report;
  const where = spec.resolvedIn !== undefined ? ` in the workspace ${spec.resolvedIn}` : '';
  if (report.policy?.outcome === 'denied') return { ok: false, report, reason: report.policy.message };
  const folders = spec.workspaceFolder !== undefined ? [spec.workspaceFolder] : [];
  const storeWhy = checkStoreLocation(store.path, folders, inv.home);
  if (storeWhy) return { ok: false, report, storeRefused: true, reason: `the trust store is not believed, so nothing counts as approved: ${storeWhy}` };
  if (report.state === 'new' || !record) return { ok: false, report, reason: `${who} has never been approved${where}` };
  if (report.state === 'denied') return { ok: false, report, reason: `${who} was denied${where} on ${record.decidedAt}` };
  if (report.state === 'changed') {
    const what = report.changes.map((c) => c.pointer).slice(0, 5).join(', ');
    const moved = report.changes.find((c) => c.pointer === '/$command');
    const name = report.fingerprint.command?.name ?? record.command?.name;
    const how = moved ? `; the command ${JSON.stringify(name)} now resolves to ${moved.after ?? 'nothing'} (PATH without workspace folders), but ${moved.before ?? 'no resolved path'} was approved` : '';
    return { ok: false, report, reason: `${who} changed since it was approved${where}${what ? ` (${what})` : ''}${how}` };
  }
  if (record.decision !== 'approved' || record.fingerprint !== report.fingerprint.fingerprint) {
    return { ok: false, report, reason: `${who} is not approved as it is now` };
  }

  const g = isGuarded(spec.raw);
  if (!g) return { ok: false, report, reason: `${who} does not launch the guard (its args have no "run --config … --name … --"), so this launch is not the approved one` };
  const ctx = { env: inv.env, workspaceFolder: launchFolder ?? spec.workspaceFolder, home: inv.home, configFile: spec.configFile };
  const base = spec.workspaceFolder ?? inv.cwd;
  const gConfig = matchesTemplate(g.configFile, inv.configFile, spec.host, ctx) ? inv.configFile : g.configFile;
  if (real(isAbsolute(gConfig) ? gConfig : resolve(base, gConfig)) !== real(inv.configFile) || g.name !== inv.name) {
    return { ok: false, report, reason: `the approved entry ${who} guards --config ${JSON.stringify(g.configFile)} --name ${JSON.stringify(g.name)}, not this invocation` };
  }
  if ((g.url ?? '') !== (inv.url ?? '') && !(g.url !== undefined && inv.url !== undefined && matchesTemplate(g.url, inv.url, spec.host, ctx))) {
    return { ok: false, report, reason: `the approved entry ${who} bridges ${JSON.stringify(g.url ?? null)}, but this proxy was asked for ${JSON.stringify(inv.url ?? null)}` };
  }
  const want = g.command === undefined ? [] : [g.command, ...g.args];
  const got = inv.command === undefined ? [] : [inv.command, ...inv.args];
  if (want.length !== got.length || want.some((w, i) => !matchesTemplate(w, got[i], spec.host, ctx))) {
    return {
      ok: false,
      report,
      reason: `the command after "--" (${JSON.stringify(got).slice(0, 300)}) is not the approved one of ${who} (${JSON.stringify(want).slice(0, 300)})`,
    };
  }
  if (spec.cwd === undefined && launchFolder !== undefined && !within(real(inv.cwd), real(launchFolder)) && real(inv.cwd) !== real(inv.home)) {
    // The host's own default: code that reads its working directory must read the approved workspace's.
    return { ok: false, report, reason: `${who} was approved for the workspace ${spec.resolvedIn}, but runs in ${inv.cwd}, outside it` };
  }
  if (spec.cwd !== undefined) {
    const resolved = resolveVariables(spec.cwd, variableFormsOf(spec.host, spec.configFile), { env: inv.env, workspaceFolder: ctx.workspaceFolder, home: inv.home, configFile: spec.configFile });
    if (resolved.unresolved.length) return { ok: false, report, reason: `the cwd of ${who} cannot be resolved: ${resolved.unresolved[0].reason}` };
    let cwd = resolved.value;
    if (!isAbsolute(cwd)) cwd = resolve(spec.workspaceFolder ?? inv.home, cwd);
    if (real(cwd) !== real(inv.cwd)) return { ok: false, report, reason: `the working directory ${inv.cwd} is not the approved cwd ${cwd} of ${who}` };
  }
  for (const [k, v] of Object.entries(spec.env ?? {})) {
    if (typeof v !== 'string') continue;
    const have = inv.env[k];
    if (have === undefined || !matchesTemplate(v, have, spec.host, ctx)) {
      return { ok: false, report, reason: `the environment variable ${k} is ${have === undefined ? 'missing' : 'not the approved value'} for ${who}` };
    }
  }
  if (inv.command === undefined) return { ok: true, report, record };
  const resolved = resolveCommand(inv.command, inv.env, inv.cwd, folders, inv.home);
  if ('error' in resolved) return { ok: false, report, reason: `the command of ${who} cannot be resolved safely: ${resolved.error}` };
  // The approval pinned what a bare name resolves to; the lookup with this process's own environment must find
  // the same path (the scan above laid the entry's env over it as the host does, this one takes it as received).
  const pinned = record.command;
  if (report.fingerprint.command && (pinned?.path ?? null) !== resolved.path) {
    return { ok: false, report, reason: `the command ${JSON.stringify(inv.command)} of ${who} resolves to ${resolved.path}, but ${pinned?.path ?? 'no resolved path'} was approved` };
  }
  return { ok: true, report, record, command: resolved.path };
}
