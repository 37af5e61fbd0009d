/**
 * Server-tree view-models built from a real scan of the MCPoison fixture against a real trust store state:
 * states, contextValue tokens, guarded detection, quarantined entries, and hostile names shown as text.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Scanner } from '../../../src/core/scan';
import { emptyStore, recordDecisions, TrustStore } from '../../../src/core/trust';
import { buildTree, isGuardedServer, pendingCount, type FileNode, type ServerNode } from '../../../src/vscode/tree/nodes';
import type { GuardSnapshot } from '../../../src/vscode/services/guardService';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-nodes-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function snapshotOf(report: GuardSnapshot['report'], extra: Partial<GuardSnapshot> = {}): GuardSnapshot {
  return { report, quarantined: [], probes: new Map(), storePath: '/s', trusted: true, scanMs: 1, cause: 'test', ...extra };
}

test('states and contextValues from a real scan; a changed server after the MCPoison edit', async () => {
  const ws = path.join(tmp, 'ws');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'workspaces', 'mcpoison'), ws, { recursive: true });
  const store = new TrustStore(path.join(tmp, 'store.json'));
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false });
  const first = await scanner.scanAll(emptyStore());
  let roots = buildTree(snapshotOf(first), false);
  const servers = roots.filter((r) => r.kind === "file").flatMap((r) => (r as FileNode).children) as ServerNode[];
  assert.deepEqual(servers.map((s) => `${s.name}:${s.contextValue}`).sort(), ['build:server:new:stdio', 'docs:server:new:http', 'notes:server:new:stdio']);
  assert.equal(pendingCount(snapshotOf(first)), 3);
  assert.ok(servers.every((s) => typeof s.configFile === 'string' && s.pointer.startsWith('/')));

  await recordDecisions(store, first.servers, 'approved', new Date());
  const cursor = path.join(ws, '.cursor', 'mcp.json');
  fs.writeFileSync(cursor, '{"mcpServers": {"build": {"command": "cmd.exe", "args": ["/c", "shell.bat"]}}}');
  const loc = scanner.knownLocations.find((l) => l.path === cursor)!;
  const data = (await store.read()).data;
  await scanner.recheckFile(loc, data);
  const report = await scanner.reevaluate(data);
  roots = buildTree(snapshotOf(report), false);
  const build = roots.filter((r) => r.kind === "file").flatMap((r) => (r as FileNode).children).find((s) => (s as ServerNode).name === 'build') as ServerNode;
  assert.equal(build.state, 'changed');
  assert.equal(build.contextValue, 'server:changed:stdio');
  assert.match(build.tooltip, /command: "echo" → "cmd\.exe"/);
  assert.match(build.description, /CHANGED · stdio cmd\.exe \/c shell\.bat/);

  // quarantined entries are listed as blocked servers of their file
  const q = buildTree(snapshotOf(report, { quarantined: [{ pointer: '/mcpServers/x', name: 'x', value: { command: 'evil' }, offset: 0, length: 1, configFile: cursor, host: 'cursor', scope: 'workspace' }] }), false);
  const blocked = q.filter((r) => r.kind === "file").flatMap((r) => (r as FileNode).children).find((s) => (s as ServerNode).name === 'x') as ServerNode;
  assert.equal(blocked.contextValue, 'server:blocked:stdio');
});

test('guarded only from the strict parse: the committable entry is guarded, a look-alike is not and says why', async () => {
  const ws = path.join(tmp, 'guarded');
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  const args = (name: string) => ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', name, '--', 'node', 's.js'];
  fs.writeFileSync(
    path.join(ws, '.vscode', 'mcp.json'),
    JSON.stringify({
      servers: {
        ok: { command: 'mcp-trust-guard', args: args('ok') },
        words: { command: '/home/u/.mcp-trust-guard/bin/mcp-trust-guard', args: args('words') },
        pathed: { command: 'mcp-trust-guard', args: args('pathed'), env: { PATH: '${workspaceFolder}/bin' } },
        plain: { command: 'node', args: ['server.js', 'run'] },
      },
    }),
  );
  const report = await new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false }).scanAll(emptyStore());
  const byName = new Map(report.servers.map((s) => [s.spec.name, s]));
  assert.deepEqual(['ok', 'words', 'pathed', 'plain'].map((n) => isGuardedServer(byName.get(n)!)), [true, false, false, false]);
  const nodes = buildTree(snapshotOf(report), false).filter((r) => r.kind === 'file').flatMap((r) => (r as FileNode).children) as ServerNode[];
  const node = (n: string) => nodes.find((s) => s.name === n)!;
  assert.match(node('ok').contextValue, /:guarded/);
  assert.doesNotMatch(node('pathed').contextValue, /:guarded/);
  assert.match(node('pathed').tooltip, /not guarded: it looks like a guarded entry, but its env sets PATH/);
  assert.match(node('words').tooltip, /not guarded: .*is not the guard's launcher/);
  assert.doesNotMatch(node('plain').tooltip, /not guarded/);
});

test('display text: invisible characters revealed, controls escaped, length cut', async () => {
  const { safeText, changeLine } = await import('../../../src/vscode/text');
  assert.equal(safeText('a\u200bb\nc'), 'a⟦U+200B⟧b\\x0ac');
  assert.equal(safeText('x'.repeat(500), 20).length, 20);
  assert.equal(changeLine({ pointer: "/command", before: "echo", after: "cmd.exe" }), 'command: "echo" → "cmd.exe"');
  assert.equal(changeLine({ pointer: "/args/1", before: "a", after: "b" }), 'argument 2: "a" → "b"');
  assert.equal(changeLine({ pointer: "/$files/s.bat", before: "ab", after: null }), "the file s.bat it runs is missing");
});

test('no secret of the config reaches a tree tooltip, description or the diff panel model', async () => {
  const { buildDiffViewModel } = await import('../../../src/vscode/panels/viewModel');
  const TOKEN = 'ghp_' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8';
  const ARG = 'plain-arg-secret-1';
  const ws = path.join(tmp, 'secrets');
  const file = path.join(ws, '.cursor', 'mcp.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const entry = (arg: string) => JSON.stringify({ mcpServers: { gh: { command: 'node', args: ['s.js', '--access-token', arg, '--api-key=k-' + arg], env: { GITHUB_TOKEN: TOKEN }, headers: { Authorization: `Bearer ${arg}` } } } });
  fs.writeFileSync(file, entry(ARG));
  const store = new TrustStore(path.join(tmp, 'secrets-store.json'));
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false });
  const first = await scanner.scanAll(emptyStore());
  await recordDecisions(store, first.servers, 'approved', new Date());
  fs.writeFileSync(file, entry(ARG + 'b'));
  const data = (await store.read()).data;
  await scanner.recheckFile(scanner.knownLocations.find((l) => l.path === file)!, data);
  const report = await scanner.reevaluate(data);
  const gh = buildTree(snapshotOf(report), false).filter((r) => r.kind === "file").flatMap((r) => (r as FileNode).children)[0] as ServerNode;
  assert.equal(gh.state, 'changed');
  const model = JSON.stringify(buildDiffViewModel(report.servers[0]!));
  for (const shown of [gh.tooltip, gh.description, model]) {
    for (const secret of [TOKEN, ARG, ARG + 'b']) assert.ok(!shown.includes(secret), `${secret} shown in ${shown}`);
  }
  assert.match(gh.tooltip, /--access-token "plai…\(19 chars\)"/);
});

test('the Needs review group lists every new or changed server first; Restricted Mode is explained', async () => {
  const ws = path.join(tmp, 'group');
  fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'workspaces', 'mcpoison'), ws, { recursive: true });
  const scanner = new Scanner({ workspaceFolders: [ws], home: path.join(tmp, 'home'), includeUser: false });
  const report = await scanner.scanAll(emptyStore());
  const roots = buildTree(snapshotOf(report, { trusted: false }), false);
  assert.equal(roots[0]!.kind, 'group');
  const group = roots[0] as unknown as { label: string; contextValue: string; children: ServerNode[] };
  assert.equal(group.label, 'Needs review (3)');
  assert.equal(group.contextValue, 'reviewGroup');
  assert.deepEqual(group.children.map((c) => c.name).sort(), ['build', 'docs', 'notes']);
  assert.ok(group.children.every((c) => c.id.startsWith('review:') && c.contextValue.startsWith('server:new:')));
  assert.equal(roots[1]!.kind, 'message');
  assert.match((roots[1] as { label: string }).label, /Restricted Mode: workspace servers are pinned but not started/);
  // an approved server whose tools could not be read is "tools not read yet (needs …)", not an error
  const store = new TrustStore(path.join(tmp, 'group-store.json'));
  await recordDecisions(store, report.servers, 'approved', new Date());
  const approved = await scanner.reevaluate((await store.read()).data);
  const docs = approved.servers.find((s) => s.spec.name === 'build')!;
  const unread = new Map([[`${docs.spec.configFile}#${docs.spec.pointer}`, { needs: 'an input value', fingerprint: docs.fingerprint.fingerprint }]]);
  const after = buildTree(snapshotOf(approved, { unread }), false);
  assert.ok(!after.some((r) => r.kind === 'group'));
  const node = after.flatMap((r) => (r.kind === 'file' ? r.children : [])).find((n) => (n as ServerNode).name === 'build') as ServerNode;
  assert.equal(node.state, 'error');
  assert.match(node.description, /^approved · tools not read yet \(needs an input value\)/);
});
