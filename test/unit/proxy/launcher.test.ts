import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { onPath, userBinDir } from '../../../src/core/config/paths';
import { activatePathLauncher, installLauncher, installPathLauncher, knownLaunchers } from '../../../src/vscode/guard/launcher';

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

test('mcpTrustGuard.installLauncherOnPath: off writes nothing (not even the folder) until Guard Server installs it, then keeps that one current; on writes it', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-pathlauncher-opt-'));
  try {
    const bin = join(dir, 'home', '.local', 'bin');
    const cli = join(dir, 'cli.js');
    writeFileSync(cli, 'process.stdout.write("v1")');
    assert.deepEqual(await activatePathLauncher(bin, cli, false, { runtime: process.execPath }), { deferred: true });
    assert.equal(existsSync(bin), false, 'off: the bin directory is not even created');
    // Guard Server's consent installs it
    const script = await installPathLauncher(bin, cli, { runtime: process.execPath });
    // the next activation with the setting still off keeps the guard's launcher pointing at the installed CLI
    const cli2 = join(dir, 'cli2.js');
    writeFileSync(cli2, 'process.stdout.write("v2")');
    assert.deepEqual(await activatePathLauncher(bin, cli2, false, { runtime: process.execPath }), { script, deferred: false });
    assert.equal(spawnSync('mcp-trust-guard', [], { encoding: 'utf8', env: { PATH: `${bin}:/usr/bin:/bin` } }).stdout, 'v2');
    // off never touches a file of someone else of that name; on refuses to replace it
    const other = join(dir, 'other-bin');
    mkdirSync(other);
    writeFileSync(join(other, 'mcp-trust-guard'), '#!/bin/sh\necho mine\n');
    assert.deepEqual(await activatePathLauncher(other, cli, false, { runtime: process.execPath }), { deferred: true });
    await assert.rejects(activatePathLauncher(other, cli, true, { runtime: process.execPath }), /not the guard's launcher/);
    assert.equal(readFileSync(join(other, 'mcp-trust-guard'), 'utf8'), '#!/bin/sh\necho mine\n');
    // on (the default): written on a fresh machine
    const fresh = join(dir, 'fresh', '.local', 'bin');
    assert.deepEqual(await activatePathLauncher(fresh, cli, true, { runtime: process.execPath }), { script: join(fresh, 'mcp-trust-guard'), deferred: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
