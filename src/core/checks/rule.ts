/**
 * The two kinds of static-check rule of the core (checks return findings, they never throw;
 * one rule per file): rules on a server's launch spec (`./launch`) and rules on one item of the metadata a
 * server sends (`./tool`).
 */
import type { Finding, ServerSpec, Severity } from '../types';

/**
 * A static check of one launch spec.
 * `check` returns findings whose `pointer` is an RFC 6901 pointer into the server entry (`/args/1`,
 * `/env/LD_PRELOAD`, `""` for the entry itself or its name). It never throws and does no I/O.
 */
export interface LaunchRule {
  /** Stable rule id, used as the SARIF `ruleId`, e.g. `shell-inline-script`. */
  id: string;
  /** One sentence saying what the rule looks for (shown in SARIF rule metadata and docs). */
  description: string;
  check(spec: ServerSpec): Finding[];
}

/**
 * What kind of item a server sent (MCP spec 2025-06-18: "Tools", "Prompts", "Resources" (`resources/list`,
 * `resources/templates/list`) and the `instructions` string of the `initialize` result).
 */
export type ItemKind = 'tool' | 'prompt' | 'resource' | 'resourceTemplate' | 'instructions';

/** Another server configured beside the one being checked, for cross-server shadowing checks. */
export interface OtherServer {
  /** The server's name as configured. */
  name: string;
  /** Names of the tools it exposes (as pinned or probed). */
  toolNames: string[];
}

/** Context of one {@link ItemRule} run. */
export interface ItemCheckContext {
  kind: ItemKind;
  /** Name of the server that sent the item. */
  serverName: string;
  /** The other configured servers (the checked server itself, if present, is ignored by name). */
  otherServers: OtherServer[];
  /**
   * Optional: the checked server's own tool names. A name that the checked server also has is not counted
   * as a mention of another server's tool (the description is then about its own tool).
   */
  ownToolNames?: readonly string[];
}

/**
 * A static check of one item exactly as the server sent it (hostile JSON of any shape, possibly huge).
 * Every string anywhere in the item counts; `pointer` is an RFC 6901 pointer into the item (`""` when the
 * item itself is the string, e.g. server instructions). Never throws.
 */
export interface ItemRule {
  /** Stable rule id, e.g. `hidden-instructions`. */
  id: string;
  /** One sentence saying what the rule looks for. */
  description: string;
  check(item: unknown, ctx: ItemCheckContext): Finding[];
}

/** Builds a {@link Finding}. */
export function finding(ruleId: string, severity: Severity, message: string, pointer: string): Finding {
  return { ruleId, severity, message, pointer };
}
