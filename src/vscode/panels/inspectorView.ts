/**
 * The tool inspector: a webview view (VS Code API `WebviewViewProvider`) in the extension's side-bar
 * container, showing the tools, prompts and resources of the selected server. The view must be contributed in
 * package.json as `{ "type": "webview", "id": "mcpTrustGuard.inspector", … }` and the provider registered with
 * `window.registerWebviewViewProvider(InspectorViewProvider.viewId, provider)`.
 */
import * as vscode from 'vscode';
import type { InspectorViewModel } from '../../webview/model';
import { MessageType, parseFromWebview } from '../../webview/protocol';
import { setWebviewHtml, webviewOptions } from './webviewHost';

/** Provider of the tool inspector view. Keeps the last model and renders it whenever the page (re)loads. */
export class InspectorViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  /** The view id (package.json `contributes.views`). */
  static readonly viewId = 'mcpTrustGuard.inspector';

  private view?: vscode.WebviewView;
  private model?: InspectorViewModel;
  private readonly viewDisposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** Called by VS Code when the view becomes visible the first time (or again after it was disposed). */
  resolveWebviewView(webviewView: vscode.WebviewView, _context: vscode.WebviewViewResolveContext, _token: vscode.CancellationToken): void {
    this.releaseView();
    this.view = webviewView;
    webviewView.webview.options = webviewOptions(this.context.extensionUri);
    this.viewDisposables.push(
      webviewView.webview.onDidReceiveMessage((data: unknown) => {
        const msg = parseFromWebview(data);
        // the page sends `ready` on every load (first show, and after being hidden): send the model then
        if (msg?.type === MessageType.Ready) this.sendModel();
      }),
      webviewView.onDidDispose(() => {
        if (this.view === webviewView) {
          this.view = undefined;
          this.releaseView();
        }
      }),
    );
    setWebviewHtml(webviewView.webview, this.context.extensionUri, 'inspector');
  }

  /**
   * Shows `model` in the inspector: reveals the view and renders it; when the view is not resolved yet the
   * model is kept and rendered once the page is ready (the view is opened with its `<viewId>.focus` command).
   */
  show(model: InspectorViewModel): void {
    this.model = model;
    if (this.view) {
      this.view.show(true);
      this.sendModel();
    } else {
      void vscode.commands.executeCommand(`${InspectorViewProvider.viewId}.focus`).then(undefined, () => undefined);
    }
  }

  private sendModel(): void {
    if (this.view && this.model) void this.view.webview.postMessage({ type: MessageType.ShowInspector, model: this.model });
  }

  private releaseView(): void {
    for (const d of this.viewDisposables.splice(0)) d.dispose();
  }

  /** Releases the view's listeners. */
  dispose(): void {
    this.view = undefined;
    this.releaseView();
  }
}
