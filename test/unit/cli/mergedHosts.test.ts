/**
 * Sources Gemini CLI, Codex and Goose merge into a launch, through the real CLI (the bundled `cli.js`) on real files
 * written as each host documents them (test/fixtures/merged-hosts/<host>/{ws,home}): Gemini CLI extensions (their
 * variables, their `.env`, a user extension of the same name), Codex project trust, Goose `env_keys`. Each is scanned, approved, and a change of
 * the merged source is a change that names it.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { builtCli } from '../../helpers/builtCli';

const FIXTURES = resolve(__dirname, '../../fixtures/merged-hosts');

interface ServerOut {
  host: string;
  scope: string;
  name: string;
  state: string;
  changes: { pointer: string }[];
  findings: { ruleId: string; severity: string; pointer: string; message: string }[];
  files: { ref: string; via: string }[];
}

let cliPath = '';

before(async () => {
  cliPath = await builtCli();
});

/** A copy of one host's fixtures: `ws` (a git repository) and `home`. */
function sandbox(host: string) {
  const root = realpathSync(mkdtempSync(join(tmpdir(), `mtg-mh-${host}-`)));
  const ws = join(root, 'ws');
  const home = join(root, 'home');
  mkdirSync(ws, { recursive: true });
  mkdirSync(home, { recursive: true });
  cpSync(join(FIXTURES, host), root, { recursive: true });
  mkdirSync(join(ws, '.git'), { recursive: true });
  const env = { PATH: process.env.PATH, HOME: home, MCP_TRUST_GUARD_STORE: join(root, 'store.json') };
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(process.execPath, [cliPath, ...args], { env, cwd: root, timeout: 60_000 }, (e, out, err) => done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err }));
    });
  return {
    root,
    ws,
    home,
    write(path: string, text: string) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
    edit(path: string, from: string | RegExp, to: string) {
      const before = readFileSync(path, 'utf8');
      const after = before.replace(from, to);
      assert.notEqual(after, before, `${String(from)} in ${path}`);
      writeFileSync(path, after);
      return () => writeFileSync(path, before);
    },
    async scan(): Promise<ServerOut[]> {
      const r = await run('--json', 'scan', ws);
      assert.ok(r.code === 0 || r.code === 1, r.err);
      return (JSON.parse(r.out) as { servers: ServerOut[] }).servers;
    },
    async approveAll() {
      const r = await run('approve', '--all', ws);
      assert.equal(r.code, 0, r.err + r.out);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

const one = (servers: ServerOut[], name: string) => {
  const s = servers.find((x) => x.name === name);
  assert.ok(s, `${name} in ${JSON.stringify(servers.map((x) => [x.host, x.name]))}`);
  return s;
};

test('Gemini CLI extensions: workspace and user manifests are read, ${extensionPath} resolved, the extension .env is a merged source', async () => {
  const sb = sandbox('gemini-cli');
  try {
    const ext = join(sb.ws, '.gemini', 'extensions', 'helper');
    let servers = await sb.scan();
    const helper = one(servers, 'helper-tools');
    assert.equal(helper.host, 'gemini-cli');
    assert.equal(helper.scope, 'workspace');
    assert.equal(helper.state, 'new');
    assert.ok(!helper.findings.some((f) => f.ruleId === 'unresolved-variable'), JSON.stringify(helper.findings));
    assert.ok(helper.files.some((f) => f.ref === '.gemini/extensions/helper/server.js' && f.via === 'arg'), JSON.stringify(helper.files));
    const user = one(servers, 'user-ext-tools');
    assert.deepEqual([user.host, user.scope], ['gemini-cli', 'user']);

    await sb.approveAll();
    servers = await sb.scan();
    assert.deepEqual(['helper-tools', 'user-ext-tools'].map((n) => one(servers, n).state), ['approved', 'approved']);

    // The script the extension runs, named through ${extensionPath}.
    let restore = sb.edit(join(ext, 'server.js'), 'resume', 'pause');
    let s = one(await sb.scan(), 'helper-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$files/.gemini~1extensions~1helper~1server.js']);
    restore();
    // The extension's settings (its .env): the value moved, the diff names the source and the key.
    restore = sb.edit(join(ext, '.env'), 'dev-key-1', 'other-key');
    s = one(await sb.scan(), 'helper-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/extension-env/values/HELPER_API_KEY']);
    restore();
    // An argument of the manifest.
    restore = sb.edit(join(ext, 'gemini-extension.json'), '"info"', '"debug"');
    s = one(await sb.scan(), 'helper-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/args/2']);
    restore();
    assert.equal(one(await sb.scan(), 'helper-tools').state, 'approved');

    // A user extension of the same name appears: depending on its version Gemini CLI runs the workspace one in its
    // place, or skips the workspace one; the pin names the precedence. One in another folder or of another name does not count.
    const userExt = join(sb.home, '.gemini', 'extensions', 'helper');
    sb.write(join(userExt, 'gemini-extension.json'), JSON.stringify({ name: 'not-helper', version: '1.0.0' }));
    assert.equal(one(await sb.scan(), 'helper-tools').state, 'approved');
    sb.write(join(userExt, 'gemini-extension.json'), JSON.stringify({ name: 'helper', version: '2.0.0', mcpServers: {} }));
    s = one(await sb.scan(), 'helper-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/extension-precedence']);
    rmSync(userExt, { recursive: true });
    assert.equal(one(await sb.scan(), 'helper-tools').state, 'approved');

    // A variable the manifest does not define stays as written, and a workspace path behind $VAR is not pinned: high.
    sb.edit(join(ext, 'gemini-extension.json'), '"--log-level"', '"$HELPER_ROOT/boot.js"');
    s = one(await sb.scan(), 'helper-tools');
    assert.ok(s.findings.some((f) => f.ruleId === 'unresolved-variable' && f.severity === 'high'), JSON.stringify(s.findings));
  } finally {
    sb.cleanup();
  }
});

