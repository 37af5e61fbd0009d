/**
 * `mcpTrustGuard.approveAndReadTools`: approves a server's current launch spec and then starts it once to read
 * and pin its tools (argument: `{configFile, pointer}`). The explicit, labelled form of "approve and run".
 */
import { needsDecision, type CommandDeps, type Handler } from './deps';

/** Handler of {@link CommandId.ApproveAndReadTools}. */
export const approveAndReadTools = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Approve and Read Tools', (s) => needsDecision(s) || s.state === 'denied');
  if (key) await d.actions.approve(key, { readTools: true });
};
