/**
 * The guarded entry a team can commit, on real config files of every host whose entries Guard Server rewrites:
 * written where each host reads it, read back by the scanner, counted as guarded by the strict parse, holding no
 * path of this machine, and let through by the proxy's gate once approved. Then the attacker's edits of that
 * committed entry: each look-alike is "not guarded" (with the reason) and is a changed server like any other.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { applyEdits } from 'jsonc-parser';
import { platformDirs } from '../../../../src/core/config/paths';
import { guardEntryEdits } from '../../../../src/core/edit/guard';
import { actsOnLauncher, GUARD_LAUNCHER_NAME, guardConfigRef, guardedForm, guardUnsupported, LAUNCHER_SHADOW_RULE, PATH_LAUNCHER } from '../../../../src/core/edit/guardForm';
import { ADAPTERS, HOSTS, type HostId } from '../../../../src/core/hosts';
import { Scanner } from '../../../../src/core/scan';
import { emptyStore, recordDecisions, TrustStore } from '../../../../src/core/trust';
import type { ConfigLocation, ServerSpec } from '../../../../src/core/types';
import { checkLaunch } from '../../../../src/proxy/gate';
import { LOADER_VARIABLES } from '../../../../src/proxy/trustRoots';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-guardform-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The PATH of the scan and of the gate: the bare `node` of the wrapped command resolves to this runtime in both. */
const PATH_ENV = { PATH: path.dirname(process.execPath) };

const SUPPORTED = ADAPTERS.filter((a) => guardUnsupported(a.id) === undefined).map((a) => a.id);

