/** `mcpTrustGuard.showServers`: focuses the server tree (VS Code's generated `<viewId>.focus` command). */
import * as vscode from 'vscode';
import { SERVERS_VIEW_ID } from '../tree/serverTree';
import type { CommandDeps, Handler } from './deps';

/** Handler of {@link CommandId.ShowServers}. */
export const showServers = (_d: CommandDeps): Handler => async () => {
  await vscode.commands.executeCommand(`${SERVERS_VIEW_ID}.focus`);
};
