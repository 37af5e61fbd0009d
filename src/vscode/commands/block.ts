/** `mcpTrustGuard.block`: denies a server and, with consent, quarantines its entry (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.Block}. */
export const block = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Block');
  if (key) await d.actions.block(key);
};
