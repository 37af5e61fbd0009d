/** `mcpTrustGuard.refresh`: discovers and reads every config file and the trust store again. */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.Refresh}. */
export const refresh = (d: CommandDeps): Handler => async () => {
  await d.service.rescan('refresh');
};
