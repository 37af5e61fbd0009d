/**
 * Public API of MCP probing. This directory is the only one that imports the MCP SDK.
 */
export { probeServer, probeTwice, openProbeSession, ProbeError, PROBE_DEFAULTS, MAX_PAGES } from './probe';
export type { ProbeSession, ListSnapshot, BaitAndSwitchReport } from './probe';
export type { ClientInfo, ListKind, ProbeOptions, ProbeResult } from './types';
export { emptyProbeResult } from './types';
export {
  defaultClientInfo,
  resolveLaunch,
  resolveForLaunch,
  parseDotenv,
  LaunchResolveError,
  MAX_ENV_FILE_BYTES,
} from './launch';
export type { ResolvedLaunch, ResolvedStdioLaunch, ResolvedRemoteLaunch, ResolveContext } from './launch';
