/** What the command handlers need; built once in `activate()`. */
import type { GuardActions } from '../services/actions';
import type { GuardService } from '../services/guardService';
import type { ExtensionLogger } from '../log';
import type { ServerReport } from '../../core/scan';

/** Dependencies of every command handler. */
export interface CommandDeps {
  service: GuardService;
  actions: GuardActions;
  log: ExtensionLogger;
}

/** A command handler: takes the command's arguments (untrusted: validated by the handler). */
export type Handler = (...args: unknown[]) => Promise<void> | void;

/** Servers with a new or changed launch spec. */
export const needsDecision = (s: ServerReport): boolean => s.state === 'new' || s.state === 'changed';
