/**
 * package.json contributions, checked statically: every command has
 * the category "MCP Trust Guard" and is declared in the `CommandId` enum; every setting has a
 * `markdownDescription` and an `application` or `machine` scope (a workspace cannot switch the guard off);
 * every `viewItem` regex in the menus compiles and matches a contextValue the tree builds.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const idsSource = fs.readFileSync(path.join(ROOT, 'src', 'vscode', 'commands', 'ids.ts'), 'utf8');

test('every command has the category and is in the CommandId enum, and every enum id is contributed', () => {
  const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'MCP Trust Guard', c.command);
  const enumIds = [...idsSource.matchAll(/= '(mcpTrustGuard\.[A-Za-z]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...enumIds].sort(), [...contributed].sort());
});

test('settings: markdownDescription and application/machine scope; storePath is machine-scoped', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { markdownDescription?: string; scope?: string }>;
  for (const key of ['hosts', 'probeOnApprove', 'probeTimeoutMs', 'strict', 'clientInfo', 'storePath']) {
    const p = props[`mcpTrustGuard.${key}`];
    assert.ok(p, `mcpTrustGuard.${key} missing`);
    assert.ok(p.markdownDescription && p.markdownDescription.length > 20, key);
    assert.ok(p.scope === 'application' || p.scope === 'machine', `${key} scope ${p.scope}`);
  }
  assert.equal(props['mcpTrustGuard.storePath'].scope, 'machine');
});

test('views and the activity-bar container are contributed, with the icon on disk', () => {
  const c = pkg.contributes.viewsContainers.activitybar.find((v: { id: string }) => v.id === 'mcpTrustGuard');
  assert.ok(c && fs.existsSync(path.join(ROOT, c.icon)));
  const views = pkg.contributes.views.mcpTrustGuard.map((v: { id: string; type?: string }) => `${v.type ?? 'tree'}:${v.id}`);
  assert.deepEqual(views, ['tree:mcpTrustGuard.servers']);
});

test('the walkthrough: every step has its markdown on disk (shipped in the .vsix) and a command it links', () => {
  const [w] = pkg.contributes.walkthroughs as { steps: { description: string; media: { markdown: string } }[] }[];
  assert.ok(w && w.steps.length >= 4);
  const commands = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));
  const shipped = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  assert.match(shipped, /^!media\/walkthrough\/\*\.md$/m);
  for (const s of w.steps) {
    assert.ok(fs.existsSync(path.join(ROOT, s.media.markdown)), s.media.markdown);
    const linked = /\(command:([\w.]+)\)/.exec(s.description)?.[1];
    assert.ok(linked && commands.has(linked), s.description);
  }
});

test('menu regexes compile and select the intended server nodes', () => {
  const items = pkg.contributes.menus['view/item/context'] as { command: string; when: string }[];
  const match = (command: string, contextValue: string) =>
    items.filter((i) => i.command === command).some((i) => new RegExp(/viewItem =~ \/(.*)\/$/.exec(i.when)![1]).test(contextValue));
  assert.ok(match('mcpTrustGuard.approve', 'server:changed:stdio'));
  assert.ok(match('mcpTrustGuard.approveAndReadTools', 'server:new:stdio'));
  assert.ok(!match('mcpTrustGuard.approve', 'server:approved:stdio:pinned'));
  assert.ok(match('mcpTrustGuard.restore', 'server:blocked:stdio'));
  assert.ok(!match('mcpTrustGuard.block', 'server:blocked:stdio'));
  assert.ok(match('mcpTrustGuard.guardServer', 'server:approved:stdio:pinned'));
  assert.ok(!match('mcpTrustGuard.guardServer', 'server:approved:stdio:guarded'));
  assert.ok(!match('mcpTrustGuard.guardServer', 'server:approved:http'));
  assert.ok(match('mcpTrustGuard.unguardServer', 'server:approved:stdio:guarded:pinned'));
  assert.ok(match('mcpTrustGuard.probeAgain', 'server:error:stdio'));
});

test('mcpTrustGuard.hosts lists every host adapter, in the registry order, as its values and its default', async () => {
  const { HOST_IDS } = await import('../../../src/core/hosts');
  const hosts = pkg.contributes.configuration.properties['mcpTrustGuard.hosts'] as { items: { enum: string[] }; default: string[]; markdownDescription: string };
  assert.deepEqual(hosts.items.enum, [...HOST_IDS]);
  assert.deepEqual(hosts.default, [...HOST_IDS]);
  for (const id of HOST_IDS) assert.ok(hosts.markdownDescription.includes(`\`${id}\``), id);
});
