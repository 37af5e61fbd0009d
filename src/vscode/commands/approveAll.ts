/** `mcpTrustGuard.approveAll`: approves every new or changed server after a modal that lists each. */
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.ApproveAll}. */
export const approveAll = (d: CommandDeps): Handler => () => d.actions.approveAll();