/** A fresh workspace folder and home for one host. */
function sandbox(name: string): { ws: string; home: string } {
  const ws = path.join(tmp, name, 'ws');
  const home = path.join(tmp, name, 'home');
  fs.mkdirSync(ws, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  return { ws, home };
}

/** The first file where the host reads servers: a workspace file if it has one, else a user file. */
function locationOf(host: HostId, ws: string, home: string): ConfigLocation {
  const a = HOSTS[host];
  const dirs = platformDirs(home, process.platform, {});
  const usable = (l: ConfigLocation) => !l.note && !l.guest && (l.format ?? 'json') === 'json' && l.serverSections.length > 0;
  const loc = a.workspaceFiles(ws, dirs).find(usable) ?? a.userFiles(dirs, []).find(usable);
  assert.ok(loc, `${host} has a JSON file`);
  return loc;
}

/** Writes a file with one server under the location's first servers section. */
function writeServer(loc: ConfigLocation, name: string, entry: unknown): void {
  const section = loc.serverSections[0];
  let value: unknown = { [name]: entry };
  for (let i = section.length - 1; i >= 0; i--) value = { [section[i]]: value };
  fs.mkdirSync(path.dirname(loc.path), { recursive: true });
  fs.writeFileSync(loc.path, JSON.stringify(value, null, 2) + '\n');
}

async function scanOne(host: HostId, ws: string, home: string, configFile: string, name: string, store = emptyStore()) {
  const scanner = new Scanner({ workspaceFolders: [ws], home, includeUser: true, platform: process.platform, env: PATH_ENV, hosts: [host] });
  const report = await scanner.scanAll(store);
  const s = report.servers.find((x) => x.spec.configFile === configFile && x.spec.name === name);
  assert.ok(s, `${host}: the scanner reads ${name} in ${configFile} (errors: ${JSON.stringify(report.errors)})`);
  return s;
}

function hasCwd(spec: ServerSpec): boolean {
  return HOSTS[spec.host].fields.cwd.some((k) => (spec.raw as Record<string, unknown>)[k] !== undefined);
}

/** Guards `name` in its real file, as Guard Server does; returns the config ref used. */
function guardInFile(spec: ServerSpec, home: string) {
  const ref = guardConfigRef({ host: spec.host, scope: spec.scope, configFile: spec.configFile, workspaceFolder: spec.workspaceFolder, hasCwd: hasCwd(spec) }, home);
  const text = fs.readFileSync(spec.configFile, 'utf8');
  fs.writeFileSync(spec.configFile, applyEdits(text, guardEntryEdits(text, spec.pointer, PATH_LAUNCHER, ref.value)));
  return ref;
}

test('Guard Server is offered exactly for the JSON hosts whose entries hold a command string and an args array', () => {
  for (const a of ADAPTERS) {
    const why = guardUnsupported(a.id);
    const rewritable = a.format === 'json' && !a.fields.commandArgv && a.fields.command.includes('command') && a.fields.args.includes('args');
    assert.equal(why === undefined, rewritable, `${a.id}: ${why}`);
  }
  assert.ok(SUPPORTED.length >= 10, SUPPORTED.join(','));
});

for (const host of SUPPORTED) {
  test(`${host}: the guarded entry (in its workspace file, where the host has one) holds no path of this machine, counts as guarded, and the gate lets its launch through once approved`, async () => {
    const { ws, home } = sandbox(host);
    const loc = locationOf(host, ws, home);
    writeServer(loc, 'srv', { command: 'node', args: ['server.js', '--port', '3000'], env: { API_TOKEN: 'x' } });
    const before = await scanOne(host, ws, home, loc.path, 'srv');
    assert.equal(guardedForm(before.spec, { home }).guarded, false);
    const ref = guardInFile(before.spec, home);
    const text = fs.readFileSync(loc.path, 'utf8');
    const after = await scanOne(host, ws, home, loc.path, 'srv');
    const form = guardedForm(after.spec, { home });
    assert.ok(form.guarded, `${host}: ${JSON.stringify(form)} ${text}`);
    const raw = after.spec.raw as { command: string; args: string[] };
    assert.equal(raw.command, GUARD_LAUNCHER_NAME);
    assert.deepEqual(raw.args.slice(3), ['--name', 'srv', '--', 'node', 'server.js', '--port', '3000']);
    if (loc.scope === 'workspace') {
      assert.ok(!text.includes(tmp), `${host}: the committed file names no path of this machine:\n${text}`);
      assert.notEqual(ref.form, 'absolute', `${host}: ${ref.note}`);
      // Braced variables only for hosts that do not read ${…} from the environment.
      const envBraces = HOSTS[host].variables.some((f) => f === 'shell' || f === 'shell-bare');
      assert.equal(ref.form === 'variable', HOSTS[host].variables.includes('predefined') && !envBraces, `${host}: ${ref.value}`);
    } else {
      assert.ok(ref.form === 'absolute' || ref.form === 'variable', ref.note);
    }
    // The proxy's gate, as `run` sees it when the host starts the entry (cwd: where the host starts servers).
    const store = new TrustStore(path.join(tmp, host, 'store.json'));
    await recordDecisions(store, [after], 'approved', new Date());
    const a = HOSTS[host];
    const cwd = a.defaultCwd === 'home' ? home : ws;
    const refValue = raw.args[2].replace('${workspaceFolder}', ws).replace('${userHome}', home);
    const verdict = await checkLaunch({ configFile: path.resolve(cwd, refValue), name: 'srv', command: 'node', args: ['server.js', '--port', '3000'], cwd, env: { API_TOKEN: 'x', ...PATH_ENV }, home }, store);
    assert.ok(verdict.ok, `${host}: ${'reason' in verdict ? verdict.reason : ''}`);
  });
}

test('a relative --config holds only where the host starts the server in the workspace folder: an entry with its own cwd gets the absolute form', async () => {
  const host = SUPPORTED.find((h) => !HOSTS[h].variables.includes('predefined') && HOSTS[h].defaultCwd === 'workspace-folder');
  assert.ok(host, 'a host without ${workspaceFolder} that starts servers in the workspace folder');
  const { ws, home } = sandbox(`${host}-cwd`);
  const loc = locationOf(host, ws, home);
  const cwdKey = HOSTS[host].fields.cwd[0];
  writeServer(loc, 'srv', { command: 'node', args: ['server.js'], [cwdKey]: 'sub' });
  const s = await scanOne(host, ws, home, loc.path, 'srv');
  const ref = guardConfigRef({ host, scope: s.spec.scope, configFile: loc.path, workspaceFolder: ws, hasCwd: true }, home);
  assert.equal(ref.form, 'absolute');
  assert.match(ref.note, /this machine/);
  // the relative form under a cwd is not counted as guarded (the guard would look for the file under the cwd)
  const rel = path.relative(ws, loc.path).split(path.sep).join('/');
  writeServer(loc, 'srv', { command: GUARD_LAUNCHER_NAME, args: ['run', '--config', rel, '--name', 'srv', '--', 'node', 'server.js'], [cwdKey]: 'sub' });
  const g = guardedForm((await scanOne(host, ws, home, loc.path, 'srv')).spec, { home });
  assert.equal(g.guarded, false);
  assert.match(g.guarded ? '' : g.why ?? '', /--config/);
});

test('every loader variable the launcher clears also keeps an entry from counting as guarded', () => {
  for (const v of LOADER_VARIABLES) assert.ok(actsOnLauncher(v), v);
  for (const v of ['PATH', 'Path', 'PATHEXT', 'ComSpec', 'BASH_ENV', 'ENV', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS', 'ELECTRON_RUN_AS_NODE', 'GCONV_PATH', 'MCP_TRUST_GUARD_ENV_LD_PRELOAD']) assert.ok(actsOnLauncher(v), v);
  for (const v of ['API_TOKEN', 'GITHUB_TOKEN', 'DEBUG', 'HOME', 'LANG', 'MY_PATH_PREFIX']) assert.equal(actsOnLauncher(v), false, v);
});

test('the attacker edits the committed guarded entry: every look-alike is not guarded (with its reason) and is a changed server', async () => {
  const host: HostId = 'vscode';
  const { ws, home } = sandbox('attacker');
  const loc = locationOf(host, ws, home);
  assert.equal(path.relative(ws, loc.path), path.join('.vscode', 'mcp.json'));
  fs.mkdirSync(path.join(ws, 'other'), { recursive: true });
  const good = { type: 'stdio', command: GUARD_LAUNCHER_NAME, args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--', 'node', 'server.js'], env: { API_TOKEN: 'x' } };
  writeServer(loc, 'srv', good);
  const approved = await scanOne(host, ws, home, loc.path, 'srv');
  assert.ok(guardedForm(approved.spec, { home }).guarded);
  const store = new TrustStore(path.join(tmp, 'attacker', 'store.json'));
  await recordDecisions(store, [approved], 'approved', new Date());
  const data = (await store.read()).data;
  assert.equal((await scanOne(host, ws, home, loc.path, 'srv', data)).state, 'approved');

  const installed = path.join(home, '.local', 'bin', GUARD_LAUNCHER_NAME);
  const a = (args: string[]) => ({ ...good, args });
  const lookAlikes: [string, unknown, RegExp][] = [
    ['env PATH to a workspace folder with a fake launcher', { ...good, env: { API_TOKEN: 'x', PATH: '${workspaceFolder}/bin:/usr/bin' } }, /sets PATH/],
    ['env Path (Windows spelling)', { ...good, env: { Path: '${workspaceFolder}\\bin' } }, /sets Path/],
    ['env NODE_OPTIONS', { ...good, env: { NODE_OPTIONS: '--require ./evil.js' } }, /NODE_OPTIONS/],
    ['env LD_PRELOAD', { ...good, env: { LD_PRELOAD: '${workspaceFolder}/evil.so' } }, /LD_PRELOAD/],
    ['env BASH_ENV', { ...good, env: { BASH_ENV: '${workspaceFolder}/evil.sh' } }, /BASH_ENV/],
    ['envFile', { ...good, envFile: '${workspaceFolder}/.env' }, /envFile/],
    ['another config file', a(['run', '--config', '${workspaceFolder}/other/mcp.json', '--name', 'srv', '--', 'node', 'server.js']), /--config/],
    ['a config path from the environment', a(['run', '--config', '${env:CFG}', '--name', 'srv', '--', 'node', 'server.js']), /--config/],
    ['another server name', a(['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'other', '--', 'node', 'server.js']), /guards the server "other"/],
    ['a launcher path in the workspace', { ...good, command: '${workspaceFolder}/mcp-trust-guard' }, /not the guard's launcher/],
    ['a relative launcher', { ...good, command: './mcp-trust-guard' }, /not the guard's launcher/],
    ['an absolute launcher that is not installed here', { ...good, command: '/tmp/x/mcp-trust-guard' }, /not the guard's launcher/],
    ['arguments before run', a(['--inspect', 'run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--', 'node', 'server.js']), /not exactly/],
    ['--opt=value spelling', a(['run', '--config=${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--', 'node', 'server.js']), /not exactly/],
    ['a --store of its own', a(['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--store', '${workspaceFolder}/s.json', '--', 'node', 'server.js']), /not exactly/],
    ['options swapped around --', a(['run', '--name', 'srv', '--config', '${workspaceFolder}/.vscode/mcp.json', '--', 'node', 'server.js']), /not exactly/],
    ['a remote type', { ...good, type: 'http', url: 'http://127.0.0.1:1/mcp' }, /http server|not exactly/],
  ];
  for (const [what, entry, why] of lookAlikes) {
    writeServer(loc, 'srv', entry);
    const s = await scanOne(host, ws, home, loc.path, 'srv', data);
    const g = guardedForm(s.spec, { home, installedLaunchers: [installed] });
    assert.equal(g.guarded, false, `${what} counted as guarded`);
    assert.match(g.guarded ? '' : g.why ?? '', why, what);
    assert.equal(s.state, 'changed', `${what}: a change like any other`);
  }
  // a duplicate key: the parser keeps the last value, a host may keep the first
  fs.writeFileSync(loc.path, `{"servers": {"srv": {"type": "stdio", "command": "${GUARD_LAUNCHER_NAME}", "command": "${GUARD_LAUNCHER_NAME}", "args": ${JSON.stringify(good.args)}, "env": {"API_TOKEN": "x"}}}}`);
  const dup = guardedForm((await scanOne(host, ws, home, loc.path, 'srv', data)).spec, { home });
  assert.match(dup.guarded ? '' : dup.why ?? '', /twice/);
  // the hand-written remote bridge of the README counts, in its order of options
  writeServer(loc, 'srv', { command: GUARD_LAUNCHER_NAME, args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--url', 'http://127.0.0.1:1/mcp'] });
  assert.ok(guardedForm((await scanOne(host, ws, home, loc.path, 'srv', data)).spec, { home }).guarded);
  // an installed launcher of this machine, by its absolute path, still counts (entries guarded before)
  writeServer(loc, 'srv', { ...good, command: installed });
  assert.ok(guardedForm((await scanOne(host, ws, home, loc.path, 'srv', data)).spec, { home, installedLaunchers: [installed] }).guarded);
});

test('a mcp-trust-guard.cmd committed where the server starts (Windows looks there first) is pinned: the approved guarded entry becomes a change with a high launcher-shadow finding', async () => {
  const host: HostId = 'vscode';
  const { ws, home } = sandbox('shadow');
  const loc = locationOf(host, ws, home);
  writeServer(loc, 'srv', { command: GUARD_LAUNCHER_NAME, args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--', 'node', 'server.js'] });
  fs.writeFileSync(path.join(ws, 'README.md'), 'no shadow\n');
  const first = await scanOne(host, ws, home, loc.path, 'srv');
  assert.ok(!first.findings.some((f) => f.ruleId === LAUNCHER_SHADOW_RULE));
  assert.ok(!first.fingerprint.files.some((f) => f.ref.toLowerCase().startsWith(GUARD_LAUNCHER_NAME)), 'nothing pinned while no such file exists');
  const store = new TrustStore(path.join(tmp, 'shadow', 'store.json'));
  await recordDecisions(store, [first], 'approved', new Date());
  const data = (await store.read()).data;
  assert.equal((await scanOne(host, ws, home, loc.path, 'srv', data)).state, 'approved');
  for (const name of ['MCP-Trust-Guard.CMD', 'mcp-trust-guard.exe']) {
    fs.writeFileSync(path.join(ws, name), '@echo off\r\ncalc.exe\r\n');
    const s = await scanOne(host, ws, home, loc.path, 'srv', data);
    assert.equal(s.state, 'changed', name);
    const f = s.findings.filter((x) => x.ruleId === LAUNCHER_SHADOW_RULE);
    assert.ok(f.some((x) => x.severity === 'high' && x.message.includes(`"${name}"`)), JSON.stringify(f));
    fs.rmSync(path.join(ws, name));
  }
  // an entry whose cwd is a sub-folder: that folder is where the lookup happens
  fs.mkdirSync(path.join(ws, 'sub'));
  fs.writeFileSync(path.join(ws, 'sub', 'mcp-trust-guard.bat'), 'x');
  writeServer(loc, 'srv', { command: GUARD_LAUNCHER_NAME, args: ['run', '--config', '${workspaceFolder}/.vscode/mcp.json', '--name', 'srv', '--', 'node', 'server.js'], cwd: '${workspaceFolder}/sub' });
  assert.ok((await scanOne(host, ws, home, loc.path, 'srv')).findings.some((x) => x.ruleId === LAUNCHER_SHADOW_RULE));
});
