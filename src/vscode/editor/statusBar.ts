/**
 * The status-bar item: `$(shield)` plus the number of servers that need a decision; clicking it focuses the
 * server tree. Warning background while a server is changed.
 */
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import type { GuardService, GuardSnapshot } from '../services/guardService';

/** The status-bar item and its updates. */
export class GuardStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mcpTrustGuard.status', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;

  constructor(service: GuardService) {
    this.item.name = 'MCP Trust Guard';
    this.item.command = CommandId.ShowServers;
    this.item.text = '$(shield)';
    this.item.tooltip = 'MCP Trust Guard: scanning MCP config files…';
    this.item.show();
    this.sub = service.onDidChange((snap) => this.update(snap));
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }

  private update(snap: GuardSnapshot): void {
    let fresh = 0;
    let changed = 0;
    for (const s of snap.report.servers) {
      if (s.state === 'new') fresh++;
      else if (s.state === 'changed') changed++;
    }
    const n = fresh + changed;
    this.item.text = n ? `$(shield) ${n}` : '$(shield)';
    this.item.tooltip = n
      ? `MCP Trust Guard: ${n} MCP server(s) need review (${changed} changed, ${fresh} new). Click to show them.`
      : `MCP Trust Guard: ${snap.report.servers.length} MCP server(s), none needs review.${snap.storeProblem ? ' The trust store is unusable.' : ''}`;
    this.item.accessibilityInformation = { label: `MCP Trust Guard: ${n} to review` };
    this.item.backgroundColor = changed || snap.storeProblem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
