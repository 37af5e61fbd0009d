/** `mcpTrustGuard.approve`: approves a server's current launch spec (argument: `{configFile, pointer}`). */
import { needsDecision, type CommandDeps, type Handler } from './deps';

/** Handler of {@link CommandId.Approve}. */
export const approve = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Approve', (s) => needsDecision(s) || s.state === 'denied');
  if (key) await d.actions.approve(key);
};
