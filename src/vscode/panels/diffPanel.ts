/**
 * The diff panel (a `WebviewPanel` in the editor area), one per server, after the `createOrShow` pattern of
 * the webview-sample of microsoft/vscode-extension-samples: showing a server whose panel is open updates and
 * reveals that panel instead of opening a second one.
 */
import * as vscode from 'vscode';
import type { DiffViewModel } from '../../webview/model';
import { MessageType, parseFromWebview, type ToWebviewMessage } from '../../webview/protocol';
import { errorText, setWebviewHtml, webviewOptions } from './webviewHost';

/** What the panel's buttons do; the caller decides (trust store update, quarantine, …). */
export interface DiffPanelActions {
  /** Approve the current launch spec. A rejection is shown in the panel. */
  approve(): Promise<void>;
  /** Block (deny) the server. A rejection is shown in the panel. */
  block(): Promise<void>;
}

/** `viewType` of the panel (VS Code API `window.createWebviewPanel`). */
export const DIFF_PANEL_VIEW_TYPE = 'mcpTrustGuard.diff';

/** One open diff panel. */
export class DiffPanel {
  private static readonly open = new Map<string, DiffPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private revision = 0;
  private busy = false;

  private constructor(
    private readonly key: string,
    private readonly panel: vscode.WebviewPanel,
    private model: DiffViewModel,
    private actions: DiffPanelActions,
  ) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => void this.onMessage(data)),
    );
  }

  /** Identity of a server's panel: config file and entry pointer. */
  static keyOf(model: DiffViewModel): string {
    return `${model.server.configFile}#${model.server.pointer}`;
  }

  /** Number of open diff panels (for tests and the log). */
  static get openCount(): number {
    return DiffPanel.open.size;
  }

  /**
   * Shows `model` in the server's panel: reveals and updates it when open (new revision; a pending action of
   * the old revision is then ignored), otherwise opens one titled `Diff: <server name>` beside the editor.
   */
  static createOrShow(context: vscode.ExtensionContext, model: DiffViewModel, actions: DiffPanelActions): void {
    const key = DiffPanel.keyOf(model);
    const existing = DiffPanel.open.get(key);
    if (existing) {
      existing.model = model;
      existing.actions = actions;
      existing.panel.title = `Diff: ${model.server.name}`;
      existing.panel.reveal(undefined, false);
      existing.revision++;
      existing.sendModel();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DIFF_PANEL_VIEW_TYPE, `Diff: ${model.server.name}`, vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      enableFindWidget: true,
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    const p = new DiffPanel(key, panel, model, actions);
    DiffPanel.open.set(key, p);
    setWebviewHtml(panel.webview, context.extensionUri, 'diff');
  }

  private post(message: ToWebviewMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private sendModel(): void {
    this.post({ type: MessageType.ShowDiff, revision: this.revision, model: this.model });
  }

  private async onMessage(data: unknown): Promise<void> {
    const msg = parseFromWebview(data);
    if (!msg) return;
    if (msg.type === MessageType.Ready) {
      this.sendModel();
      return;
    }
    const action = msg.type === MessageType.Approve ? 'approve' : 'block';
    if (msg.revision !== this.revision) {
      this.post({ type: MessageType.ActionResult, action, ok: false, message: 'The server changed while this panel was open; review it again.' });
      this.sendModel();
      return;
    }
    if (this.busy) return;
    this.busy = true;
    try {
      await (action === 'approve' ? this.actions.approve() : this.actions.block());
      this.post({ type: MessageType.ActionResult, action, ok: true, message: action === 'approve' ? 'Approved.' : 'Blocked.' });
    } catch (err) {
      this.post({ type: MessageType.ActionResult, action, ok: false, message: `${action === 'approve' ? 'Approve' : 'Block'} failed: ${errorText(err)}` });
    } finally {
      this.busy = false;
    }
  }

  /** Closes the panel and releases its listeners. Idempotent. */
  dispose(): void {
    if (DiffPanel.open.get(this.key) !== this) return;
    DiffPanel.open.delete(this.key);
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * Shows the diff panel of a server (one panel per server: reveals and updates it when already open), titled
 * `Diff: <server name>`. The page's Approve / Block buttons call `actions` (only for the model on screen) and
 * show the outcome. Never throws; the panel is released when the user closes it.
 */
export function showDiffPanel(context: vscode.ExtensionContext, model: DiffViewModel, actions: DiffPanelActions): void {
  DiffPanel.createOrShow(context, model, actions);
}
