/**
 * Ids of every command MCP Trust Guard registers. Each is also listed in package.json `contributes.commands`
 * (with category "MCP Trust Guard"); the e2e test `test/e2e/commands.test.ts` checks both directions.
 *
 * Commands that act on one server take one argument: an object with `configFile` (absolute path) and
 * `pointer` (RFC 6901 JSON Pointer of the entry), such as a server node of the tree or a CodeLens argument.
 * Without an argument they ask with a quick pick.
 */
export const enum CommandId {
  /** Reveals the "MCP Trust Guard" log output channel. */
  ShowLog = 'mcpTrustGuard.showLog',
  /** Re-discovers and re-reads every config file and the trust store. */
  Refresh = 'mcpTrustGuard.refresh',
  /** Focuses the server tree (the status-bar item runs this). */
  ShowServers = 'mcpTrustGuard.showServers',
  /** Approves a server's current launch spec: pins it, starts nothing (unless `probeOnApprove`). */
  Approve = 'mcpTrustGuard.approve',
  /** Approves a server's current launch spec, then starts it once to read and pin its tools. */
  ApproveAndReadTools = 'mcpTrustGuard.approveAndReadTools',
  /** Records a denial of a server's current launch spec. */
  Deny = 'mcpTrustGuard.deny',
  /** Denies a server and, with consent, moves its entry into the quarantine key; stops it in VS Code. */
  Block = 'mcpTrustGuard.block',
  /** Moves a quarantined entry back into its section. */
  Restore = 'mcpTrustGuard.restore',
  /** Removes a server's trust record: it becomes new. */
  Forget = 'mcpTrustGuard.forget',
  /** Opens the diff panel (approved vs current). */
  ShowDiff = 'mcpTrustGuard.showDiff',
  /** Shows the server's tools, prompts and resources in the tool inspector. */
  InspectTools = 'mcpTrustGuard.inspectTools',
  /** Starts an approved server to read its tools again and compares them with the pins. */
  ProbeAgain = 'mcpTrustGuard.probeAgain',
  /** Opens the config file at the server's entry. */
  RevealInConfig = 'mcpTrustGuard.revealInConfig',
  /** The bulk review: a multi-select list of every new or changed server, then Cancel / Approve / Approve and read tools. */
  ApproveAll = 'mcpTrustGuard.approveAll',
  /** Wraps a stdio entry in the guard proxy (registered by src/vscode/guard). */
  GuardServer = 'mcpTrustGuard.guardServer',
  /** Unwraps a guarded entry (registered by src/vscode/guard). */
  UnguardServer = 'mcpTrustGuard.unguardServer',
  /** Wraps every approved stdio entry in the guard proxy (registered by src/vscode/guard). */
  GuardAll = 'mcpTrustGuard.guardAll',
}

/** Prefix of every command id of this extension. */
export const COMMAND_PREFIX = 'mcpTrustGuard.';
