/**
 * Entry point of the MCP Trust Guard VS Code extension (bundled to `dist/extension.js`).
 *
 * Skeleton: creates the log channel, registers `mcpTrustGuard.showLog` and logs one activation line. The
 * watcher, prompts, server tree and diff panel are wired here later; `activate()` only wires, and every
 * disposable goes to `context.subscriptions` (see shared/STYLE.md).
 *
 * Activation (package.json `activationEvents`): on start-up finished, and when a workspace contains
 * `.vscode/mcp.json`, `.cursor/mcp.json` or `.mcp.json`. Runs in Restricted Mode too
 * (`capabilities.untrustedWorkspaces.supported: true`), where it never launches a workspace-defined server.
 */
import * as vscode from 'vscode';
import { createExtensionLogger } from './log';

/** Ids of the commands this extension contributes; each must also be listed in package.json. */
export const enum CommandId {
  /** Reveals the "MCP Trust Guard" log output channel. */
  ShowLog = 'mcpTrustGuard.showLog',
}

/**
 * Called by the host on the first activation event. Logs
 * `activated in <ms> ms (host: <vscode.env.appName>, trusted: <vscode.workspace.isTrusted>)`, where `<ms>` is
 * the wall-clock time spent inside this function. Never throws.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createExtensionLogger();
  context.subscriptions.push(log);
  context.subscriptions.push(vscode.commands.registerCommand(CommandId.ShowLog, () => log.show(false)));
  const ms = Math.round(performance.now() - started);
  log.info(`activated in ${ms} ms (host: ${vscode.env.appName}, trusted: ${vscode.workspace.isTrusted})`);
}

/** Called by the host on shutdown. Everything is released through `context.subscriptions`. */
export function deactivate(): void {}
