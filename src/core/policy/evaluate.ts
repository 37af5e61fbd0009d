/**
 * Applying the organization policy to a server's verdict. Precedence, strongest first:
 * 1. an unusable policy file (fail closed: nothing is approved, every server is blocked, naming the file);
 * 2. a `deniedMcpServers` rule that matches (name, URL, exact command line, fingerprint or package);
 * 3. `requireGuard` (global or on the allow rule that matches) when the entry does not launch the guard proxy;
 * 4. an `allowedMcpServers` rule that matches and lists the server's current fingerprint: approved for everyone,
 *    whatever the user decided;
 * 5. `allowManagedMcpServersOnly`: a server no allow rule matches, or whose fingerprint the matching rules do
 *    not list (when they list any), is blocked; a match by a rule without fingerprints leaves it to the user;
 * 6. otherwise the user's decision stands.
 * Matching follows Claude Code / Copilot managed settings: `serverName` exact, `serverUrl` with `*` wildcards,
 * `serverCommand` the exact `[command, ...args]` (for a guarded entry, the command it wraps). Name matching alone
 * pins nothing, which is why only a fingerprint approves.
 *
 * "Guarded" here is the strict parse (`guardedServer`): the entry is in the repository, so a look-alike such as
 * `bash -c "…" run --config … --name … -- node ok.js` or one whose `env` sets `PATH` neither satisfies
 * `requireGuard` nor lends the command it claims to wrap to the matchers; a deny rule's `serverCommand` matches
 * either the command line as written or the wrapped one.
 */
import { argv } from '../checks/launch/argv';
import { homedir } from 'node:os';
import { isGuarded } from '../edit/guard';
import { guardedServer, launcherByName, type GuardedForm } from '../edit/guardForm';
import type { ServerReport } from '../scan/evaluate';
import type { TrustRecord } from '../trust/types';
import { SEVERITIES, type Severity } from '../types';
import type { AllowRule, DenyRule, PolicySet, PolicyVerdict, ServerMatcher } from './types';

/** What the matchers look at: the launch as the host runs it, seen through the guard proxy. */
interface Identity {
  name: string;
  /** The command line the allow rules match: the wrapped one of a strictly guarded entry, else as written. */
  command?: string[];
  /** Every command line a deny rule may match: as written, and the one a guarded-looking entry claims to wrap. */
  denyCommands: string[][];
  url?: string;
  fingerprint: string;
  tokens: string[];
  guard: GuardedForm;
}

/**
 * The strict parse of a guarded entry (`g`: its loose parse, `isGuarded` of the raw entry) where the launchers installed on this machine are not known: the launcher
 * counts when it is the bare name or a file of the launcher's name outside the workspace (`launcherByName`).
 */
function guardOfReport(r: ServerReport, home: string, g: ReturnType<typeof isGuarded>): GuardedForm {
  if (!g) return { guarded: false };
  const installed = launcherByName(g.launcher.command, r.spec.workspaceFolder) ? [g.launcher.command] : [];
  return guardedServer(r.spec, r.findings, { home, installedLaunchers: installed });
}

function identityOf(r: ServerReport, home: string): Identity {
  const loose = isGuarded(r.spec.raw);
  const guard = guardOfReport(r, home, loose);
  const written = typeof r.spec.command === 'string' ? [r.spec.command, ...(r.spec.args ?? []).filter((a): a is string => typeof a === 'string')] : undefined;
  const wrapped = loose?.command === undefined ? undefined : [loose.command, ...loose.args];
  let command = written;
  let url = r.spec.url;
  if (guard.guarded) {
    command = wrapped;
    url = guard.invocation.url ?? url;
  }
  const denyCommands = [written, wrapped].filter((c): c is string[] => c !== undefined);
  return { name: r.spec.name, command, denyCommands, url, fingerprint: r.fingerprint.fingerprint, tokens: argv(r.spec).map((t) => t.text), guard };
}

/** `pattern` with `*` as "any run of characters", everything else literal; whole-string match. */
export function urlMatches(pattern: string, url: string): boolean {
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(url);
}

/** Whether a command-line token runs `pkg` (npm/PyPI name at any version, or a container image at any tag/digest). */
export function tokenRunsPackage(token: string, pkg: string): boolean {
  if (token === pkg) return true;
  if (!token.startsWith(pkg)) return false;
  const rest = token.slice(pkg.length);
  return rest.startsWith('@') || rest.startsWith('==') || rest.startsWith(':') || rest.startsWith('[');
}

