/**
 * A user-level entry resolved per workspace folder is one server per open folder: the key every command takes
 * names which one, from a real scan of two folders with the same `~/.cursor/mcp.json` entry.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Scanner } from '../../../src/core/scan';
import { emptyStore } from '../../../src/core/trust';
import { findByKey, serverKeyOf } from '../../../src/vscode/services/serverKey';
import { buildTree, type ServerNode, type TreeNode } from '../../../src/vscode/tree/nodes';
import type { GuardSnapshot } from '../../../src/vscode/services/guardService';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-serverkey-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function repo(name: string, code: string): string {
  const ws = path.join(tmp, name);
  fs.mkdirSync(path.join(ws, 'tools'), { recursive: true });
  fs.mkdirSync(path.join(ws, '.git'));
  fs.writeFileSync(path.join(ws, 'tools', 'mcp.js'), code);
  return ws;
}

test('two open folders, one user-level entry: each key finds its own folder, a key without the folder finds none', async () => {
  const home = path.join(tmp, 'home');
  fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
  fs.writeFileSync(path.join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { tools: { command: 'node', args: ['${workspaceFolder}/tools/mcp.js'] } } }));
  const a = repo('a', 'console.log("a");\n');
  const b = repo('b', 'console.log("b");\n');
  const report = await new Scanner({ workspaceFolders: [a, b], home, includeUser: true }).scanAll(emptyStore());
  const copies = report.servers.filter((s) => s.spec.name === 'tools' && s.spec.host === 'cursor');
  assert.deepEqual(copies.map((s) => s.spec.resolvedIn).sort(), [a, b]);
  assert.equal(copies[0].spec.configFile, copies[1].spec.configFile);
  assert.equal(copies[0].spec.pointer, copies[1].spec.pointer);
  assert.notEqual(copies[0].fingerprint.fingerprint, copies[1].fingerprint.fingerprint, 'each folder pins its own code');

  for (const s of copies) assert.equal(findByKey(report.servers, serverKeyOf(s.spec)), s);
  assert.equal(findByKey(report.servers, { configFile: copies[0].spec.configFile, pointer: copies[0].spec.pointer }), undefined, 'which folder is meant is not known');
  assert.equal(findByKey(report.servers, { ...serverKeyOf(copies[0].spec), resolvedIn: path.join(tmp, 'c') }), undefined);

  // The tree's server nodes (the arguments of its commands) carry the folder.
  const snap: GuardSnapshot = { report, quarantined: [], probes: new Map(), storePath: '/s', trusted: true, scanMs: 1, cause: 'test' };
  const all = (ns: readonly TreeNode[]): TreeNode[] => ns.flatMap((n) => [n, ...('children' in n && Array.isArray(n.children) ? all(n.children as TreeNode[]) : [])]);
  const nodes = all(buildTree(snap, true)).filter((n): n is ServerNode => n.kind === 'server' && n.name === 'tools');
  assert.ok(nodes.length >= 2);
  for (const n of nodes) assert.ok(n.resolvedIn === a || n.resolvedIn === b, n.id);
  assert.deepEqual([...new Set(nodes.map((n) => findByKey(report.servers, serverKeyOf(n))?.spec.resolvedIn))].sort(), [a, b]);
});

test('one open folder: a key without the folder still finds the entry', async () => {
  const home = path.join(tmp, 'home1');
  fs.mkdirSync(path.join(home, '.cursor'), { recursive: true });
  fs.writeFileSync(path.join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { tools: { command: 'node', args: ['${workspaceFolder}/tools/mcp.js'] } } }));
  const a = repo('solo', 'console.log("solo");\n');
  const report = await new Scanner({ workspaceFolders: [a], home, includeUser: true }).scanAll(emptyStore());
  const s = report.servers.find((x) => x.spec.name === 'tools' && x.spec.host === 'cursor')!;
  assert.equal(s.spec.resolvedIn, a);
  assert.equal(findByKey(report.servers, { configFile: s.spec.configFile, pointer: s.spec.pointer }), s);
});
