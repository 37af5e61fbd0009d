/**
 * The one variable resolver (src/core/launch/variables.ts): every form a host adapter declares is resolved or
 * returned as unresolved with a reason, never dropped; and through a real scan, a workspace path the launch may read
 * that holds an unresolvable variable is a high `unresolved-variable` finding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTS, variableFormsOf } from '../../../../src/core/hosts';
import { resolveVariables } from '../../../../src/core/launch/variables';
import { scanConfigs } from '../../../../src/core/scan';
import { emptyStore } from '../../../../src/core/trust';

const ctx = { env: { TOKEN: 'tok', EMPTY: '' }, workspaceFolder: '/ws/proj', workspaceFolders: ['/ws/proj', '/ws/lib'], home: '/home/u', pathSeparator: '/' as const };

test('VS Code predefined variables, ${workspaceFolder:name}, ${env:X}; ${input:x} and ${command:x} stay unresolved', () => {
  const r = resolveVariables('${workspaceFolder}|${workspaceFolder:lib}|${workspaceFolderBasename}|${userHome}|${/}|${env:TOKEN}|${env:NOPE}', ['predefined'], ctx);
  assert.equal(r.value, '/ws/proj|/ws/lib|proj|/home/u|/|tok|');
  assert.deepEqual(r.unresolved, []);
  const u = resolveVariables('--key=${input:key} ${command:pick} ${workspaceFolder:gone}', ['predefined'], ctx);
  assert.deepEqual(u.unresolved.map((x) => x.kind), ['input', 'command', 'workspace']);
  assert.equal(u.value, '--key=${input:key} ${command:pick} ${workspaceFolder:gone}', 'kept as written');
  assert.deepEqual(u.parts.filter((p) => 'text' in p).map((p) => ('text' in p ? p.text : '')), ['--key=', ' ', ' ']);
});

test('shell forms: ${X}, ${X:-default} (Claude Code, Kiro), $X and ${X} (Gemini CLI); unknown environment is unresolved', () => {
  assert.equal(resolveVariables('${TOKEN}-${NOPE:-d}-${EMPTY:-e}', ['shell'], ctx).value, 'tok-d-e');
  assert.equal(resolveVariables('${NOPE}', ['shell'], ctx).unresolved[0]?.kind, 'env', 'unset without default: the host refuses the entry');
  assert.equal(resolveVariables('$TOKEN/${TOKEN}/$NOPE', ['shell-bare'], ctx).value, 'tok/tok/$NOPE', 'Gemini keeps an unset one as written');
  const blind = resolveVariables('${TOKEN}', ['shell'], { home: '/h' });
  assert.deepEqual([blind.value, blind.unresolved[0]?.kind], ['${TOKEN}', 'env']);
});

test('OpenCode/Kilo {env:X} and {file:p}, Continue ${{ secrets.X }}, Roo ${env:X}; a form the host lacks is literal text', () => {
  const oc = resolveVariables('{env:TOKEN}{env:NOPE}|{file:~/.key}', ['curly'], ctx);
  assert.equal(oc.value, 'tok|{file:~/.key}');
  assert.deepEqual(oc.unresolved.map((x) => x.kind), ['file']);
  assert.equal(resolveVariables('${{ secrets.TOKEN }}', ['mustache'], ctx).unresolved[0]?.kind, 'input');
  assert.equal(resolveVariables('${env:TOKEN}|${workspaceFolder}', ['env-colon'], ctx).value, 'tok|${workspaceFolder}');
  assert.deepEqual(resolveVariables('${workspaceFolder} {env:TOKEN} $TOKEN', [], ctx), { value: '${workspaceFolder} {env:TOKEN} $TOKEN', unresolved: [], parts: [{ text: '${workspaceFolder} {env:TOKEN} $TOKEN' }] });
  assert.equal(resolveVariables('~/srv.js', ['tilde'], ctx).value, '/home/u/srv.js');
});

test('Gemini CLI extension manifests: ${extensionPath} is the manifest\'s folder, ${workspacePath}, ${/}; other ${X} stay as written', () => {
  const file = '/ws/.gemini/extensions/helper/gemini-extension.json';
  const forms = variableFormsOf('gemini-cli', file);
  const r = resolveVariables('${extensionPath}${/}server.js ${workspacePath}${pathSeparator}x ${other}', forms, { ...ctx, configFile: file, pathSeparator: '/' });
  assert.equal(r.value, '/ws/.gemini/extensions/helper/server.js /ws/proj/x ${other}');
  assert.deepEqual(r.unresolved, []);
  // Without the manifest's path, ${extensionPath} is not known: unresolved, never dropped.
  assert.deepEqual(resolveVariables('${extensionPath}/s.js', forms, ctx).unresolved.map((u) => u.kind), ['workspace']);
  // The settings file is not a manifest: its forms are the host's usual ones.
  assert.deepEqual(variableFormsOf('gemini-cli', '/ws/.gemini/settings.json'), HOSTS['gemini-cli'].variables);
});

test('every adapter declares only forms the resolver knows', () => {
  const known = new Set(['predefined', 'shell', 'shell-bare', 'env-colon', 'curly', 'mustache', 'tilde', 'extension']);
  for (const a of Object.values(HOSTS)) for (const f of [...a.variables, ...(a.variablesOf?.('/x/gemini-extension.json') ?? [])]) assert.ok(known.has(f), `${a.id}: ${f}`);
});

test('a scan: a workspace script path behind an unresolvable variable is a high unresolved-variable finding, a resolvable one is pinned', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mtg-vars-'));
  try {
    const ws = join(root, 'ws');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    mkdirSync(join(ws, '.kiro', 'settings'), { recursive: true });
    writeFileSync(join(ws, 'srv.js'), '// server\n');
    writeFileSync(
      join(ws, '.vscode', 'mcp.json'),
      JSON.stringify({ servers: { pinned: { command: 'node', args: ['${workspaceFolder}/srv.js'] }, asked: { command: 'node', args: ['${input:script}/srv.js'] } } }),
    );
    writeFileSync(join(ws, '.kiro', 'settings', 'mcp.json'), JSON.stringify({ mcpServers: { env: { command: 'node', args: ['${SCRIPTS}/srv.js'], env: { TOKEN: '${TOKEN}' } } } }));
    const r = await scanConfigs({ workspaceFolders: [ws], home: join(root, 'home'), includeUser: false, env: {} }, emptyStore());
    const by = (name: string) => r.servers.find((s) => s.spec.name === name)!;
    assert.deepEqual(by('pinned').fingerprint.files.map((f) => f.ref), ['srv.js']);
    assert.ok(!by('pinned').findings.some((f) => f.ruleId === 'unresolved-variable'));
    for (const name of ['asked', 'env']) {
      const f = by(name).findings.filter((x) => x.ruleId === 'unresolved-variable');
      assert.equal(f.length, 1, `${name}: ${JSON.stringify(by(name).findings)}`);
      assert.equal(f[0].severity, 'high');
      assert.equal(f[0].pointer, '/args');
    }
    assert.match(by('asked').findings.find((x) => x.ruleId === 'unresolved-variable')!.message, /\$\{input:script\}/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
