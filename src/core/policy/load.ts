/**
 * Reading the organization policy from system-managed locations only. A policy is what an administrator
 * decided for every user of the machine, so it is refused when anyone but an administrator could have written
 * it: the file and every folder above it must be owned by root (or another trusted owner) and not writable by
 * group or others (a sticky folder such as /tmp is accepted, as its other users cannot replace our entry).
 * On Windows the default locations are under `C:\ProgramData` and `C:\Program Files`, writable by
 * administrators only by default; no ACL is read there.
 *
 * A policy file that exists but cannot be used (unreadable, too large, not JSON, not valid against
 * `schemas/policy.schema.json`, writable by a user) is a {@link PolicyProblem}: the caller fails closed.
 */
import { createHash } from 'node:crypto';
import { promises as fsp, type Stats } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import Ajv from 'ajv';
import policySchema from '../../../schemas/policy.schema.json';
import { ADAPTERS, type ManagedSettings } from '../hosts';
import { GUARD_POLICY_KIND, type PolicyDocument, type PolicyKind, type PolicyLocation, type PolicyProblem, type PolicySet, type PolicySource } from './types';

/** The hosts' managed settings files whose MCP keys are policy (see `HostAdapter.managedSettings`). */
const MANAGED_SETTINGS: readonly ManagedSettings[] = ADAPTERS.flatMap((a) => (a.managedSettings ? [a.managedSettings] : []));

/** The policy kinds a file can be read as: this guard's own, then each host's managed settings. */
export const POLICY_KINDS: readonly PolicyKind[] = [GUARD_POLICY_KIND, ...MANAGED_SETTINGS.map((m) => m.kind)];

/** Largest policy file read, bytes (a host settings file carries more than MCP keys). */
export const MAX_POLICY_BYTES = 4 * 1024 * 1024;

/** Environment variable naming one more policy file (added to the system ones, never replacing them). */
export const POLICY_ENV = 'MCP_TRUST_GUARD_POLICY';

/** The keys of a host's managed settings that are policy (the rest of that file is the host's business). */
const CONVERGED_KEYS = ['allowedMcpServers', 'deniedMcpServers', 'allowManagedMcpServersOnly'] as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(policySchema);

/**
 * The system-managed policy locations of a platform, in order: this guard's own file
 * (`/etc/mcp-trust-guard/policy.json`, `/Library/Application Support/MCPTrustGuard/policy.json`,
 * `C:\\ProgramData\\MCPTrustGuard\\policy.json`), then the managed settings files of the hosts whose converged MCP
 * keys this guard applies too (each adapter's `managedSettings`, in host order: Claude Code's, then Copilot's).
 */
export function defaultPolicyLocations(platform: NodeJS.Platform = process.platform): PolicyLocation[] {
  const os = platform === 'win32' ? 'win32' : platform === 'darwin' ? 'darwin' : 'linux';
  const guard = { win32: 'C:\\ProgramData\\MCPTrustGuard\\policy.json', darwin: '/Library/Application Support/MCPTrustGuard/policy.json', linux: '/etc/mcp-trust-guard/policy.json' }[os];
  return [{ kind: GUARD_POLICY_KIND, path: guard }, ...MANAGED_SETTINGS.map((m) => ({ kind: m.kind, path: m.paths[os] }))];
}

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Where to look (default: {@link defaultPolicyLocations} plus `$MCP_TRUST_GUARD_POLICY`, if set). */
  locations?: PolicyLocation[];
  /** Owners a policy file and its folders may have (default `[0]`, root). Tests pass their own uid. */
  trustedUids?: number[];
  /**
   * Skip the ownership checks: for a file named explicitly on a CI command line (`--policy`), where the
   * workflow, not the machine, decides what the policy is.
   */
  skipOwnerCheck?: boolean;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/** The locations {@link loadPolicy} looks at for `opts` (defaults plus `$MCP_TRUST_GUARD_POLICY`). */
export function policyLocations(opts: LoadPolicyOptions = {}): PolicyLocation[] {
  if (opts.locations) return opts.locations;
  const out = defaultPolicyLocations(opts.platform);
  const extra = (opts.env ?? process.env)[POLICY_ENV];
  if (extra && isAbsolute(extra)) out.push({ kind: GUARD_POLICY_KIND, path: extra });
  return out;
}

/**
 * Why `st` (of `path`) may have been written by someone other than a trusted owner, or undefined.
 * Group or other write permission counts, except on a sticky folder (others cannot replace our entry).
 */
