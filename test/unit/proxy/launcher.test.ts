import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installLauncher } from '../../../src/vscode/guard/launcher';

test('the POSIX launcher runs the recorded CLI with node on PATH, else with the runtime as node', { skip: process.platform === 'win32' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "mtg-launcher-it's "));
  try {
    const cli = join(dir, "cli v1's.js");
    writeFileSync(cli, 'process.stdout.write(JSON.stringify({argv: process.argv.slice(2), ern: process.env.ELECTRON_RUN_AS_NODE ?? null}))');
    const l = await installLauncher(dir, cli, process.execPath);
    assert.equal(l.command, join(dir, 'bin', 'mcp-trust-guard'));
    assert.equal(statSync(l.command).mode & 0o111, 0o111);
    assert.equal(JSON.parse(readFileSync(join(dir, 'bin', 'launcher.json'), 'utf8')).cli, cli);
    const withNode = spawnSync(l.command, ['run', 'a b', "c'd"], { encoding: 'utf8', env: { PATH: `${join(process.execPath, '..')}:/usr/bin:/bin` } });
    assert.deepEqual(JSON.parse(withNode.stdout), { argv: ['run', 'a b', "c'd"], ern: null });
    const noNode = spawnSync(l.command, ['x'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
    assert.deepEqual(JSON.parse(noNode.stdout), { argv: ['x'], ern: '1' });
    // An update rewrites the launcher in place: same path, new CLI.
    const cli2 = join(dir, 'cli2.js');
    writeFileSync(cli2, 'process.stdout.write("v2")');
    assert.equal((await installLauncher(dir, cli2, process.execPath)).command, l.command);
    assert.equal(spawnSync(l.command, [], { encoding: 'utf8', env: { PATH: '/nonexistent' } }).stdout, 'v2');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
