/** Public API of the stdio guard proxy. No MCP SDK import here: the remote bridge is injected. */
export { runGuardProxy, type GuardProxyOptions, type RemoteConnector, type RemoteUpstream } from './proxy';
export { checkLaunch, matchesTemplate, type GuardInvocation, type GateResult } from './gate';
export { blockedAnswer, BLOCKED_TOOL_NAME, SUPPORTED_PROTOCOL_VERSIONS, RpcError } from './blocked';
export { MetadataFilter, LIST_METHODS, ITEM_KIND, type FilteredPage } from './filter';
export { Relay, type RelayIo } from './relay';
export { LineSplitter, DEFAULT_MAX_LINE_BYTES } from './lines';
export { stderrLogger, type LogLevel } from './logger';
export { resolveCommand } from '../core/launch/command';
export { checkStoreLocation, homeStorePath, realHome, restoreLoaderVariables, LOADER_VARIABLES, SAVED_ENV_PREFIX } from './trustRoots';
