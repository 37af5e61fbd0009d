/**
 * A file in a launch's code closure that the guard cannot read — even as root, who reads a `chmod 000` file — is a
 * high `incomplete-pin` finding naming it, and the CLI exits 1: a folder where a manifest is expected (`EISDIR`), a
 * FIFO where a manifest or a required module is expected (`ENOTFILE`). A FIFO is never read (opening one for reading
 * waits for a writer that may never come, and then serves whatever it sends): each scan below must end on its own,
 * well within the CLI's time limit. Through the real CLI (bundled from the sources) on real files.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { builtCli } from '../../helpers/builtCli';

const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'mtg-unreadable-')));
after(() => rmSync(tmp, { recursive: true, force: true }));
let cli = '';
before(async () => {
  cli = await builtCli();
});
const fifo = (p: string) => execFileSync('mkfifo', [p]);
const noFifos = process.platform === 'win32' ? 'no FIFOs in folders on Windows' : false;

interface Finding {
  ruleId: string;
  severity: string;
  message: string;
}

/** A git repository with `.vscode/mcp.json` holding `servers`, its own home and trust store, and the CLI on it. */
function repo(name: string, servers: Record<string, unknown>, files: Record<string, string>) {
  const dir = join(tmp, name);
  const ws = join(dir, 'repo');
  mkdirSync(join(ws, '.git'), { recursive: true });
  mkdirSync(join(dir, 'home'), { recursive: true });
  for (const [rel, text] of Object.entries({ ...files, '.vscode/mcp.json': JSON.stringify({ servers }) })) {
    mkdirSync(dirname(join(ws, rel)), { recursive: true });
    writeFileSync(join(ws, rel), text);
  }
  const env = { PATH: process.env.PATH, HOME: join(dir, 'home'), MCP_TRUST_GUARD_STORE: join(dir, 'store.json') };
  const run = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string; ms: number }>((done) => {
      const t0 = Date.now();
      // Bounded: a read that waited on a FIFO would hang the CLI; the limit turns that into a failure.
      execFile(process.execPath, [cli, ...args], { env, timeout: 60_000 }, (e, out, err) =>
        done({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err: err + (e?.signal ? ` (killed: ${e.signal})` : ''), ms: Date.now() - t0 }),
      );
    });
  const scan = async () => {
    const r = await run('--json', '--no-user', 'scan', ws);
    assert.ok(r.code === 0 || r.code === 1, `scan exited ${r.code}: ${r.err}`);
    const servers = (JSON.parse(r.out) as { servers: { name: string; state: string; findings: Finding[] }[] }).servers;
    const high = (n: string) => servers.find((s) => s.name === n)!.findings.filter((f) => f.ruleId === 'incomplete-pin' && f.severity === 'high');
    return { code: r.code, servers, high, ms: r.ms };
  };
  return { ws, run, scan };
}

const NPM_START = { command: 'npm', args: ['run', 'start'] };
const PACKAGE = JSON.stringify({ name: 'x', scripts: { start: 'node server.js' } });

test('a folder where .npmrc is expected: high incomplete-pin (EISDIR), exit 1, also once the server is approved', async () => {
  const r = repo('npmrc-dir', { s: NPM_START }, { 'package.json': PACKAGE, 'server.js': '1;\n' });
  let s = await r.scan();
  assert.equal(s.code, 1);
  assert.deepEqual(s.high('s'), []);
  const ok = await r.run('approve', join(r.ws, '.vscode', 'mcp.json'), 's');
  assert.equal(ok.code, 0, ok.err);
  assert.equal((await r.scan()).code, 0, 'approved and complete: a clean scan');

  mkdirSync(join(r.ws, '.npmrc'));
  s = await r.scan();
  assert.equal(s.code, 1);
  assert.equal(s.servers[0].state, 'approved', 'a missing .npmrc was pinned; a folder reads as missing too');
  assert.equal(s.high('s').length, 1, JSON.stringify(s.servers[0].findings));
  assert.match(s.high('s')[0].message, /\.npmrc.*EISDIR/);
});

test('a FIFO where package.json is expected: never read, high incomplete-pin (ENOTFILE), exit 1', { skip: noFifos }, async () => {
  const r = repo('package-fifo', { s: NPM_START }, { 'server.js': '1;\n' });
  fifo(join(r.ws, 'package.json'));
  for (let i = 0; i < 2; i++) {
    const s = await r.scan();
    assert.equal(s.code, 1);
    assert.ok(s.high('s').some((f) => /package\.json.*ENOTFILE/.test(f.message)), JSON.stringify(s.servers[0].findings));
    assert.ok(s.ms < 30_000, `the scan took ${s.ms} ms`);
  }
});

test('a FIFO where .npmrc is expected, or a module the server requires: high incomplete-pin naming it, exit 1', { skip: noFifos }, async () => {
  const r = repo('fifos', { npm: NPM_START, node: { command: 'node', args: ['./main.js'] } }, { 'package.json': PACKAGE, 'server.js': '1;\n', 'main.js': "require('./lib.js');\n" });
  fifo(join(r.ws, '.npmrc'));
  fifo(join(r.ws, 'lib.js'));
  const s = await r.scan();
  assert.equal(s.code, 1);
  assert.ok(s.high('npm').some((f) => /\.npmrc.*ENOTFILE/.test(f.message)), JSON.stringify(s.high('npm')));
  assert.ok(s.high('node').some((f) => /ENOTFILE.*lib\.js/.test(f.message)), JSON.stringify(s.high('node')));
});

test('a merged source the host reads but the guard does not (Claude Code project settings over 1 MiB, or a folder): high incomplete-pin naming it, exit 1', async () => {
  const mcp = JSON.stringify({ mcpServers: { cc: { command: 'node', args: ['./server.js'] } } });
  const big = JSON.stringify({ env: { NODE_OPTIONS: '--require ./x.js' }, padding: 'x'.repeat(1024 * 1024) });
  const r = repo('merged-big', {}, { '.mcp.json': mcp, 'server.js': '1;\n', '.claude/settings.json': big });
  let s = await r.scan();
  assert.equal(s.code, 1);
  const over = s.high('cc').filter((f) => f.message.includes(join('.claude', 'settings.json')));
  assert.equal(over.length, 1, JSON.stringify(s.servers.find((x) => x.name === 'cc')?.findings));
  assert.match(over[0].message, /over the 1048576-byte limit of a merged source/);

  const r2 = repo('merged-folder', {}, { '.mcp.json': mcp, 'server.js': '1;\n', '.claude/settings.local.json/x': '' });
  s = await r2.scan();
  assert.equal(s.code, 1);
  assert.ok(s.high('cc').some((f) => f.message.includes('settings.local.json') && /not a regular file/.test(f.message)), JSON.stringify(s.high('cc')));
});
