/**
 * Shapes of an organization policy (see `schemas/policy.schema.json`, the one schema every policy file is
 * validated against). The converged keys are those Claude Code and GitHub Copilot read from their managed
 * settings (`allowedMcpServers`, `deniedMcpServers`, `allowManagedMcpServersOnly`, matchers `serverName` |
 * `serverUrl` | `serverCommand`); the rest is this guard's extension: pins the hosts lack.
 */
import type { MetadataPins } from '../pins/metadata';
import type { Severity } from '../types';

/** The matchers both hosts understand. Every matcher given in a rule must match (they are ANDed). */
export interface ServerMatcher {
  serverName?: string;
  /** `*` matches any run of characters; everything else is literal. */
  serverUrl?: string;
  /** The exact command line, `[command, ...args]` (a guarded entry is matched by what it wraps). */
  serverCommand?: string[];
}

/** One `allowedMcpServers` rule. With `fingerprints` it approves; without, it only permits. */
export interface AllowRule extends ServerMatcher {
  /** Approved effective-launch fingerprints (SHA-256 hex, `fingerprintServer().fingerprint`). */
  fingerprints?: string[];
  /** Tool-metadata pins the guard proxy and `scan --probe` compare against. */
  metadata?: MetadataPins;
  /** This server must launch through the guard proxy. */
  requireGuard?: boolean;
  description?: string;
}

/** One `deniedMcpServers` rule: every field given must match. */
export interface DenyRule extends ServerMatcher {
  fingerprint?: string;
  /** npm/PyPI package name (any version) or container image (any tag/digest) the launch runs. */
  package?: string;
  description?: string;
}

/** A policy document, as validated against the schema. */
export interface PolicyDocument {
  version?: 1;
  description?: string;
  allowManagedMcpServersOnly?: boolean;
  allowedMcpServers?: AllowRule[];
  deniedMcpServers?: DenyRule[];
  requireGuard?: boolean;
  severities?: Record<string, Severity>;
  audit?: { otlpEndpoint?: string };
}

/**
 * Who wrote the file: this guard's own policy file ({@link GUARD_POLICY_KIND}), or a host's managed settings
 * (converged keys only), named by its adapter's `managedSettings.kind` (`claude-code`, `github-copilot`).
 */
export type PolicyKind = string;

/** The {@link PolicyKind} of this guard's own policy file. */
export const GUARD_POLICY_KIND = 'guard';

/** A system-managed place a policy may be. */
export interface PolicyLocation {
  kind: PolicyKind;
  /** Absolute path. */
  path: string;
}

/** A policy file that was read and validated. */
export interface PolicySource extends PolicyLocation {
  policy: PolicyDocument;
  /** SHA-256 hex of the file's bytes. */
  sha256: string;
}

/** A policy file that exists but cannot be used: the whole policy then fails closed. */
export interface PolicyProblem {
  path: string;
  message: string;
}

/**
 * The policy in force on this machine: every usable source, and every problem. A non-empty `problems` means
 * nothing is approved by anyone (fail closed, as VS Code does while its allowlist is unavailable).
 */
export interface PolicySet {
  sources: PolicySource[];
  problems: PolicyProblem[];
  /** Every location looked at, in order, with what was found there. */
  checked: { location: PolicyLocation; status: 'absent' | 'loaded' | 'refused' }[];
}

/** The policy's verdict on one server; absent when the policy leaves the decision to the user. */
export interface PolicyVerdict {
  outcome: 'approved' | 'denied';
  /** Which rule decided, e.g. `deniedMcpServers[2]`, `allowManagedMcpServersOnly`, `requireGuard`. */
  rule: string;
  /** The policy file the rule is in. */
  file: string;
  /** One sentence saying why. */
  message: string;
}

/** A policy set with nothing in it (no policy on this machine). */
export function emptyPolicySet(): PolicySet {
  return { sources: [], problems: [], checked: [] };
}
