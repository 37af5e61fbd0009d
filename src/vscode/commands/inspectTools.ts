/** `mcpTrustGuard.inspectTools`: shows a server's tools in the tool inspector (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.InspectTools}. */
export const inspectTools = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Inspect Tools');
  if (key) await d.actions.inspect(key);
};
