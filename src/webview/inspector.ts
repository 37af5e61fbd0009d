/**
 * Page script of the tool inspector (bundled to `dist/webview/inspector.js`, IIFE), a webview panel in the
 * editor area (like an extension's details page). A filter box narrows the list by name, title, description
 * and state; each item is one compact line that expands on demand (the item the host asks to reveal, `focus`,
 * is expanded and scrolled to). Renders an {@link InspectorViewModel}: the server, then each tool, prompt, resource, resource template
 * and the instructions with name, title, description (as text, invisible characters already revealed as
 * `⟦U+200B⟧` marks by the host), JSON blocks (input schema pretty-printed, annotations, …) and findings
 * (severity, rule, message, pointer). Text only (see `./dom`); received messages are validated with
 * `parseToWebview` and anything else is ignored.
 */
import { badge, findingsTable, h, render, sendReady } from './dom';
import type { InspectorItemView, InspectorViewModel } from './model';
import { MessageType, parseToWebview } from './protocol';

const KIND_LABEL: Record<string, string> = {
  tool: 'tool',
  prompt: 'prompt',
  resource: 'resource',
  resourceTemplate: 'template',
  instructions: 'instructions',
};

function sourceLine(m: InspectorViewModel): HTMLElement {
  if (m.source === 'probe' && m.probe) {
    const text = m.probe.ok ? `Probed just now (${m.probe.ms} ms).` : `The probe failed: ${m.probe.error ?? 'unknown error'}`;
    return h(
      'div',
      {},
      h('p', { className: m.probe.ok ? 'meta' : 'notice error', text }),
      ...m.probe.warnings.map((w) => h('p', { className: 'notice warn', text: w })),
    );
  }
  if (m.source === 'pins') return h('p', { className: 'meta', text: `Pinned items${m.pinnedAt ? ` (pinned at ${m.pinnedAt})` : ''}; not probed now.` });
  return h('p', { className: 'notice', text: 'The tools of this server have not been read yet. "Approve and Read Tools" (or "Read Tools Again") starts it once to read and pin them.' });
}

function itemView(i: InspectorItemView): HTMLDetailsElement {
  const summary = h(
    'summary',
    {},
    h('span', { className: 'kind', text: KIND_LABEL[i.kind] ?? i.kind }),
    ' ',
    h('span', { className: 'name', text: i.name }),
    ' ',
    i.state === 'pinned' ? null : badge(i.state),
    i.findings.length ? badge(worst(i), `${i.findings.length} finding${i.findings.length === 1 ? '' : 's'}`) : null,
  );
  const body = h(
    'div',
    { className: 'item-body' },
    i.title ? h('p', { className: 'title', text: i.title }) : null,
    i.name !== i.key ? h('p', { className: 'meta mono', text: `key: ${i.key}` }) : null,
    i.note ? h('p', { className: 'notice', text: i.note }) : null,
    i.invisibleCount > 0
      ? h('p', { className: 'notice warn', text: `${i.invisibleCount} invisible character${i.invisibleCount === 1 ? '' : 's'} revealed as ⟦…⟧ marks.` })
      : null,
    i.description !== undefined ? h('div', { className: 'description', text: i.description }) : h('p', { className: 'meta', text: '(no description)' }),
    i.findings.length ? findingsTable(i.findings) : null,
    ...i.blocks.map((b, n) =>
      h('details', n === 0 ? { attrs: { open: '' } } : {}, h('summary', { text: b.label }), h('pre', { className: 'json', text: b.json })),
    ),
  );
  const attrs: Record<string, string> = { 'data-key': `${i.kind}:${i.key}` };
  return h('details', { className: `item state-${i.state}`, attrs }, summary, body);
}

/** The text an item is filtered by: kind, name, key, title, description and state, lower-cased. */
function haystack(i: InspectorItemView): string {
  return [i.kind, i.name, i.key, i.title ?? '', i.description ?? '', i.state].join('\n').toLowerCase();
}

const ORDER = ['high', 'medium', 'low', 'info'];
function worst(i: InspectorItemView): string {
  return ORDER.find((s) => i.findings.some((f) => f.severity === s)) ?? 'info';
}

function show(m: InspectorViewModel): void {
  const s = m.server;
  const views = m.items.map((i) => ({ item: i, el: itemView(i), text: haystack(i) }));
  const count = h('p', { className: 'meta count' });
  const filter = h('input', { className: 'filter', attrs: { type: 'search', placeholder: 'Filter tools, prompts and resources', 'aria-label': 'Filter' } });
  const apply = (): void => {
    const q = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const v of views) {
      const match = !q || v.text.includes(q);
      v.el.hidden = !match;
      if (match) shown++;
    }
    count.textContent = `${q ? `${shown} of ` : ''}${m.items.length} item${m.items.length === 1 ? '' : 's'}${m.omitted ? `, ${m.omitted} more not shown` : ''}`;
  };
  filter.addEventListener('input', apply);
  render(
    h('header', {}, h('h1', {}, h('span', { className: 'name', text: s.name }), ' ', badge(s.state)), h('pre', { className: 'launch', text: s.launch })),
    sourceLine(m),
    m.items.length ? h('div', { className: 'toolbar' }, filter, count) : count,
    ...views.map((v) => v.el),
  );
  apply();
  const focus = m.focus ? views.find((v) => `${v.item.kind}:${v.item.key}` === m.focus) : undefined;
  if (focus) {
    focus.el.open = true;
    focus.el.scrollIntoView({ block: 'start' });
  } else if (views.length === 1) views[0]!.el.open = true;
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseToWebview(event.data);
  if (msg?.type === MessageType.ShowInspector) show(msg.model);
});
sendReady('inspector');
