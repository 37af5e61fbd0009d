/**
 * Every host adapter through the real CLI (the bundled `cli.js`, built from the current sources) on real files written as
 * each host documents them (test/fixtures/hosts/<host>/{ws,home}): the servers are found and attributed to their
 * host, approved, and a change of a command, an argument or an environment value in any of the files is a change
 * of exactly the servers defined there.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtCli } from '../../helpers/builtCli';

const ROOT = resolve(__dirname, '../../..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'hosts');

interface ServerOut {
  host: string;
  alsoReadBy?: string[];
  scope: string;
  configFile: string;
  name: string;
  transport: string;
  state: string;
  changes: { pointer: string }[];
  findings: { ruleId: string; severity: string; pointer: string }[];
}
interface ScanOut {
  servers: ServerOut[];
  errors: { configFile: string; message: string }[];
}

/** What each host's fixtures define: server name → transport. Stdio servers carry srv-cmd / arg-one / env-one. */
const EXPECTED: Record<string, Record<string, string>> = {
  cline: { 'cline-user': 'stdio', 'cline-remote': 'sse', 'cline-legacy': 'stdio' },
  codex: { 'codex-user': 'stdio', 'codex-remote': 'http', 'codex-ws': 'stdio' },
  'copilot-cli': { 'copilot-user': 'stdio', 'copilot-remote': 'http', 'copilot-ws': 'stdio' },
  kilo: { 'kilo-ws': 'stdio', 'kilo-legacy': 'stdio', 'kilo-user': 'stdio', 'kilo-remote': 'http' },
  opencode: { 'opencode-ws': 'stdio', 'opencode-user': 'stdio' },
  continue: { 'continue-ws': 'stdio', 'continue-json': 'stdio', 'continue-user': 'stdio', 'continue-remote': 'http' },
  roo: { 'roo-ws': 'stdio', 'roo-user': 'stdio', 'roo-remote': 'http' },
  kiro: { 'kiro-ws': 'stdio', 'kiro-user': 'stdio', 'kiro-remote': 'http' },
  'amazon-q': { 'amazonq-ws': 'stdio', 'amazonq-agent': 'stdio', 'amazonq-user': 'stdio' },
  zed: { 'zed-ws': 'stdio', 'zed-user': 'stdio', 'mcp-server-github': 'stdio', 'zed-remote': 'http' },
  junie: { 'junie-ws': 'stdio', 'junie-user': 'stdio' },
  trae: { 'trae-ws': 'stdio', 'trae-user': 'stdio' },
  goose: { developer: 'stdio', 'goose-user': 'stdio', 'goose-remote': 'sse' },
  antigravity: { 'antigravity-user': 'stdio', 'antigravity-remote': 'http' },
};

/** Servers that run srv-cmd (the others are remote or provided by the host itself). */
const runsSrvCmd = (name: string) => /-(ws|user|legacy|json|agent)$/.test(name);

let cliPath = '';

