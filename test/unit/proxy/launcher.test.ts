import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { onPath, userBinDir } from '../../../src/core/config/paths';
import { installLauncher, installPathLauncher, knownLaunchers } from '../../../src/vscode/guard/launcher';

const SHOW = 'process.stdout.write(JSON.stringify({argv: process.argv.slice(2), ern: process.env.ELECTRON_RUN_AS_NODE ?? null, no: process.env.NODE_OPTIONS ?? null, saved: process.env.MCP_TRUST_GUARD_ENV_NODE_OPTIONS ?? null, pre: process.env.LD_PRELOAD ?? null}))';

test('the POSIX launcher runs the CLI with the recorded runtime by absolute path, the store baked in, loader variables cleared', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mtg-launcher-it's "));
  try {
    const cli = join(dir, "cli v1's.js");
    writeFileSync(cli, SHOW);
    const store = join(dir, "store it's.json");
    const l = await installLauncher(dir, cli, { runtime: process.execPath, store });
    assert.equal(l.command, join(dir, 'bin', 'mcp-trust-guard'));
    assert.equal(statSync(l.command).mode & 0o111, 0o111);
    assert.equal(JSON.parse(readFileSync(join(dir, 'bin', 'launcher.json'), 'utf8')).cli, cli);
    // A `node` first on PATH (as a workspace could arrange) is not what runs: no PATH entry is consulted.
    const r = spawnSync(l.command, ['run', 'a b', "c'd"], { encoding: 'utf8', env: { PATH: '/nonexistent', NODE_OPTIONS: '--require /ws/evil.js', LD_PRELOAD: '/ws/evil.so' } });
    assert.deepEqual(JSON.parse(r.stdout), { argv: ['--store', store, 'run', 'a b', "c'd"], ern: '1', no: null, saved: '--require /ws/evil.js', pre: null });
    // An update rewrites the launcher in place: same path, new CLI.
    const cli2 = join(dir, 'cli2.js');
    writeFileSync(cli2, 'process.stdout.write("v2")');
    assert.equal((await installLauncher(dir, cli2, { runtime: process.execPath })).command, l.command);
    assert.equal(spawnSync(l.command, [], { encoding: 'utf8', env: { PATH: '/nonexistent' } }).stdout, 'v2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the launcher on PATH: only this OS script in the user bin directory, found by its bare name, never over a file of someone else', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-pathlauncher-'));
  try {
    const home = join(dir, 'home');
    const bin = userBinDir(home, process.platform, {});
    assert.equal(bin, join(home, '.local', 'bin'));
    assert.equal(userBinDir(home, process.platform, { XDG_BIN_HOME: join(dir, 'xb') }), join(dir, 'xb'));
    assert.equal(userBinDir(home, process.platform, { XDG_BIN_HOME: 'relative/bin' }), bin, 'a relative XDG path is ignored');
    assert.equal(userBinDir('C:\\Users\\u', 'win32', {}), 'C:\\Users\\u\\.local\\bin');
    const cli = join(dir, 'cli.js');
    writeFileSync(cli, SHOW);
    const script = await installPathLauncher(bin, cli, { runtime: process.execPath, store: join(dir, 's.json') });
    assert.equal(script, join(bin, 'mcp-trust-guard'));
    assert.deepEqual(readdirSync(bin), ['mcp-trust-guard'], 'no .cmd, no launcher.json in the user bin directory');
    assert.ok(knownLaunchers().includes(script));
    assert.equal(onPath(bin, process.platform, { PATH: `/usr/bin:${bin}/` }), true);
    assert.equal(onPath(bin, process.platform, { PATH: '/usr/bin:.local/bin' }), false);
    assert.equal(onPath('C:\\Users\\u\\.local\\bin', 'win32', { Path: 'c:\\users\\U\\.local\\bin;C:\\Windows' }), true);
    // found by its bare name on PATH, as a host starts a guarded entry
    const r = spawnSync('mcp-trust-guard', ['run', 'x'], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } });
    assert.deepEqual(JSON.parse(r.stdout).argv, ['--store', join(dir, 's.json'), 'run', 'x']);
    // rewritten in place by the next activation
    await installPathLauncher(bin, cli, { runtime: process.execPath });
    // a file of that name that the guard did not write stays as it is
    const other = join(dir, 'other-bin');
    mkdirSync(other);
    writeFileSync(join(other, 'mcp-trust-guard'), '#!/bin/sh\necho mine\n');
    await assert.rejects(installPathLauncher(other, cli, { runtime: process.execPath }), /not the guard's launcher/);
    assert.equal(readFileSync(join(other, 'mcp-trust-guard'), 'utf8'), '#!/bin/sh\necho mine\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
