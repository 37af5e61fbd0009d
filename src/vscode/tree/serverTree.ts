/**
 * The server tree (view `mcpTrustGuard.servers` in the `mcpTrustGuard` activity-bar container): renders the
 * view-models of `nodes.ts` as TreeItems with a ThemeIcon and ThemeColor per state. Tooltips are plain strings
 * (never Markdown), so attacker-written text is shown as text.
 */
import * as vscode from 'vscode';
import type { GuardService, GuardSnapshot } from '../services/guardService';
import { CommandId } from '../commands/ids';
import { buildTree, pendingCount, type ProtectionLookup, type ServerNodeState, type TreeNode } from './nodes';
import { serverKeyOf } from '../services/serverKey';

/** The view id (package.json `contributes.views.mcpTrustGuard`). */
export const SERVERS_VIEW_ID = 'mcpTrustGuard.servers';

const SERVER_ICON: Record<ServerNodeState, [string, string]> = {
  approved: ['pass', 'testing.iconPassed'],
  new: ['question', 'editorInfo.foreground'],
  changed: ['warning', 'editorWarning.foreground'],
  denied: ['circle-slash', 'errorForeground'],
  blocked: ['lock', 'errorForeground'],
  error: ['circle-large-outline', 'descriptionForeground'],
};

const ITEM_ICON: Record<string, string> = {
  tool: 'tools',
  prompt: 'comment',
  resource: 'file',
  resourceTemplate: 'file-symlink-file',
  instructions: 'info',
};

/** TreeDataProvider over the service's latest snapshot. */
export class ServerTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: TreeNode[] = [];
  private readonly sub: vscode.Disposable;

  /** The view, for its badge (set by `attach`). */
  private view: vscode.TreeView<TreeNode> | undefined;
  private snap: GuardSnapshot | undefined;
  private readonly vetoSub: vscode.Disposable | undefined;

  /** `vetoes`, when given, adds what holds each server back to its tooltip and re-renders when that changes. */
  constructor(
    service: GuardService,
    private readonly vetoes?: { protectionOf: ProtectionLookup; onDidChange: vscode.Event<void> },
  ) {
    this.sub = service.onDidChange((snap) => {
      this.snap = snap;
      this.render();
    });
    this.vetoSub = vetoes?.onDidChange(() => this.render());
  }

  private render(): void {
    if (!this.snap) return;
    this.roots = buildTree(this.snap, (vscode.workspace.workspaceFolders?.length ?? 0) > 1, this.vetoes?.protectionOf);
    this.emitter.fire(undefined);
    this.updateBadge(pendingCount(this.snap));
  }

  /** Creates the tree view (VS Code API `window.createTreeView`) with a badge counting what needs review. */
  attach(): vscode.TreeView<TreeNode> {
    this.view = vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true, canSelectMany: true });
    return this.view;
  }

  private updateBadge(n: number): void {
    if (this.view) this.view.badge = n ? { value: n, tooltip: `${n} MCP server${n === 1 ? '' : 's'} need review` } : undefined;
  }

  dispose(): void {
    this.vetoSub?.dispose();
    this.sub.dispose();
    this.emitter.dispose();
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) return this.roots;
    if (element.kind === 'group' || element.kind === 'file' || element.kind === 'server') return element.children;
    return [];
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    if (n.kind === 'message') {
      const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
      item.id = n.id;
      item.tooltip = n.tooltip;
      item.contextValue = 'message';
      item.iconPath = new vscode.ThemeIcon(n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warning' : 'info');
      return item;
    }
    const S = vscode.TreeItemCollapsibleState;
    const collapsible = n.kind === 'group' || n.kind === 'file' ? S.Expanded : n.kind === 'server' && n.children.length ? S.Collapsed : S.None;
    const item = new vscode.TreeItem(n.label, collapsible);
    item.id = n.id;
    item.description = n.description;
    item.tooltip = n.tooltip;
    item.contextValue = n.contextValue;
    switch (n.kind) {
      case 'group':
        item.iconPath = new vscode.ThemeIcon('inbox', new vscode.ThemeColor('editorWarning.foreground'));
        break;
      case 'file':
        item.resourceUri = vscode.Uri.file(n.configFile);
        item.iconPath = n.hasError ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('json');
        break;
      case 'server': {
        const [icon, color] = SERVER_ICON[n.state];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.accessibilityInformation = { label: `${n.label}, ${n.state}`, role: 'treeitem' };
        item.command = { command: CommandId.RevealInConfig, title: 'Reveal in Config', arguments: [serverKeyOf(n)] };
        break;
      }
      case 'item': {
        const color = n.worst === 'high' ? 'errorForeground' : n.worst === 'medium' || n.state === 'changed' || n.state === 'new' ? 'editorWarning.foreground' : undefined;
        item.iconPath = new vscode.ThemeIcon(ITEM_ICON[n.itemKind] ?? 'symbol-misc', color ? new vscode.ThemeColor(color) : undefined);
        item.command = { command: CommandId.InspectTools, title: 'Inspect Tools', arguments: [{ ...serverKeyOf(n), item: `${n.itemKind}:${n.itemKey}` }] };
        break;
      }
    }
    return item;
  }
}
