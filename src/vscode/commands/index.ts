/**
 * Registers every command handler of this module (one handler per file) and returns the disposables.
 * The guard-proxy commands (`guardServer`, `unguardServer`, `guardAll`) are registered by `src/vscode/guard`.
 */
import * as vscode from 'vscode';
import { approve } from './approve';
import { approveAll } from './approveAll';
import { approveAndReadTools } from './approveAndReadTools';
import { block } from './block';
import { deny } from './deny';
import type { CommandDeps, Handler } from './deps';
import { forget } from './forget';
import { CommandId } from './ids';
import { inspectTools } from './inspectTools';
import { probeAgain } from './probeAgain';
import { refresh } from './refresh';
import { restore } from './restore';
import { revealInConfig } from './revealInConfig';
import { showDiff } from './showDiff';
import { showLog } from './showLog';
import { showServers } from './showServers';

const HANDLERS: [CommandId, (d: CommandDeps) => Handler][] = [
  [CommandId.ShowLog, showLog],
  [CommandId.Refresh, refresh],
  [CommandId.ShowServers, showServers],
  [CommandId.Approve, approve],
  [CommandId.ApproveAndReadTools, approveAndReadTools],
  [CommandId.Deny, deny],
  [CommandId.Block, block],
  [CommandId.Restore, restore],
  [CommandId.Forget, forget],
  [CommandId.ShowDiff, showDiff],
  [CommandId.InspectTools, inspectTools],
  [CommandId.ProbeAgain, probeAgain],
  [CommandId.RevealInConfig, revealInConfig],
  [CommandId.ApproveAll, approveAll],
];

/**
 * Registers the handlers. A handler's failure is logged and shown as an error message, never thrown into
 * VS Code's command service.
 */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  return HANDLERS.map(([id, make]) => {
    const handler = make(deps);
    return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await handler(...args);
      } catch (e) {
        deps.log.error(`${id} failed: ${(e as Error)?.stack ?? String(e)}`);
        void vscode.window.showErrorMessage(`MCP Trust Guard: ${(e as Error)?.message ?? String(e)}`);
      }
    });
  });
}
