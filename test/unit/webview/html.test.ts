/** The webview HTML shell: strict CSP with a fresh nonce, nothing else executable, attributes escaped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy, makeNonce, renderWebviewHtml } from '../../../src/vscode/panels/html';

const shell = {
  cspSource: "'self' https://*.vscode-cdn.net",
  nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/diffPanel.js',
  styleUris: ['https://file+.vscode-resource.vscode-cdn.net/ext/media/webview.css'],
  view: 'diff' as const,
};

test('the CSP allows only nonce-carrying scripts and same-source styles, images and fonts', () => {
  assert.equal(
    contentSecurityPolicy(shell.cspSource, 'n0nce'),
    "default-src 'none'; style-src 'self' https://*.vscode-cdn.net; script-src 'nonce-n0nce'; img-src 'self' https://*.vscode-cdn.net; font-src 'self' https://*.vscode-cdn.net",
  );
  const html = renderWebviewHtml(shell);
  assert.ok(html.includes(`content="default-src &#39;none&#39;; style-src &#39;self&#39; https://*.vscode-cdn.net; script-src &#39;nonce-${shell.nonce}&#39;;`));
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  assert.deepEqual(scripts, [`<script nonce="${shell.nonce}" src="${shell.scriptUri}">`]);
  assert.ok(!/\son\w+=/i.test(html), 'no event handler attributes');
  assert.ok(!/<style/i.test(html) && !/\sstyle=/i.test(html), 'no inline style (style-src has no unsafe-inline)');
  assert.ok(html.includes('<body data-view="diff">'));
});

test('nonces are fresh 18-byte base64 values', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const n = makeNonce();
    assert.match(n, /^[A-Za-z0-9+/]{24}$/);
    assert.equal(Buffer.from(n, 'base64').length, 18);
    seen.add(n);
  }
  assert.equal(seen.size, 200);
});

test('URIs are escaped; a nonce or CSP source that would break the policy is refused', () => {
  const html = renderWebviewHtml({ ...shell, scriptUri: 'x"><script>alert(1)</script>' });
  assert.ok(html.includes('src="x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.throws(() => renderWebviewHtml({ ...shell, nonce: "x' 'unsafe-inline" }), /bad nonce/);
  assert.throws(() => renderWebviewHtml({ ...shell, cspSource: "* ; script-src 'unsafe-inline'" }), /bad CSP source/);
});
