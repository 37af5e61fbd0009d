/**
 * The extension's log: one VS Code {@link vscode.LogOutputChannel} named "MCP Trust Guard", exposed to the
 * core through its {@link Logger} port (`src/core/ports`). The channel's level follows the user's
 * "Developer: Set Log Level" choice, as for any `LogOutputChannel` (VS Code API ≥ 1.74).
 */
import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { redactText } from '../core/redact';

/** Name of the output channel, as shown in the Output view's channel list. */
export const LOG_CHANNEL_NAME = 'MCP Trust Guard';

/**
 * A {@link Logger} that writes to a VS Code log output channel, plus the channel itself (for `show()`) and
 * `dispose()` to release it. Messages are single lines of text; the channel adds time and level.
 */
export interface ExtensionLogger extends Logger, vscode.Disposable {
  /** The underlying channel. */
  readonly channel: vscode.LogOutputChannel;
  /** Reveals the channel in the Output view. `preserveFocus` keeps focus in the editor (default true). */
  show(preserveFocus?: boolean): void;
}

/**
 * Creates the "MCP Trust Guard" log output channel (`vscode.window.createOutputChannel(name, { log: true })`)
 * and wraps it as a {@link Logger}. Every message goes through `redactText` (core/redact) first, so a token
 * that reached a log line (a probe's stderr, an error naming a command line) is masked there too. Call once per
 * activation and push the result to `context.subscriptions`. Never throws.
 */
export function createExtensionLogger(): ExtensionLogger {
  const channel = vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
  return {
    channel,
    debug: (message) => channel.debug(redactText(message)),
    info: (message) => channel.info(redactText(message)),
    warn: (message) => channel.warn(redactText(message)),
    error: (message) => channel.error(redactText(message)),
    show: (preserveFocus = true) => channel.show(preserveFocus),
    dispose: () => channel.dispose(),
  };
}
