/**
 * `mcpTrustGuard.inspectTools`: shows a server's tools in the tool inspector (argument: `{configFile, pointer}`,
 * with `item: "<kind>:<name>"` when a tool was selected in the tree: that tool is revealed).
 */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.InspectTools}. */
export const inspectTools = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Inspect Tools');
  const item = arg && typeof arg === 'object' && typeof (arg as { item?: unknown }).item === 'string' ? (arg as { item: string }).item : undefined;
  if (key) await d.actions.inspect(key, item);
};