function unsafeOwnership(path: string, st: Stats, trusted: readonly number[], isDir: boolean): string | undefined {
  if (!trusted.includes(st.uid)) return `${path} is owned by uid ${st.uid}, not by an administrator (uid ${trusted.join(' or ')})`;
  const sticky = isDir && (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !sticky) return `${path} is writable by ${st.mode & 0o002 ? 'every user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

/** Checks the file and every folder above it. @returns the first reason it is not admin-only, or undefined. */
async function ownershipProblem(path: string, fileStat: Stats, trusted: readonly number[]): Promise<string | undefined> {
  const own = unsafeOwnership(path, fileStat, trusted, false);
  if (own) return own;
  let dir = dirname(path);
  for (let i = 0; i < 64; i++) {
    const st = await fsp.stat(dir);
    const why = unsafeOwnership(dir, st, trusted, true);
    if (why) return why;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/**
 * Validates a parsed policy document against `schemas/policy.schema.json`.
 * @returns undefined when valid, else one line naming the first error and its JSON Pointer.
 */
export function validatePolicy(value: unknown): string | undefined {
  if (validate(value)) return undefined;
  const e = validate.errors?.[0];
  if (!e) return 'invalid';
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${extra}`;
}

/** The part of a host's managed settings that is policy: the converged keys only. */
function convergedPart(doc: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of CONVERGED_KEYS) if (Object.prototype.hasOwnProperty.call(doc, k)) out[k] = doc[k];
  return out;
}

/**
 * Parses and validates policy text of `kind`. Never throws.
 * @returns the document, or the reason it cannot be used.
 */
export function parsePolicyText(text: string, kind: PolicyKind): { policy: PolicyDocument } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { error: 'the top level is not a JSON object' };
  const part = kind === GUARD_POLICY_KIND ? doc : convergedPart(doc as Record<string, unknown>);
  const why = validatePolicy(part);
  return why ? { error: `does not match the policy schema: ${why}` } : { policy: part as PolicyDocument };
}

/** Reads one location: absent, a usable source, or a problem. Never throws. */
export async function readPolicyFile(
  loc: PolicyLocation,
  opts: Pick<LoadPolicyOptions, 'trustedUids' | 'skipOwnerCheck' | 'platform'> = {},
): Promise<{ status: 'absent' } | { status: 'loaded'; source: PolicySource } | { status: 'refused'; problem: PolicyProblem }> {
  const refuse = (message: string) => ({ status: 'refused' as const, problem: { path: loc.path, message } });
  let st: Stats;
  try {
    st = await fsp.stat(loc.path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { status: 'absent' };
    return refuse(`cannot be read: ${(e as Error).message}`);
  }
  if (!st.isFile()) return refuse('is not a regular file');
  if (st.size > MAX_POLICY_BYTES) return refuse(`is larger than ${MAX_POLICY_BYTES} bytes`);
  const platform = opts.platform ?? process.platform;
  if (!opts.skipOwnerCheck && platform !== 'win32') {
    try {
      const why = await ownershipProblem(loc.path, st, opts.trustedUids ?? [0]);
      if (why) return refuse(`is not administrator-only, so a user could have written it: ${why}`);
    } catch (e) {
      return refuse(`cannot be checked: ${(e as Error).message}`);
    }
  }
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(loc.path);
  } catch (e) {
    return refuse(`cannot be read: ${(e as Error).message}`);
  }
  if (bytes.length > MAX_POLICY_BYTES) return refuse(`is larger than ${MAX_POLICY_BYTES} bytes`);
  const parsed = parsePolicyText(bytes.toString('utf8'), loc.kind);
  if ('error' in parsed) return refuse(parsed.error);
  return { status: 'loaded', source: { ...loc, policy: parsed.policy, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

/**
 * Loads the policy in force: every location in order (see {@link policyLocations}); absent files are skipped,
 * every other one is either a source or a problem. Never throws.
 */
export async function loadPolicy(opts: LoadPolicyOptions = {}): Promise<PolicySet> {
  const set: PolicySet = { sources: [], problems: [], checked: [] };
  for (const location of policyLocations(opts)) {
    const r = await readPolicyFile(location, opts);
    set.checked.push({ location, status: r.status });
    if (r.status === 'loaded') set.sources.push(r.source);
    else if (r.status === 'refused') set.problems.push(r.problem);
  }
  return set;
}

/** A policy file named on a command line (`--policy <file>`): read as given, no ownership check. */
export async function loadPolicyFile(path: string): Promise<PolicySet> {
  return loadPolicy({ locations: [{ kind: GUARD_POLICY_KIND, path }], skipOwnerCheck: true });
}