/** Whether every converged matcher given in `m` matches; `undefined` when `m` gives none. */
function sameCommand(want: readonly string[], have: readonly string[] | undefined): boolean {
  return have !== undefined && have.length === want.length && want.every((w, i) => w === have[i]);
}

/**
 * Whether every converged matcher given in `m` matches; `undefined` when `m` gives none. `serverCommand` is
 * compared with `commands` (one of them must be equal).
 */
function matchersMatch(m: ServerMatcher, id: Identity, commands: readonly (readonly string[] | undefined)[]): boolean | undefined {
  const checks: boolean[] = [];
  if (m.serverName !== undefined) checks.push(m.serverName === id.name);
  if (m.serverUrl !== undefined) checks.push(id.url !== undefined && urlMatches(m.serverUrl, id.url));
  if (m.serverCommand !== undefined) {
    const want = m.serverCommand;
    checks.push(commands.some((c) => sameCommand(want, c)));
  }
  return checks.length ? checks.every(Boolean) : undefined;
}

function denyMatches(rule: DenyRule, id: Identity): string | undefined {
  const base = matchersMatch(rule, id, id.denyCommands);
  if (base === false) return undefined;
  if (rule.fingerprint !== undefined && rule.fingerprint !== id.fingerprint) return undefined;
  if (rule.package !== undefined && !id.tokens.slice(0, 1000).some((t) => tokenRunsPackage(t, rule.package!))) return undefined;
  return describeRule(rule);
}

/** A rule's matchers in words, e.g. `name "x", package "@evil/mcp"` (for messages). Pure. */
export function describeRule(r: ServerMatcher & { fingerprint?: string; package?: string }): string {
  const what: string[] = [];
  if (r.serverName !== undefined) what.push(`name ${JSON.stringify(r.serverName)}`);
  if (r.serverUrl !== undefined) what.push(`URL ${JSON.stringify(r.serverUrl)}`);
  if (r.serverCommand !== undefined) what.push('command line');
  if (r.fingerprint !== undefined) what.push(`fingerprint ${r.fingerprint.slice(0, 12)}…`);
  if (r.package !== undefined) what.push(`package ${JSON.stringify(r.package)}`);
  return what.join(', ') || '(any)';
}

/** An allow rule matches when its matchers do; a rule with fingerprints only matches when one of them is current. */
function allowMatches(rule: AllowRule, id: Identity): boolean {
  const base = matchersMatch(rule, id, [id.command]);
  if (base === false) return false;
  if (base === undefined) return rule.fingerprints?.includes(id.fingerprint) ?? false;
  return true;
}

/**
 * How a verdict is shown everywhere (tree, diff panel, CLI table): `approved by your organization` or
 * `blocked by your organization (<rule>, <file>)`.
 */
export function policyLabel(v: PolicyVerdict): string {
  return v.outcome === 'approved' ? 'approved by your organization' : `blocked by your organization (${v.rule}, ${v.file})`;
}

function verdict(outcome: PolicyVerdict['outcome'], rule: string, file: string, message: string): PolicyVerdict {
  return { outcome, rule, file, message };
}

/** The trust record a policy approval stands for (the proxy gate and metadata pins read records). */
function policyRecord(r: ServerReport, rule: AllowRule): TrustRecord {
  const user = r.record && r.record.decision === 'approved' && r.record.fingerprint === r.fingerprint.fingerprint ? r.record : undefined;
  return {
    configFile: r.spec.configFile,
    name: r.spec.name,
    pointer: r.spec.pointer,
    host: r.spec.host,
    decision: 'approved',
    fingerprint: r.fingerprint.fingerprint,
    specHash: r.fingerprint.specHash,
    sourceHash: r.fingerprint.sourceHash,
    spec: r.spec.raw,
    ...(r.spec.duplicateKeys.length ? { duplicateKeys: r.spec.duplicateKeys } : {}),
    files: r.fingerprint.files,
    ...(r.fingerprint.command ? { command: r.fingerprint.command } : {}),
    decidedAt: user?.decidedAt ?? new Date(0).toISOString(),
    ...(rule.metadata ? { metadata: rule.metadata } : user?.metadata ? { metadata: user.metadata } : {}),
  };
}