function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cliPath, ...args], { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (e, out, err) => {
      done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

before(async () => {
  cliPath = await builtCli();
});

test('every host: scan attributes each fixture server to its host, approve, and a changed command, arg or env value is a change', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mtg-hosts-'));
  try {
    const ws = join(root, 'ws');
    const home = join(root, 'home');
    for (const host of Object.keys(EXPECTED)) {
      for (const level of ['ws', 'home']) {
        const from = join(FIXTURES, host, level);
        if (existsSync(from)) cpSync(from, level === 'ws' ? ws : home, { recursive: true });
      }
    }
    const env = { PATH: process.env.PATH, HOME: home, MCP_TRUST_GUARD_STORE: join(root, 'store.json') };
    const scan = async (): Promise<ScanOut> => {
      const r = await cli(env, '--json', 'scan', ws);
      assert.ok(r.code === 0 || r.code === 1, r.err);
      return JSON.parse(r.out) as ScanOut;
    };

    let out = await scan();
    assert.deepEqual(out.errors, [], 'every fixture parses');
    for (const [host, servers] of Object.entries(EXPECTED)) {
      const mine = out.servers.filter((s) => s.host === host || s.alsoReadBy?.includes(host));
      assert.deepEqual(Object.fromEntries(mine.map((s) => [s.name, s.transport])), servers, `${host}: servers and transports`);
      for (const s of mine) {
        assert.equal(s.state, 'new', `${host}/${s.name}`);
        assert.equal(s.scope, s.configFile.startsWith(ws) ? 'workspace' : 'user', `${host}/${s.name}`);
        assert.ok(!s.findings.some((f) => f.ruleId === 'malformed-entry'), `${host}/${s.name}: ${JSON.stringify(s.findings)}`);
      }
    }
    // A workspace-root .mcp.json is Claude Code's, read by Copilot CLI and VS Code too; ~/.copilot/mcp-config.json is
    // Copilot CLI's, read by VS Code's discovery too. Each entry is listed once, naming every host.
    const hostsOf = (name: string) => out.servers.filter((s) => s.name === name).map((s) => [s.host, ...(s.alsoReadBy ?? [])]);
    assert.deepEqual(hostsOf('copilot-ws'), [['claude-code', 'vscode', 'copilot-cli']]);
    assert.deepEqual(hostsOf('copilot-user'), [['copilot-cli', 'vscode']]);
    // Rights-widening fields are named.
    const widening = (name: string) => out.servers.find((s) => s.name === name)?.findings.filter((f) => f.ruleId === 'trust-bypass').map((f) => f.pointer);
    assert.deepEqual(widening('cline-user'), ['/autoApprove']);
    assert.deepEqual(widening('roo-ws'), ['/alwaysAllow']);
    assert.deepEqual(widening('kiro-ws'), ['/autoApprove']);
    assert.deepEqual(widening('kilo-legacy'), ['/alwaysAllow']);

    const approve = await cli(env, 'approve', '--all', ws);
    assert.equal(approve.code, 0, approve.err + approve.out);
    out = await scan();
    for (const s of out.servers) assert.equal(s.state, 'approved', `${s.host}/${s.name}`);

    const files = filesUnder(root).filter((f) => !f.endsWith('store.json') && !f.includes('.lock'));
    const original = new Map(files.map((f) => [f, readFileSync(f, 'utf8')]));
    const edits: [label: string, from: string, to: string, pointer: RegExp][] = [
      ['command', 'srv-cmd', 'srv-cmd-2', /^\/(command(\/0)?|cmd)$/],
      ['argument', 'arg-one', 'arg-two', /^\/(args|command)\/\d+$/],
      ['env value', 'env-one', 'env-two', /^\/(env|environment|envs)\/KEY$/],
    ];
    for (const [label, from, to, pointer] of edits) {
      for (const [f, text] of original) if (text.includes(from)) writeFileSync(f, text.split(from).join(to));
      out = await scan();
      for (const [host, servers] of Object.entries(EXPECTED)) {
        for (const name of Object.keys(servers)) {
          const s = out.servers.find((x) => (x.host === host || x.alsoReadBy?.includes(host)) && x.name === name);
          assert.ok(s, `${host}/${name}`);
          if (!runsSrvCmd(name)) {
            assert.equal(s.state, 'approved', `${host}/${name} is untouched by a ${label} edit`);
            continue;
          }
          assert.equal(s.state, 'changed', `${host}/${name}: a ${label} edit is a change`);
          assert.ok(s.changes.some((c) => pointer.test(c.pointer)), `${host}/${name}: ${JSON.stringify(s.changes)}`);
        }
      }
      for (const [f, text] of original) writeFileSync(f, text);
    }
    out = await scan();
    for (const s of out.servers) assert.equal(s.state, 'approved', `${s.host}/${s.name} after the files are restored`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
