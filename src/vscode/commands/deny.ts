/** `mcpTrustGuard.deny`: records a denial of a server's current launch spec (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.Deny}. */
export const deny = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Deny', (s) => s.state !== 'denied');
  if (key) await d.actions.deny(key);
};
