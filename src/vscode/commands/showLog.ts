/** `mcpTrustGuard.showLog`: reveals the "MCP Trust Guard" log output channel. */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.ShowLog}. */
export const showLog = (d: CommandDeps): Handler => () => d.log.show(false);
