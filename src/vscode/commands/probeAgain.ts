/** `mcpTrustGuard.probeAgain`: probes an approved server and compares its tools with the pins (argument: `{configFile, pointer}`). */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.ProbeAgain}. */
export const probeAgain = (d: CommandDeps): Handler => async (arg) => {
  const key = await d.actions.resolve(arg, 'Probe Again', (s) => s.state === 'approved');
  if (key) await d.actions.probe(key);
};