function deny(r: ServerReport, v: PolicyVerdict): ServerReport {
  return { ...r, state: 'denied', policy: v };
}

/**
 * The verdict on one server with the policy applied (see the file comment for the precedence). Pure; never
 * throws. With an empty set (no policy on the machine) the report is returned as is. Finding severities are
 * the business of {@link withPolicySeverities}.
 *
 * @param home the user's home directory (a guarded entry's `--config` may name its file with `${userHome}`);
 *   default `os.homedir()`.
 */
export function applyPolicy(report: ServerReport, set: PolicySet, home: string = homedir()): ServerReport {
  if (!set.sources.length && !set.problems.length) return report;
  const r = report;
  if (set.problems.length) {
    const p = set.problems[0]!;
    return deny(r, verdict('denied', 'unusable-policy', p.path, `the organization policy ${p.path} ${p.message}; nothing is approved until it is fixed`));
  }
  const id = identityOf(r, home);
  for (const src of set.sources) {
    const rules = src.policy.deniedMcpServers ?? [];
    for (let i = 0; i < rules.length; i++) {
      const what = denyMatches(rules[i]!, id);
      if (what !== undefined) return deny(r, verdict('denied', `deniedMcpServers[${i}]`, src.path, `blocked by your organization: deniedMcpServers[${i}] (${what}) in ${src.path}`));
    }
  }
  const matching: { rule: AllowRule; index: number; file: string }[] = [];
  for (const src of set.sources) {
    (src.policy.allowedMcpServers ?? []).forEach((rule, index) => {
      if (allowMatches(rule, id)) matching.push({ rule, index, file: src.path });
    });
  }
  const guardRule = set.sources.find((s) => s.policy.requireGuard) ?? matching.find((m) => m.rule.requireGuard);
  if (guardRule && !id.guard.guarded) {
    const file = 'file' in guardRule ? guardRule.file : guardRule.path;
    const rule = 'index' in guardRule ? `allowedMcpServers[${guardRule.index}].requireGuard` : 'requireGuard';
    const why = id.guard.why ? `; it looks guarded, but ${id.guard.why}` : '';
    return deny(r, verdict('denied', rule, file, `blocked by your organization: ${rule} in ${file} — this server must launch through the guard proxy (mcp-trust-guard run …)${why}`));
  }
  const approving = matching.find((m) => m.rule.fingerprints?.includes(id.fingerprint));
  if (approving) {
    const rule = `allowedMcpServers[${approving.index}]`;
    return {
      ...r,
      state: 'approved',
      changes: [],
      cosmetic: false,
      record: policyRecord(r, approving.rule),
      policy: verdict('approved', rule, approving.file, `approved by your organization: ${rule} in ${approving.file}`),
    };
  }
  const managedOnly = set.sources.find((s) => s.policy.allowManagedMcpServersOnly);
  if (managedOnly) {
    const permitting = matching.find((m) => !m.rule.fingerprints);
    if (!permitting) {
      const pinned = matching[0];
      const why = pinned
        ? `allowedMcpServers[${pinned.index}] in ${pinned.file} approves other fingerprints than this launch's (${id.fingerprint.slice(0, 12)}…)`
        : 'no allowedMcpServers rule matches it';
      return deny(r, verdict('denied', 'allowManagedMcpServersOnly', managedOnly.path, `blocked by your organization: allowManagedMcpServersOnly in ${managedOnly.path}, and ${why}`));
    }
  }
  return r;
}

function rank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** Severity overrides of a set, merged (most severe wins), for file-level findings. */
export function policySeverities(set: PolicySet): Map<string, Severity> {
  const map = new Map<string, Severity>();
  for (const src of set.sources) {
    for (const [rule, sev] of Object.entries(src.policy.severities ?? {})) {
      const had = map.get(rule);
      if (!had || rank(sev) < rank(had)) map.set(rule, sev);
    }
  }
  return map;
}

/**
 * `findings` with the severities the policy's `severities` name (the most severe wins when several policy files
 * name a rule); the same array when nothing changes.
 */
export function withPolicySeverities<F extends { ruleId: string; severity: Severity }>(findings: F[], map: ReadonlyMap<string, Severity>): F[] {
  if (!map.size || !findings.some((f) => map.has(f.ruleId))) return findings;
  return findings.map((f) => (map.has(f.ruleId) ? { ...f, severity: map.get(f.ruleId)! } : f));
}
