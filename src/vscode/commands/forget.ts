/** `mcpTrustGuard.forget`: removes a server's trust record; it is new again (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.Forget}. */
export const forget = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Forget', (s) => !!s.record);
  if (key) await d.actions.forget(key);
};
