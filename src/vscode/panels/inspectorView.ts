/**
 * The tool inspector: one webview panel in the editor area (VS Code API `window.createWebviewPanel`, like an
 * extension's details page), showing the tools, prompts and resources of one server with a filter box and a
 * compact list. Showing another server replaces the content of the open panel and reveals it; a `focus`
 * (`<kind>:<key>`, from a tool selected in the Servers tree) expands that item and scrolls to it.
 */
import * as vscode from 'vscode';
import type { InspectorViewModel } from '../../webview/model';
import { MessageType, parseFromWebview } from '../../webview/protocol';
import { setWebviewHtml, webviewOptions } from './webviewHost';

/** `viewType` of the panel. */
export const INSPECTOR_PANEL_VIEW_TYPE = 'mcpTrustGuard.inspector';

/** Owner of the tool inspector panel. Keeps the last model and renders it whenever the page (re)loads. */
export class InspectorViewProvider implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private model?: InspectorViewModel;
  private readonly panelDisposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** Shows `model` in the inspector panel (opened in the active editor group if none is open) and reveals it. */
  show(model: InspectorViewModel): void {
    this.model = model;
    const title = `Tools: ${model.server.name}`;
    if (this.panel) {
      this.panel.title = title;
      this.panel.reveal(undefined, false);
      this.sendModel();
      return;
    }
    const panel = vscode.window.createWebviewPanel(INSPECTOR_PANEL_VIEW_TYPE, title, vscode.ViewColumn.Active, { ...webviewOptions(this.context.extensionUri), retainContextWhenHidden: false });
    this.panel = panel;
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => {
        // the page sends `ready` on every load (first show, and after being hidden): send the model then
        if (parseFromWebview(data)?.type === MessageType.Ready) this.sendModel();
      }),
      panel.onDidDispose(() => {
        if (this.panel === panel) this.panel = undefined;
        this.release();
      }),
    );
    setWebviewHtml(panel.webview, this.context.extensionUri, 'inspector');
  }

  private sendModel(): void {
    if (this.panel && this.model) void this.panel.webview.postMessage({ type: MessageType.ShowInspector, model: this.model });
  }

  private release(): void {
    for (const d of this.panelDisposables.splice(0)) d.dispose();
  }

  /** Closes the panel and releases its listeners. */
  dispose(): void {
    const p = this.panel;
    this.panel = undefined;
    this.release();
    p?.dispose();
  }
}
