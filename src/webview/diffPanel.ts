/**
 * Page script of the diff panel (bundled to `dist/webview/diffPanel.js`, IIFE). Renders a
 * {@link DiffViewModel}: the server header, findings, the launch-spec field table (approved vs current), the
 * line diff of the canonical JSON, the word diff of each changed tool description, and the Approve / Block
 * buttons, which post {@link MessageType.Approve} / {@link MessageType.Block} with the revision on screen.
 * The host sends a new model whenever the server's state changes (approved, blocked, restored, edited), or a
 * {@link ServerGoneView} when the entry left its file: then the page says so, without buttons. An action
 * still running when a new model arrives stays shown as running (buttons disabled) until its result comes.
 * Text only (see `./dom`). Every received message is validated with `parseToWebview`; others are ignored.
 */
import { badge, findingsTable, h, post, render, section, sendReady } from './dom';
import type { DiffPartView, DiffViewModel, FieldRowView, ItemChangeView, ServerGoneView } from './model';
import { MessageType, parseToWebview, type ActionResultMessage } from './protocol';

let revision = -1;
let status: HTMLElement | undefined;
let buttons: HTMLButtonElement[] = [];
/** The action posted and not answered yet (`Approving`, `Blocking`), kept across re-renders. */
let inFlight: string | undefined;
/** Whether the model on screen is approved as it is (then Approve has nothing to do). */
let approvedNow = false;

function header(m: DiffViewModel): HTMLElement {
  const s = m.server;
  return h(
    'header',
    {},
    h('h1', {}, 'Diff: ', h('span', { className: 'name', text: s.name }), ' ', badge(s.state)),
    h('p', { className: 'meta' }, `${s.host} · ${s.transport} · `, h('span', { className: 'mono', text: `${s.configFile} ${s.pointer}` })),
    h('pre', { className: 'launch', text: s.launch }),
  );
}

function notices(m: DiffViewModel): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (m.server.organization) out.push(h('p', { className: m.server.organizationBlocks ? 'notice error' : 'notice ok', text: m.server.organization }));
  if (m.server.state === 'approved') {
    out.push(h('p', { className: 'notice ok', text: 'Approved: the current launch spec is the one on record.' }));
  } else if (m.server.state === 'denied') {
    out.push(h('p', { className: 'notice warn', text: 'Denied: the decision on record is a denial. Block moves the entry out of the servers of its file.' }));
  }
  if (m.decision) out.push(h('p', { className: 'notice', text: `Decision on record: ${m.decision.decision} at ${m.decision.decidedAt}.` }));
  if (m.cosmetic) out.push(h('p', { className: 'notice', text: 'Only formatting, comments or key order changed since the decision.' }));
  if (m.sameAs) {
    out.push(h('p', { className: 'notice warn', text: `This launch spec is the one approved for "${m.sameAs.name}" in ${m.sameAs.configFile}.` }));
  }
  if (m.holds) {
    for (const line of m.holds.lines) out.push(h('p', { className: m.holds.heldBack ? 'notice ok holds' : 'notice warn holds', text: `Holds: ${line}` }));
  }
  if (m.probeError) out.push(h('p', { className: 'notice error', text: `The probe failed: ${m.probeError}` }));
  if (m.omitted > 0) out.push(h('p', { className: 'notice', text: `${m.omitted} rows or items were left out (too many to show).` }));
  return out;
}

/**
 * Approve and Block. With a high finding (on the launch or a tool) Block comes first and Approve is the grey
 * secondary button ("Approve anyway"): the safe action is the primary one.
 */
