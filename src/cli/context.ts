import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { AUDIT_FLUSH_BOUND_MS, auditLogPath, AuditTrail, otlpEndpointOf } from '../core/audit';
import { foldersOfWorkspaceFile } from '../core/hosts';
import { loadPolicy, loadPolicyFile, type PolicySet } from '../core/policy';
import type { ScanOptions } from '../core/scan';
import { defaultStorePath, TrustStore, type StoreSnapshot } from '../core/trust';

/** Global options every command accepts (see `mcp-trust-guard --help`). */
export interface GlobalOptions {
  store?: string;
  json?: boolean;
  strict?: boolean;
  /** commander's negatable `--no-user`: false when given. */
  user?: boolean;
  /**
   * `--policy <file>` (CI mode): this policy file alone decides; the trust store and user-level configs are not
   * read, so only what the policy approves passes.
   */
  policy?: string;
  /**
   * `--workspace <dir>`: the workspace folder that a user-level entry naming `${workspaceFolder}` is resolved in
   * when one server is selected (approve, deny, forget, diff); its record is that workspace's alone.
   */
  workspace?: string;
}

/** Exit statuses of the CLI. */
export const enum Exit {
  /** Every server approved and unchanged, nothing high. */
  Ok = 0,
  /** Something is new, changed, denied or high. */
  Attention = 1,
  /** Usage error, unreadable trust store, or unusable organization policy. */
  Usage = 2,
}

/** A CLI failure with its exit status; `main` prints the message to stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: Exit = Exit.Usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Output sink of a command (stdout/stderr), injected so tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The process's own stdout/stderr/env/cwd. */
export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
};

/** The user's home: `$HOME` (or `%USERPROFILE%`) when set, else the OS's notion. */
export function homeOf(io: Io): string {
  return io.env.HOME || io.env.USERPROFILE || homedir();
}

/** The trust store named by `--store`, `$MCP_TRUST_GUARD_STORE`, or the per-OS default. */
export function openStore(opts: GlobalOptions, io: Io): TrustStore {
  return new TrustStore(defaultStorePath(opts.store ? resolve(io.cwd, opts.store) : undefined, io.env));
}

/**
 * Reads the store for a read-only command.
 * @throws CliError (exit 2) when the store is corrupt or unreadable: a scan against "nothing approved" would
 *   report every server as new and hide the real problem.
 */
export async function readStoreStrict(store: TrustStore): Promise<StoreSnapshot> {
  let snap: StoreSnapshot;
  try {
    snap = await store.read();
  } catch (e) {
    throw new CliError(`cannot read the trust store ${store.path}: ${(e as Error).message}`);
  }
  if (snap.problem) {
    throw new CliError(
      `the trust store is unusable: ${snap.problem.message}\n` +
        `It is treated as "nothing approved". The next approve/deny moves it aside (never overwrites it); inspect it first.`,
    );
  }
  return snap;
}

/**
 * The organization policy in force: the `--policy` file alone (CI mode, read as given), else the system-managed
 * locations (`loadPolicy`, plus `$MCP_TRUST_GUARD_POLICY`). Never throws; problems are in the set.
 */
export function policyFor(opts: GlobalOptions, io: Io): Promise<PolicySet> {
  return opts.policy ? loadPolicyFile(resolve(io.cwd, opts.policy)) : loadPolicy({ env: io.env });
}

/** Prints each problem of a policy set to stderr. @returns whether there was any (the policy fails closed). */
export function reportPolicyProblems(set: PolicySet, io: Io): boolean {
  for (const p of set.problems) io.err(`mcp-trust-guard: the organization policy ${p.path} ${p.message}; nothing is approved until it is fixed\n`);
  return set.problems.length > 0;
}

/** The folders a workspace file opens, or undefined when `path` is not a readable workspace file (a folder, say). */
function workspaceFileFolders(path: string): string[] | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > 1024 * 1024) return undefined;
    return foldersOfWorkspaceFile(path, readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Scan options for the given directories or workspace files (default: cwd) and global options. */
export function scanOptionsFor(dirs: readonly string[], opts: GlobalOptions, io: Io, policy?: PolicySet): ScanOptions {
  const folders: string[] = [];
  const workspaceFiles: string[] = [];
  for (const d of (dirs.length ? dirs : ['.']).map((x) => resolve(io.cwd, x))) {
    // A workspace file (`*.code-workspace`) stands for its folders, and is read itself.
    const opened = workspaceFileFolders(d);
    if (opened) {
      workspaceFiles.push(d);
      folders.push(...opened.map((f) => resolve(dirname(d), f)));
    } else folders.push(d);
  }
  return {
    workspaceFolders: [...new Set(folders)],
    ...(workspaceFiles.length ? { workspaceFiles } : {}),
    home: homeOf(io),
    includeUser: opts.user !== false && !opts.policy,
    strict: opts.strict ?? false,
    env: io.env,
    policy,
  };
}

declare const __VERSION__: string | undefined;

const trails = new WeakMap<Io, AuditTrail[]>();

/**
 * The audit trail of this command: `audit.jsonl` beside the trust store, and OTLP when the policy or
 * `$OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` names a collector. {@link closeAudit} ends it when the command is done.
 */
export function openAudit(opts: GlobalOptions, io: Io, policy?: PolicySet): AuditTrail {
  const trail = new AuditTrail({
    actor: 'cli',
    logPath: auditLogPath(openStore(opts, io).path),
    otlpEndpoint: otlpEndpointOf(policy, io.env),
    version: typeof __VERSION__ === 'string' ? __VERSION__ : 'dev',
  });
  const list = trails.get(io) ?? [];
  list.push(trail);
  trails.set(io, list);
  return trail;
}

/** Ends every audit trail opened for `io`: JSONL written, the collector given at most `boundMs`. Never rejects. */
export async function closeAudit(io: Io, boundMs = AUDIT_FLUSH_BOUND_MS): Promise<void> {
  const list = trails.get(io) ?? [];
  trails.delete(io);
  for (const t of list) {
    const s = await t.close(boundMs);
    if (s.failed) io.err(`mcp-trust-guard: ${s.failed} audit record(s) could not be written to the audit log\n`);
    if (s.dropped) io.err(`mcp-trust-guard: ${s.dropped} audit record(s) did not reach the OTLP collector (they are in the audit log)\n`);
  }
}
