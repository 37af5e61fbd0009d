/**
 * `mcp-trust-guard policy export|check|show`: a policy from the team's own approvals, validation of a policy
 * file before it is distributed, and what policy is in force on this machine and where it came from.
 */
import { promises as fsp } from 'node:fs';
import { resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { describeRule, exportPolicy, GUARD_POLICY_KIND, MAX_POLICY_BYTES, parsePolicyText, POLICY_KINDS, type PolicySet } from '../../core/policy';
import { CliError, Exit, openStore, policyFor, readStoreStrict, type GlobalOptions, type Io } from '../context';

/** Options of `policy export`. */
export interface PolicyExportOptions extends GlobalOptions {
  output?: string;
  managedOnly?: boolean;
  requireGuard?: boolean;
}

/** `policy export [--output <file>] [--managed-only] [--require-guard]`: the store's decisions as a policy. */
export async function policyExportCommand(opts: PolicyExportOptions, io: Io): Promise<Exit> {
  const snap = await readStoreStrict(openStore(opts, io));
  const doc = exportPolicy(snap.data, { managedOnly: opts.managedOnly, requireGuard: opts.requireGuard });
  const text = JSON.stringify(doc, null, 2) + '\n';
  if (opts.output) {
    const out = resolve(io.cwd, opts.output);
    await writeFileAtomic(out, text, { mode: 0o644 });
    io.err(`wrote ${out}: ${doc.allowedMcpServers?.length ?? 0} allowed, ${doc.deniedMcpServers?.length ?? 0} denied; review it, then install it as root (see "For teams" in the README)\n`);
  } else {
    io.out(text);
  }
  return Exit.Ok;
}

/** `policy check <file>`: 0 when the file is a valid policy, 1 when it is not, 2 when it cannot be read. */
export async function policyCheckCommand(file: string, opts: GlobalOptions & { kind?: string }, io: Io): Promise<Exit> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    const st = await fsp.stat(path);
    if (st.size > MAX_POLICY_BYTES) throw new Error(`larger than ${MAX_POLICY_BYTES} bytes`);
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const kind = opts.kind !== undefined && POLICY_KINDS.includes(opts.kind) ? opts.kind : GUARD_POLICY_KIND;
  const r = parsePolicyText(text, kind);
  if ('error' in r) {
    io.out(opts.json ? JSON.stringify({ file: path, valid: false, error: r.error }) + '\n' : `${path}: INVALID: ${r.error}\n`);
    return Exit.Attention;
  }
  const p = r.policy;
  const summary = { allowed: p.allowedMcpServers?.length ?? 0, denied: p.deniedMcpServers?.length ?? 0, allowManagedMcpServersOnly: p.allowManagedMcpServersOnly ?? false, requireGuard: p.requireGuard ?? false };
  io.out(
    opts.json
      ? JSON.stringify({ file: path, valid: true, ...summary }) + '\n'
      : `${path}: valid (${summary.allowed} allowed, ${summary.denied} denied${summary.allowManagedMcpServersOnly ? ', managed servers only' : ''}${summary.requireGuard ? ', guard required' : ''})\n`,
  );
  return Exit.Ok;
}

/** The `policy show --json` document. */
export function policySetToJson(set: PolicySet): Record<string, unknown> {
  return {
    checked: set.checked.map((c) => ({ kind: c.location.kind, path: c.location.path, status: c.status })),
    sources: set.sources.map((s) => ({ kind: s.kind, path: s.path, sha256: s.sha256, policy: s.policy })),
    problems: set.problems,
  };
}

/** `policy show`: every location looked at, what is in force from each, and every problem. Exit 2 on a problem. */
export async function policyShowCommand(opts: GlobalOptions, io: Io): Promise<Exit> {
  const set = await policyFor(opts, io);
  if (opts.json) {
    io.out(JSON.stringify(policySetToJson(set), null, 2) + '\n');
  } else {
    for (const c of set.checked) io.out(`${c.status.padEnd(8)} ${c.location.kind.padEnd(15)} ${c.location.path}\n`);
    for (const s of set.sources) {
      const p = s.policy;
      io.out(`\nin force from ${s.path} (sha256 ${s.sha256.slice(0, 12)}…):\n`);
      if (p.allowManagedMcpServersOnly) io.out('  allowManagedMcpServersOnly: only servers an allowedMcpServers rule matches may run\n');
      if (p.requireGuard) io.out('  requireGuard: every server must launch through the guard proxy\n');
      (p.allowedMcpServers ?? []).forEach((r, i) => io.out(`  allowedMcpServers[${i}]: ${describeRule(r)}${r.fingerprints ? `, ${r.fingerprints.length} fingerprint(s)` : ' (permits; pins nothing)'}${r.metadata ? ', tool pins' : ''}\n`));
      (p.deniedMcpServers ?? []).forEach((r, i) => io.out(`  deniedMcpServers[${i}]: ${describeRule(r)}\n`));
      for (const [rule, sev] of Object.entries(p.severities ?? {})) io.out(`  severity of ${rule}: ${sev}\n`);
      if (p.audit?.otlpEndpoint) io.out(`  audit records exported to ${p.audit.otlpEndpoint}\n`);
    }
    for (const pr of set.problems) io.out(`\nUNUSABLE ${pr.path}: ${pr.message}\n  nothing is approved until it is fixed\n`);
    if (!set.checked.some((c) => c.status !== 'absent')) io.out('\nNo organization policy on this machine: your own decisions apply.\n');
  }
  return set.problems.length ? Exit.Usage : Exit.Ok;
}
