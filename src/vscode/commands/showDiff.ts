/** `mcpTrustGuard.showDiff`: opens the diff panel of a server (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.ShowDiff}. */
export const showDiff = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Show Diff');
  if (key) await d.actions.showDiff(key);
};
