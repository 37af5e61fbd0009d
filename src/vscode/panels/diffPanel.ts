/**
 * The diff panel (a `WebviewPanel` in the editor area), one per server, after the `createOrShow` pattern of
 * the webview-sample of microsoft/vscode-extension-samples: showing a server whose panel is open updates and
 * reveals that panel instead of opening a second one. An open panel follows the extension's state: whenever
 * its source fires (the service's `onDidChange`: a decision, Block, Restore, an edit of the file) it asks the
 * source for its content again and, when that differs from what is on screen, sends it as a new revision.
 */
import * as vscode from 'vscode';
import type { DiffViewModel } from '../../webview/model';
import { MessageType, parseFromWebview, type ToWebviewMessage } from '../../webview/protocol';
import type { DiffPanelContent } from './viewModel';
import { errorText, setWebviewHtml, webviewOptions } from './webviewHost';

/** What the panel's buttons do; the caller decides (trust store update, quarantine, …). */
export interface DiffPanelActions {
  /** Approve the current launch spec. A rejection is shown in the panel. */
  approve(): Promise<void>;
  /** Block (deny) the server. A rejection is shown in the panel. */
  block(): Promise<void>;
}

/** Where an open panel gets its content again when the state may have changed. */
export interface DiffPanelSource {
  /** Identity of the server (its config file's real path and entry pointer): one panel per key. */
  key: string;
  /** Fires when the state may have changed (any payload; the panel asks {@link content}). */
  onDidChange: vscode.Event<unknown>;
  /** The panel's content for the current state. Must not throw. */
  content(): DiffPanelContent;
}

/** `viewType` of the panel (VS Code API `window.createWebviewPanel`). */
export const DIFF_PANEL_VIEW_TYPE = 'mcpTrustGuard.diff';

/** One open diff panel. */
export class DiffPanel {
  private static readonly open = new Map<string, DiffPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private sourceSub: vscode.Disposable | undefined;
  private revision = 0;
  private busy = false;
  /** JSON of the content on screen, to send a new revision only when something changed. */
  private shown: string;

  private constructor(
    private readonly key: string,
    private readonly panel: vscode.WebviewPanel,
    private content: DiffPanelContent,
    private actions: DiffPanelActions,
    private source: DiffPanelSource,
  ) {
    this.shown = JSON.stringify(content);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((data: unknown) => void this.onMessage(data)),
    );
    this.follow(source);
  }

  /** Number of open diff panels (for tests and the log). */
  static get openCount(): number {
    return DiffPanel.open.size;
  }

  /**
   * Shows `model` in the server's panel (keyed by `source.key`): reveals and updates it when open (new
   * revision; a pending action of the old revision is then ignored), otherwise opens one titled
   * `Diff: <server name>` beside the editor. From then on the panel follows `source`.
   */
  static createOrShow(context: vscode.ExtensionContext, model: DiffViewModel, actions: DiffPanelActions, source: DiffPanelSource): void {
    const key = source.key;
    const existing = DiffPanel.open.get(key);
    if (existing) {
      existing.actions = actions;
      existing.follow(source);
      existing.panel.reveal(undefined, false);
      existing.update({ kind: 'diff', model }, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(DIFF_PANEL_VIEW_TYPE, `Diff: ${model.server.name}`, vscode.ViewColumn.Active, {
      ...webviewOptions(context.extensionUri),
      enableFindWidget: true,
    });
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'icon.png');
    const p = new DiffPanel(key, panel, { kind: 'diff', model }, actions, source);
    DiffPanel.open.set(key, p);
    setWebviewHtml(panel.webview, context.extensionUri, 'diff');
  }

  private follow(source: DiffPanelSource): void {
    this.sourceSub?.dispose();
    this.source = source;
    this.sourceSub = source.onDidChange(() => this.refresh());
  }

  /** Asks the source for the current content and shows it if it differs from what is on screen. */
  private refresh(): void {
    let next: DiffPanelContent;
    try {
      next = this.source.content();
    } catch {
      return; // by contract it does not throw; a broken source must not break the panel
    }
    this.update(next, false);
  }

  /** Shows `content` as a new revision (always when `force`, else only when it differs from the screen). */
  private update(content: DiffPanelContent, force: boolean): void {
    const json = JSON.stringify(content);
    if (!force && json === this.shown) return;
    this.content = content;
    this.shown = json;
    this.revision++;
    const name = content.kind === 'diff' ? content.model.server.name : content.gone.name;
    this.panel.title = `Diff: ${name}`;
    this.sendContent();
  }

  private post(message: ToWebviewMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private sendContent(): void {
    const c = this.content;
    if (c.kind === 'diff') this.post({ type: MessageType.ShowDiff, revision: this.revision, model: c.model });
    else this.post({ type: MessageType.ServerGone, revision: this.revision, gone: c.gone });
  }

  private async onMessage(data: unknown): Promise<void> {
    const msg = parseFromWebview(data);
    if (!msg) return;
    if (msg.type === MessageType.Ready) {
      this.sendContent();
      return;
    }
    const action = msg.type === MessageType.Approve ? 'approve' : 'block';
    if (msg.revision !== this.revision) {
      this.post({ type: MessageType.ActionResult, action, ok: false, message: 'The server changed while this panel was open; review it again.' });
      this.sendContent();
      return;
    }
    if (this.content.kind === 'gone') {
      this.post({ type: MessageType.ActionResult, action, ok: false, message: 'This server is no longer in its file; there is nothing to act on.' });
      return;
    }
    if (this.busy) {
      this.post({ type: MessageType.ActionResult, action, ok: false, message: 'The last action on this server is still running; try again when it is done.' });
      return;
    }
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
    this.sourceSub?.dispose();
    this.sourceSub = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/**
 * Shows the diff panel of a server (one panel per `source.key`: reveals and updates it when already open),
 * titled `Diff: <server name>`. The page's Approve / Block buttons call `actions` (only for the content on
 * screen) and show the outcome. While open, the panel re-renders from `source` whenever it fires and the
 * content changed (the server approved, blocked, restored, edited, or gone). Never throws; the panel and its
 * subscription are released when the user closes it.
 */
export function showDiffPanel(context: vscode.ExtensionContext, model: DiffViewModel, actions: DiffPanelActions, source: DiffPanelSource): void {
  DiffPanel.createOrShow(context, model, actions, source);
}
