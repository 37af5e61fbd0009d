/**
 * Plain-DOM helpers of the webview pages. Text only: every node is built with `document.createElement` and
 * every string goes in through `textContent` / `createTextNode`, never parsed as markup, because everything
 * the pages show (descriptions, names, schemas) is attacker-written.
 *
 * Browser code: no Node, no `vscode` import; the webview API is `acquireVsCodeApi()` (VS Code API,
 * "Webviews": "Passing messages from a webview to an extension"), declared here.
 */
import { MessageType, type FromWebviewMessage, type ViewKind } from './protocol';

/** The part of the API object VS Code injects into a webview that the pages use. */
export interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

/** The webview API (acquired once; VS Code allows only one call per page load). */
export function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/** Sends a typed message to the extension host. */
export function post(message: FromWebviewMessage): void {
  vscodeApi().postMessage(message);
}

/** Tells the host the page listens (the `ready` handshake); the host answers with the model. */
export function sendReady(view: ViewKind): void {
  post({ type: MessageType.Ready, view });
}

/** Options of {@link h}. */
export interface ElementOptions {
  /** Space-separated class names. */
  className?: string;
  /** Text content (set with `textContent`). */
  text?: string;
  /** Tooltip (`title` attribute). */
  title?: string;
  /** Other attributes, set with `setAttribute` (never event handlers: names starting with `on` are refused). */
  attrs?: Record<string, string>;
}

/**
 * Creates an element with text, classes, attributes and children (nodes, or strings appended as text nodes).
 * @throws Error for an attribute name starting with `on` (event handler attributes are never set).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: ElementOptions = {},
  ...children: Array<Node | string | null | undefined | false>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (opts.className) el.className = opts.className;
  if (opts.title !== undefined) el.title = opts.title;
  for (const [k, v] of Object.entries(opts.attrs ?? {})) {
    if (/^on/i.test(k)) throw new Error(`refusing event handler attribute ${k}`);
    el.setAttribute(k, v);
  }
  if (opts.text !== undefined) el.textContent = opts.text;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** A badge: short label with a class for its colour (`badge badge-<kind>`). */
export function badge(kind: string, text: string = kind): HTMLSpanElement {
  return h('span', { className: `badge badge-${kind.replace(/[^a-z0-9-]/gi, '')}`, text });
}

/** A titled section with an optional count in the heading. */
export function section(title: string, count: number | undefined, ...children: Array<Node | null | false>): HTMLElement {
  const heading = h('h2', {}, title, count === undefined ? null : h('span', { className: 'count', text: ` (${count})` }));
  return h('section', {}, heading, ...children);
}

/** Findings as a table: severity, rule, message, pointer. */
export function findingsTable(findings: ReadonlyArray<{ severity: string; ruleId: string; message: string; pointer: string }>): HTMLTableElement {
  const head = h('tr', {}, h('th', { text: 'Severity' }), h('th', { text: 'Rule' }), h('th', { text: 'Message' }), h('th', { text: 'Pointer' }));
  const rows = findings.map((f) =>
    h(
      'tr',
      { className: `finding severity-${f.severity}` },
      h('td', {}, badge(f.severity)),
      h('td', { className: 'mono', text: f.ruleId }),
      h('td', { className: 'message', text: f.message }),
      h('td', { className: 'mono', text: f.pointer === '' ? '(whole)' : f.pointer }),
    ),
  );
  return h('table', { className: 'findings' }, h('thead', {}, head), h('tbody', {}, ...rows));
}

/** Replaces the content of the page's root element. */
export function render(...children: Node[]): void {
  const root = document.getElementById('root') ?? document.body;
  root.replaceChildren(...children);
}
