/**
 * Host-side plumbing shared by the diff panel and the tool inspector: webview options (scripts on, local
 * resources limited to `dist/webview` and `media`) and the HTML with a fresh nonce.
 */
import * as vscode from 'vscode';
import { makeNonce, renderWebviewHtml } from './html';

/** The style sheet both pages load, under `media/`. */
export const WEBVIEW_STYLE = 'webview.css';

/** The folders a webview may load from: `dist/webview` (page scripts) and `media` (CSS). */
export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

/**
 * Webview options (VS Code API `WebviewOptions`): `enableScripts: true` and nothing else enabled (no forms,
 * no command URIs), `localResourceRoots` as {@link localResourceRoots}.
 */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return { enableScripts: true, enableForms: false, enableCommandUris: false, localResourceRoots: localResourceRoots(extensionUri) };
}

/** Sets the page of `webview`: the shell of `./html` with the bundle `dist/webview/<script>.js`. */
export function setWebviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, view: 'diff' | 'inspector'): void {
  const script = view === 'diff' ? 'diffPanel.js' : 'inspector.js';
  webview.html = renderWebviewHtml({
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', script)).toString(),
    styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', WEBVIEW_STYLE)).toString()],
    view,
  });
}

/** Error text for the user, one line. */
export function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
}
