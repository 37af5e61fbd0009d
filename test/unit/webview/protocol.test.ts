/** The webview message protocol: what each side accepts on receipt (the page is untrusted). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiffViewModel, FindingView, InspectorViewModel } from '../../../src/webview/model';
import { MAX_MESSAGE_ARRAY, MAX_MESSAGE_STRING, MessageType, parseFromWebview, parseToWebview } from '../../../src/webview/protocol';

const server = { name: 'build', host: 'cursor', configFile: '/ws/.cursor/mcp.json', pointer: '/mcpServers/build', transport: 'stdio', state: 'changed', launch: 'cmd.exe /c shell.bat' };
const finding: FindingView = { severity: 'high', ruleId: 'shell-inline-script', message: 'runs a shell', pointer: '/command' };

function diffModel(): DiffViewModel {
  return {
    server: { ...server },
    decision: { decision: 'approved', decidedAt: '2025-07-01T12:00:00.000Z' },
    cosmetic: false,
    fields: [
      { pointer: '/command', status: 'changed', before: '"echo"', after: '"cmd.exe"' },
      { pointer: '/args/1', status: 'added', after: '"shell.bat"' },
    ],
    specDiff: [{ kind: 'removed', text: '"command": "echo",' }, { kind: 'added', text: '"command": "cmd.exe",' }],
    items: [{ kind: 'tool', key: 'add', state: 'changed', changedFields: ['description'], descriptionDiff: [{ kind: 'same', text: 'Adds' }], findings: [{ ...finding }] }],
    findings: [{ ...finding }],
    omitted: 0,
  };
}

function inspectorModel(): InspectorViewModel {
  return {
    server: { ...server },
    source: 'probe',
    probe: { ok: true, ms: 210, warnings: [] },
    items: [{ kind: 'tool', key: 'add', state: 'new', name: 'add', description: '<img src=x>', invisibleCount: 0, blocks: [{ label: 'Input schema', json: '{}' }], findings: [] }],
    omitted: 0,
  };
}

describe('parseFromWebview (host side)', () => {
  test('accepts exactly the three page messages, rebuilt from their known members', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready', view: 'diff' }), { type: MessageType.Ready, view: 'diff' });
    assert.deepEqual(parseFromWebview({ type: 'ready', view: 'inspector', extra: 'x' }), { type: MessageType.Ready, view: 'inspector' });
    assert.deepEqual(parseFromWebview({ type: 'approve', revision: 3, command: 'rm -rf /' }), { type: MessageType.Approve, revision: 3 });
    assert.deepEqual(parseFromWebview({ type: 'block', revision: 0 }), { type: MessageType.Block, revision: 0 });
  });

  test('ignores unknown types and malformed shapes', () => {
    const bad: unknown[] = [
      undefined,
      null,
      42,
      'approve',
      [],
      [{ type: 'approve', revision: 1 }],
      {},
      { type: 'approveAll' },
      { type: 'showDiff', revision: 1, model: diffModel() }, // a host message sent by the page
      { type: 'ready' },
      { type: 'ready', view: 'settings' },
      { type: 'approve' },
      { type: 'approve', revision: '1' },
      { type: 'approve', revision: -1 },
      { type: 'approve', revision: 1.5 },
      { type: 'approve', revision: Number.MAX_SAFE_INTEGER + 2 },
      { type: 'block', revision: NaN },
      JSON.parse('{"__proto__": {"type": "approve", "revision": 1}}'),
      Object.create({ type: 'approve', revision: 1 }),
    ];
    for (const b of bad) assert.equal(parseFromWebview(b), undefined, JSON.stringify(b));
  });
});

describe('parseToWebview (page side)', () => {
  test('accepts well-formed models, also after a structured clone', () => {
    const d = { type: 'showDiff', revision: 2, model: structuredClone(diffModel()) };
    assert.deepEqual(parseToWebview(d), { type: MessageType.ShowDiff, revision: 2, model: diffModel() });
    const i = { type: 'showInspector', model: structuredClone(inspectorModel()) };
    assert.deepEqual(parseToWebview(i), { type: MessageType.ShowInspector, model: inspectorModel() });
    assert.deepEqual(parseToWebview({ type: 'actionResult', action: 'block', ok: true, message: 'Blocked.' }), {
      type: MessageType.ActionResult,
      action: 'block',
      ok: true,
      message: 'Blocked.',
    });
  });

  test('rejects a model with any member of the wrong type or value', () => {
    const mutations: Array<(m: DiffViewModel) => void> = [
      (m) => ((m.fields[0] as { status: string }).status = 'evil'),
      (m) => ((m.findings[0] as { severity: string }).severity = 'critical'),
      (m) => ((m.server as { name: unknown }).name = 5),
      (m) => ((m.server as { launch?: unknown }).launch = undefined),
      (m) => ((m as { fields: unknown }).fields = {}),
      (m) => ((m.specDiff[0] as { text: unknown }).text = { toString: 'x' }),
      (m) => ((m.items[0] as { changedFields: unknown }).changedFields = ['ok', 1]),
      (m) => ((m.items[0] as { descriptionDiff: unknown }).descriptionDiff = 'x'),
      (m) => ((m as { cosmetic: unknown }).cosmetic = 'false'),
      (m) => ((m as { omitted: unknown }).omitted = -1),
      (m) => ((m as { decision: unknown }).decision = { decision: 'approved' }),
      (m) => (m.fields[0]!.before = 'x'.repeat(MAX_MESSAGE_STRING + 1)),
      (m) => (m.specDiff = Array.from({ length: MAX_MESSAGE_ARRAY + 1 }, () => ({ kind: 'same' as const, text: '' }))),
    ];
    for (const [n, mutate] of mutations.entries()) {
      const m = diffModel();
      mutate(m);
      assert.equal(parseToWebview({ type: 'showDiff', revision: 1, model: m }), undefined, `mutation ${n}`);
    }
    assert.equal(parseToWebview({ type: 'showDiff', revision: -1, model: diffModel() }), undefined);
    assert.equal(parseToWebview({ type: 'showDiff', model: diffModel() }), undefined);
    const bad = inspectorModel();
    (bad.items[0] as { invisibleCount: unknown }).invisibleCount = '0';
    assert.equal(parseToWebview({ type: 'showInspector', model: bad }), undefined);
    assert.equal(parseToWebview({ type: 'showInspector', model: { ...inspectorModel(), source: 'web' } }), undefined);
    assert.equal(parseToWebview({ type: 'actionResult', action: 'delete', ok: true, message: '' }), undefined);
    assert.equal(parseToWebview({ type: 'ready', view: 'diff' }), undefined);
    assert.equal(parseToWebview(null), undefined);
  });
});

describe('serverGone (page side)', () => {
  const gone = { reason: 'blocked', name: 'build', host: 'cursor', configFile: '/ws/.cursor/mcp.json', pointer: '/mcpServers/build', message: '"build" is blocked.' };

  test('accepts a well-formed message, rebuilt from its known members', () => {
    assert.deepEqual(parseToWebview({ type: 'serverGone', revision: 4, gone: structuredClone(gone), extra: 1 }), { type: MessageType.ServerGone, revision: 4, gone });
    assert.deepEqual(parseToWebview({ type: 'serverGone', revision: 0, gone: { ...gone, reason: 'removed' } })?.type, MessageType.ServerGone);
  });

  test('rejects a missing revision, an unknown reason, and members of the wrong type', () => {
    const bad: unknown[] = [
      { type: 'serverGone', gone },
      { type: 'serverGone', revision: -1, gone },
      { type: 'serverGone', revision: 1 },
      { type: 'serverGone', revision: 1, gone: { ...gone, reason: 'deleted' } },
      { type: 'serverGone', revision: 1, gone: { ...gone, message: 5 } },
      { type: 'serverGone', revision: 1, gone: { ...gone, name: undefined } },
      { type: 'serverGone', revision: 1, gone: { ...gone, configFile: 'x'.repeat(MAX_MESSAGE_STRING + 1) } },
      { type: 'serverGone', revision: 1, gone: Object.create(gone) },
    ];
    for (const b of bad) assert.equal(parseToWebview(b), undefined, JSON.stringify(b));
    // never accepted from a page
    assert.equal(parseFromWebview({ type: 'serverGone', revision: 1, gone }), undefined);
  });
});