function actions(m: DiffViewModel): HTMLElement {
  const high = m.findings.some((f) => f.severity === 'high') || m.items.some((i) => i.findings.some((f) => f.severity === 'high'));
  const approve = h('button', { className: high ? 'secondary' : 'primary', text: high ? 'Approve anyway' : 'Approve', attrs: { type: 'button', id: 'approve' } });
  const block = h('button', { className: high ? 'primary danger-primary' : 'danger', text: 'Block', attrs: { type: 'button', id: 'block' } });
  status = h('span', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  buttons = [approve, block];
  const send = (type: MessageType.Approve | MessageType.Block, label: string) => () => {
    inFlight = label;
    showInFlight();
    post({ type, revision });
  };
  approve.addEventListener('click', send(MessageType.Approve, 'Approving'));
  block.addEventListener('click', send(MessageType.Block, 'Blocking'));
  if (approvedNow) approve.title = 'Already approved as it is.';
  enableButtons();
  if (inFlight) showInFlight();
  return high ? h('div', { className: 'actions' }, block, approve, status) : h('div', { className: 'actions' }, approve, block, status);
}

/** Buttons disabled and the running action named in the status line. */
function showInFlight(): void {
  for (const b of buttons) b.disabled = true;
  if (status && inFlight) {
    status.textContent = `${inFlight}…`;
    status.className = 'status';
  }
}

function enableButtons(): void {
  for (const b of buttons) b.disabled = b.id === 'approve' && approvedNow;
}

const ROW_LABEL: Record<FieldRowView['status'], string> = { changed: 'changed', added: 'added', removed: 'removed', unchanged: '' };

function fieldTable(rows: readonly FieldRowView[]): HTMLElement {
  const head = h('tr', {}, h('th', { text: 'Field' }), h('th', { text: 'Approved' }), h('th', { text: 'Current' }), h('th', { text: '' }));
  const body = rows.map((r) =>
    h(
      'tr',
      { className: `field field-${r.status}` },
      h('td', { className: 'mono', text: r.pointer === '' ? '(entry)' : r.pointer }),
      h('td', { className: 'mono value before', text: r.before ?? '—' }),
      h('td', { className: 'mono value after', text: r.after ?? '—' }),
      h('td', {}, r.status === 'unchanged' ? null : badge(r.status, ROW_LABEL[r.status])),
    ),
  );
  return h('table', { className: 'fields' }, h('thead', {}, head), h('tbody', {}, ...body));
}

const LINE_MARK: Record<DiffPartView['kind'], string> = { added: '+ ', removed: '- ', same: '  ' };

function lineDiff(lines: readonly DiffPartView[]): HTMLElement {
  return h(
    'div',
    { className: 'linediff mono', attrs: { role: 'table', 'aria-label': 'canonical JSON line diff' } },
    ...lines.map((l) => h('div', { className: `line line-${l.kind}`, text: `${LINE_MARK[l.kind]}${l.text}` })),
  );
}

/** A word diff: removed runs as `<del>`, added as `<ins>`, the rest as text. */
function wordDiff(parts: readonly DiffPartView[]): HTMLElement {
  return h(
    'div',
    { className: 'worddiff' },
    ...parts.map((p) => (p.kind === 'added' ? h('ins', { text: p.text }) : p.kind === 'removed' ? h('del', { text: p.text }) : p.text)),
  );
}

function itemBlock(i: ItemChangeView): HTMLElement {
  return h(
    'article',
    { className: 'item' },
    h('h3', {}, h('span', { className: 'kind', text: i.kind }), ' ', h('span', { className: 'name', text: i.key }), ' ', badge(i.state)),
    i.note ? h('p', { className: 'notice', text: i.note }) : null,
    i.changedFields.length ? h('p', { className: 'meta', text: `Changed: ${i.changedFields.join(', ')}` }) : null,
    i.descriptionDiff ? wordDiff(i.descriptionDiff) : null,
    i.findings.length ? findingsTable(i.findings) : null,
  );
}

function show(m: DiffViewModel, rev: number): void {
  revision = rev;
  approvedNow = m.server.state === 'approved';
  const changedCount = m.fields.filter((f) => f.status !== 'unchanged').length;
  const nodes: Node[] = [
    header(m),
    ...notices(m),
    actions(m),
    m.findings.length
      ? section('Findings', m.findings.length, findingsTable(m.findings))
      : h('p', { className: 'meta', text: 'No findings on the launch spec.' }),
    section('Launch spec', changedCount, fieldTable(m.fields)),
    section('Canonical JSON (RFC 8785)', undefined, lineDiff(m.specDiff)),
  ];
  if (m.items.length) nodes.push(section('Tool metadata', m.items.length, ...m.items.map(itemBlock)));
  render(...nodes);
}

/** The server left its file (blocked into the quarantine key, or removed): say so, offer nothing to press. */
function showGone(g: ServerGoneView, rev: number): void {
  revision = rev;
  buttons = [];
  status = h('span', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  if (inFlight) status.textContent = `${inFlight}…`;
  render(
    h(
      'header',
      {},
      h('h1', {}, 'Diff: ', h('span', { className: 'name', text: g.name }), ' ', badge(g.reason)),
      h('p', { className: 'meta' }, `${g.host} · `, h('span', { className: 'mono', text: `${g.configFile} ${g.pointer}` })),
    ),
    h('p', { className: `notice gone gone-${g.reason}${g.reason === 'blocked' ? ' warn' : ''}`, text: g.message }),
    h('div', { className: 'actions' }, status),
  );
}

function showResult(r: ActionResultMessage): void {
  inFlight = undefined;
  if (status) {
    status.textContent = r.message;
    status.className = `status ${r.ok ? 'ok' : 'error'}`;
  }
  // the user may act again (the host checks the revision); the host's new model says what changed
  enableButtons();
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseToWebview(event.data);
  if (!msg) return;
  if (msg.type === MessageType.ShowDiff) show(msg.model, msg.revision);
  else if (msg.type === MessageType.ServerGone) showGone(msg.gone, msg.revision);
  else if (msg.type === MessageType.ActionResult) showResult(msg);
});
sendReady('diff');