test('Codex project trust: an untrusted project is listed and pinned; trusting it afterwards is a change of the merged source', async () => {
  const sb = sandbox('codex');
  try {
    const userConfig = join(sb.home, '.codex', 'config.toml');
    const trust = (level: string, key = sb.ws) => sb.write(userConfig, `model = "gpt-5"\n\n[projects.${JSON.stringify(key)}]\ntrust_level = "${level}"\n`);
    trust('untrusted');
    let s = one(await sb.scan(), 'project-tools');
    assert.deepEqual([s.host, s.scope, s.state], ['codex', 'workspace', 'new']);
    assert.ok(s.files.some((f) => f.ref === 'tools/server.js'), JSON.stringify(s.files));
    // env_vars: the value comes from Codex's environment, not pinned.
    const envFinding = s.findings.find((f) => f.ruleId === 'unpinned-env-value');
    assert.deepEqual(envFinding && [envFinding.severity, envFinding.pointer], ['medium', '/env_vars/0']);

    // A remote server's token and header values come from the environment too: one finding per name.
    const api = one(await sb.scan(), 'project-api').findings.filter((f) => f.ruleId === 'unpinned-env-value');
    assert.deepEqual(api.map((f) => [f.severity, f.pointer]), [['medium', '/bearer_token_env_var'], ['medium', '/env_http_headers/X-Team']]);

    await sb.approveAll();
    assert.equal(one(await sb.scan(), 'project-tools').state, 'approved');

    trust('trusted');
    s = one(await sb.scan(), 'project-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/project-trust/trust_level']);

    // The trust of the enclosing repository counts when the folder itself has none.
    await sb.approveAll();
    const repo = sb.root;
    mkdirSync(join(repo, '.git'), { recursive: true });
    rmSync(join(sb.ws, '.git'), { recursive: true, force: true });
    trust('trusted', repo);
    s = one(await sb.scan(), 'project-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/$merged/project-trust/project']);

    // No entry at all: Codex loads nothing from the project, and that too is a change of the source.
    await sb.approveAll();
    sb.write(userConfig, 'model = "gpt-5"\n');
    s = one(await sb.scan(), 'project-tools');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer).sort(), ['/$merged/project-trust/project', '/$merged/project-trust/trust_level']);
  } finally {
    sb.cleanup();
  }
});

test('Goose env_keys: the names are pinned, each value is a finding (high when it can load code), a new key is a change', async () => {
  const sb = sandbox('goose');
  try {
    const config = join(sb.home, '.config', 'goose', 'config.yaml');
    let servers = await sb.scan();
    const github = one(servers, 'github');
    assert.equal(github.host, 'goose');
    const gh = github.findings.filter((f) => f.ruleId === 'unpinned-env-value');
    assert.deepEqual(gh.map((f) => [f.severity, f.pointer]), [['medium', '/env_keys/0']]);
    assert.match(gh[0].message, /GITHUB_PERSONAL_ACCESS_TOKEN is not pinned: Goose fills it in at launch/);
    const loader = one(servers, 'loader').findings.filter((f) => f.ruleId === 'unpinned-env-value');
    assert.deepEqual(loader.map((f) => [f.severity, f.pointer]), [['high', '/env_keys/0']]);

    await sb.approveAll();
    servers = await sb.scan();
    assert.deepEqual(['github', 'loader'].map((n) => one(servers, n).state), ['approved', 'approved']);
    sb.edit(config, '["GITHUB_PERSONAL_ACCESS_TOKEN"]', '["GITHUB_PERSONAL_ACCESS_TOKEN", "GITHUB_API_URL"]');
    const s = one(await sb.scan(), 'github');
    assert.equal(s.state, 'changed');
    assert.deepEqual(s.changes.map((c) => c.pointer), ['/env_keys/1']);
    assert.equal(s.findings.filter((f) => f.ruleId === 'unpinned-env-value').length, 2);
  } finally {
    sb.cleanup();
  }
});
