/** `mcpTrustGuard.restore`: moves a quarantined entry back into its section (argument: `{configFile, pointer}`). */
import * as vscode from 'vscode';
import { isServerKey } from '../services/actions';
import { safeText } from '../text';
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.Restore}: without an argument, picks among the quarantined entries. */
export const restore = (d: CommandDeps): Handler => async (arg) => {
  if (isServerKey(arg)) return d.actions.restore({ configFile: arg.configFile, pointer: arg.pointer });
  const list = d.service.snapshot?.quarantined ?? [];
  if (!list.length) {
    void vscode.window.showInformationMessage('MCP Trust Guard: nothing is quarantined.');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    list.map((q) => ({ label: safeText(q.name, 60), description: d.actions.displayFile(q.configFile, q.workspaceFolder), key: { configFile: q.configFile, pointer: q.pointer } })),
    { title: 'MCP Trust Guard: Restore' },
  );
  if (pick) await d.actions.restore(pick.key);
};
