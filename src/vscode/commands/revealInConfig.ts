/** `mcpTrustGuard.revealInConfig`: opens the config file at the server's entry (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.RevealInConfig}. */
export const revealInConfig = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Reveal in Config');
  if (key) await d.actions.reveal(key);
};
