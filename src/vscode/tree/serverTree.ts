/**
 * The server tree (view `mcpTrustGuard.servers` in the `mcpTrustGuard` activity-bar container): renders the
 * view-models of `nodes.ts` as TreeItems with a ThemeIcon and ThemeColor per state. Tooltips are plain strings
 * (never Markdown), so attacker-written text is shown as text.
 */
import * as vscode from 'vscode';
import type { GuardService } from '../services/guardService';
import { CommandId } from '../commands/ids';
import { buildTree, type ServerNodeState, type TreeNode } from './nodes';

/** The view id (package.json `contributes.views.mcpTrustGuard`). */
export const SERVERS_VIEW_ID = 'mcpTrustGuard.servers';

const SERVER_ICON: Record<ServerNodeState, [string, string]> = {
  approved: ['pass', 'testing.iconPassed'],
  new: ['question', 'editorInfo.foreground'],
  changed: ['warning', 'editorWarning.foreground'],
  denied: ['circle-slash', 'errorForeground'],
  blocked: ['lock', 'errorForeground'],
  error: ['error', 'errorForeground'],
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

  constructor(service: GuardService) {
    this.sub = service.onDidChange((snap) => {
      this.roots = buildTree(snap, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
      this.emitter.fire(undefined);
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) return this.roots;
    if (element.kind === 'file' || element.kind === 'server') return element.children;
    return [];
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    switch (n.kind) {
      case 'file': {
        const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = n.id;
        item.description = n.description;
        item.tooltip = n.tooltip;
        item.contextValue = n.contextValue;
        item.resourceUri = vscode.Uri.file(n.configFile);
        item.iconPath = n.hasError ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')) : new vscode.ThemeIcon('json');
        return item;
      }
      case 'server': {
        const item = new vscode.TreeItem(n.label, n.children.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.description = n.description;
        item.tooltip = n.tooltip;
        item.contextValue = n.contextValue;
        const [icon, color] = SERVER_ICON[n.state];
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.accessibilityInformation = { label: `${n.label}, ${n.state}`, role: 'treeitem' };
        item.command = { command: CommandId.RevealInConfig, title: 'Reveal in Config', arguments: [{ configFile: n.configFile, pointer: n.pointer }] };
        return item;
      }
      case 'item': {
        const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.description = n.description;
        item.tooltip = n.tooltip;
        item.contextValue = n.contextValue;
        const color = n.worst === 'high' ? 'errorForeground' : n.worst === 'medium' || n.state === 'changed' || n.state === 'new' ? 'editorWarning.foreground' : undefined;
        item.iconPath = new vscode.ThemeIcon(ITEM_ICON[n.itemKind] ?? 'symbol-misc', color ? new vscode.ThemeColor(color) : undefined);
        item.command = { command: CommandId.InspectTools, title: 'Inspect Tools', arguments: [{ configFile: n.configFile, pointer: n.pointer }] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.tooltip = n.tooltip;
        item.contextValue = 'message';
        item.iconPath = new vscode.ThemeIcon(n.severity === 'error' ? 'error' : n.severity === 'warning' ? 'warning' : 'info');
        return item;
      }
    }
  }
}
