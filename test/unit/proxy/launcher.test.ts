import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { installLauncher } from '../../../src/vscode/guard/launcher';

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
