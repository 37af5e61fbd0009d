/**
 * The status-bar item: `$(shield)` plus the number of servers that need a decision (new, changed, and denied ones
 * that are back in their file with no host veto holding them); clicking it focuses the server tree. Warning
 * background while a server is changed or a denied one can still be launched.
 */
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import type { GuardService, GuardSnapshot } from '../services/guardService';
import { heldBy, isGuardedServer, type ProtectionLookup } from '../tree/nodes';

/** The status-bar item and its updates. */
export class GuardStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('mcpTrustGuard.status', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;

  private snap: GuardSnapshot | undefined;
  private readonly vetoSub: vscode.Disposable | undefined;

  /** `vetoes`, when given, tells which denied servers a host veto holds back (those are not counted). */
  constructor(
    service: GuardService,
    private readonly vetoes?: { protectionOf: ProtectionLookup; onDidChange: vscode.Event<void> },
  ) {
    this.item.name = 'MCP Trust Guard';
    this.item.command = CommandId.ShowServers;
    this.item.text = '$(shield)';
    this.item.tooltip = 'MCP Trust Guard: scanning MCP config files…';
    this.item.show();
    this.sub = service.onDidChange((snap) => {
      this.snap = snap;
      this.update(snap);
    });
    this.vetoSub = vetoes?.onDidChange(() => this.snap && this.update(this.snap));
  }

  dispose(): void {
    this.vetoSub?.dispose();
    this.sub.dispose();
    this.item.dispose();
  }

  private update(snap: GuardSnapshot): void {
    let fresh = 0;
    let changed = 0;
    let launchable = 0;
    for (const s of snap.report.servers) {
      if (s.state === 'new') fresh++;
      else if (s.state === 'changed') changed++;
      else if (s.state === 'denied' && heldBy(s, isGuardedServer(s), this.vetoes?.protectionOf).length === 0) launchable++;
    }
    const n = fresh + changed + launchable;
    this.item.text = n ? `$(shield) ${n}` : '$(shield)';
    this.item.tooltip = n
      ? `MCP Trust Guard: ${n} MCP server(s) need review (${changed} changed, ${fresh} new${launchable ? `, ${launchable} denied but still launchable: no host veto holds them` : ''}). Click to show them.`
      : `MCP Trust Guard: ${snap.report.servers.length} MCP server(s), none needs review.${snap.storeProblem ? ' The trust store is unusable.' : ''}`;
    this.item.accessibilityInformation = { label: `MCP Trust Guard: ${n} to review` };
    this.item.backgroundColor = changed || launchable || snap.storeProblem ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
