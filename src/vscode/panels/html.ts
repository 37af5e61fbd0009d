/**
 * The HTML shell of both webviews, as a pure function (no `vscode` import) so the e2e test serves exactly the
 * page the extension sets as `Webview.html`. Strict Content Security Policy, after the webview-sample of
 * microsoft/vscode-extension-samples and the VS Code "Webviews" guide ("Security"): nothing is allowed by
 * default; styles, images and fonts only from the webview's own resource origin; scripts only with the
 * per-load nonce. The body holds no content: the page script builds it from the model, as text.
 */
import { randomBytes } from 'node:crypto';

/** What the shell needs: the webview's resource origin, the nonce, and the URIs of the script and styles. */
export interface WebviewShell {
  /** `Webview.cspSource` (the origin the webview loads local resources from). */
  cspSource: string;
  /** A fresh nonce from {@link makeNonce}; the only script allowed to run carries it. */
  nonce: string;
  /** URI of the page script (a `dist/webview/*.js` bundle), as the webview must load it. */
  scriptUri: string;
  /** URIs of the style sheets (`media/*.css`). */
  styleUris: string[];
  /** Which page this is, set as `data-view` on the body. */
  view: 'diff' | 'inspector';
}

/** 18 random bytes (`crypto.randomBytes`) as base64: a CSP nonce (CSP Level 3, "nonce-source"). */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The CSP of the webviews (see the file comment). */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
  ].join('; ');
}

/** Escapes text for an HTML attribute value in double quotes. */
export function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');
}

/**
 * The page's HTML: CSP meta, the style sheets, an empty `#root` and the nonce'd script.
 * @throws Error when the nonce or the CSP source contains characters that would break out of the policy.
 */
export function renderWebviewHtml(shell: WebviewShell): string {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(shell.nonce)) throw new Error('bad nonce');
  // `Webview.cspSource` is a source list such as `'self' https://*.vscode-cdn.net`: no directive separators
  if (/[;,"<>\r\n]/.test(shell.cspSource)) throw new Error('bad CSP source');
  const a = escapeAttribute;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="UTF-8">',
    `<meta http-equiv="Content-Security-Policy" content="${a(contentSecurityPolicy(shell.cspSource, shell.nonce))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
    ...shell.styleUris.map((u) => `<link rel="stylesheet" href="${a(u)}">`),
    '<title>MCP Trust Guard</title>',
    '</head>',
    `<body data-view="${a(shell.view)}">`,
    '<main id="root"><p class="loading">Loading…</p></main>',
    `<script nonce="${a(shell.nonce)}" src="${a(shell.scriptUri)}"></script>`,
    '</body>',
    '</html>',
  ].join('\n');
}
