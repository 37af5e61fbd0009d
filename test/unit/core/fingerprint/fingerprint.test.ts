import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalHash, canonicalJson, combineFingerprint, fingerprintServer, pinnedSpec, pinnedSpecJson } from '../../../../src/core/fingerprint';
import { resolveVariables } from '../../../../src/core/launch/variables';
import type { ReferencedFile, ServerSpec } from '../../../../src/core/types';

const GOLDEN = join(__dirname, '../../../fixtures/golden/fingerprints.json');

function spec(raw: Record<string, unknown>, extra: Partial<ServerSpec> = {}): ServerSpec {
  return {
    host: 'cursor', scope: 'workspace', configFile: '/ws/.cursor/mcp.json', name: 'build', pointer: '/mcpServers/build', transport: 'stdio',
    command: raw.command as string | undefined, args: raw.args as string[] | undefined, envFile: raw.envFile as string | undefined, cwd: raw.cwd as string | undefined,
    raw, duplicateKeys: [], range: { offset: 0, length: 0, line: 1, column: 1 }, sourceText: JSON.stringify(raw), ...extra,
  };
}

test('golden fingerprints: an accidental change of the hash function is caught', async () => {
  // No referenced files here (no workspace roots), so the values depend only on the pinned spec.
  const cases: Record<string, ServerSpec> = {
    'mcpoison-approved': spec({ command: 'echo', args: ['safe'] }),
    'mcpoison-swapped': spec({ command: 'cmd.exe', args: ['/c', 'shell.bat'] }),
    'unknown-fields-kept': spec({ command: 'echo', args: ['safe'], 'x-vendor': { a: [1, 2.5, null, true] } }),
    'duplicate-command': spec({ command: 'sh', args: ['safe'] }, { duplicateKeys: [{ pointer: '/command', values: ['echo', 'sh'] }] }),
    'unicode-name': spec({ command: 'echo', args: ['caf\u00e9', '\u20ac', '\ud83d\ude00'] }),
  };
  const actual: Record<string, { specHash: string; fingerprint: string }> = {};
  for (const [k, s] of Object.entries(cases)) {
    const fp = await fingerprintServer(s, { home: '/home/u', roots: [] });
    actual[k] = { specHash: fp.specHash, fingerprint: fp.fingerprint };
  }
  if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, JSON.stringify(actual, null, 2) + '\n');
  assert.deepEqual(actual, JSON.parse(readFileSync(GOLDEN, 'utf8')));
  assert.notEqual(actual['mcpoison-approved'].fingerprint, actual['mcpoison-swapped'].fingerprint);
});

test('key order does not move the spec hash; the source hash does', async () => {
  const a = await fingerprintServer(spec({ command: 'echo', args: ['safe'] }), { home: '/h', roots: [] });
  const b = await fingerprintServer({ ...spec({ args: ['safe'], command: 'echo' }) }, { home: '/h', roots: [] });
  assert.equal(a.specHash, b.specHash);
  assert.equal(a.fingerprint, b.fingerprint);
  assert.notEqual(a.sourceHash, b.sourceHash);
});

test('referenced workspace files are pinned: script edits, envFile edits, symlink re-pointing', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'mtg-fp-'));
  try {
    mkdirSync(join(ws, 'tools'));
    writeFileSync(join(ws, 'tools/srv.py'), 'print(1)\n');
    writeFileSync(join(ws, 'run.sh'), 'echo hi\n');
    writeFileSync(join(ws, '.env'), 'A=1\n');
    writeFileSync(join(ws, 'real-a.js'), 'a\n');
    writeFileSync(join(ws, 'real-b.js'), 'b\n');
    symlinkSync(join(ws, 'real-a.js'), join(ws, 'link.js'));
    const s = spec(
      { command: './run.sh', args: ['tools/srv.py', '--config=${workspaceFolder}/link.js', 'plain-word', 'https://example.com/x.js'], envFile: '${workspaceFolder}/.env' },
      { workspaceFolder: ws },
    );
    const fp1 = await fingerprintServer(s, { home: '/h' });
    assert.deepEqual(fp1.files.filter((f) => f.via !== 'tree').map((f) => `${f.via}:${f.ref}`), ['arg:link.js', 'arg:tools/srv.py', 'command:run.sh', 'envFile:.env']);
    // run.sh is a program the guard cannot follow: its folder is pinned as a tree (what is named is not repeated).
    assert.deepEqual(fp1.files.filter((f) => f.via === 'tree').map((f) => f.ref), ['real-b.js']);
    assert.ok(fp1.files.every((f) => f.sha256 && f.sha256.length === 64));
    assert.equal(fp1.files.find((f) => f.ref === 'link.js')?.path, join(ws, 'real-a.js'), 'symlink resolved to its real path');

    writeFileSync(join(ws, 'tools/srv.py'), 'print(2)\n');
    const fp2 = await fingerprintServer(s, { home: '/h' });
    assert.notEqual(fp2.fingerprint, fp1.fingerprint, 'script edit');
    assert.equal(fp2.specHash, fp1.specHash);

    writeFileSync(join(ws, '.env'), 'A=2\n');
    const fp3 = await fingerprintServer(s, { home: '/h' });
    assert.notEqual(fp3.fingerprint, fp2.fingerprint, 'envFile edit');

    rmSync(join(ws, 'link.js'));
    symlinkSync(join(ws, 'real-b.js'), join(ws, 'link.js'));
    const fp4 = await fingerprintServer(s, { home: '/h' });
    assert.notEqual(fp4.fingerprint, fp3.fingerprint, 'symlink re-pointed');

    rmSync(join(ws, 'run.sh'));
    const fp5 = await fingerprintServer(s, { home: '/h' });
    assert.equal(fp5.files.find((f) => f.via === 'command')?.sha256, null, 'a deleted script is pinned as missing');
    assert.notEqual(fp5.fingerprint, fp4.fingerprint);
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('files outside the workspace are not pinned; variables resolve only for lookup', async () => {
  const fp = await fingerprintServer(spec({ command: 'node', args: ['/usr/lib/node_modules/x/index.js'] }, { workspaceFolder: '/nonexistent-ws' }), { home: '/h' });
  assert.deepEqual(fp.files, []);
  const r = (v: string, ctx: { home: string; workspaceFolder?: string }) => resolveVariables(v, ['predefined', 'tilde'], ctx);
  assert.equal(r('${userHome}/a', { home: '/h' }).value, '/h/a');
  assert.equal(r('~/a', { home: '/h' }).value, '/h/a');
  assert.equal(r('${workspaceFolder}/a', { home: '/h' }).unresolved[0]?.kind, 'workspace');
  const both = r('${env:X}/${input:y}', { home: '/h', workspaceFolder: '/w' });
  assert.equal(both.value, '${env:X}/${input:y}');
  assert.deepEqual(both.unresolved.map((u) => u.kind), ['env', 'input']);
});

test('the config file itself is not a referenced file (a guarded entry names it in --config)', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'mtg-fp-'));
  try {
    mkdirSync(join(ws, '.cursor'));
    const cfg = join(ws, '.cursor/mcp.json');
    writeFileSync(cfg, '{}');
    const s = spec({ command: '/opt/mtg/bin/mcp-trust-guard', args: ['run', '--config', cfg, '--name', 'build', '--', 'echo', 'safe'] }, { workspaceFolder: ws, configFile: cfg });
    const fp1 = await fingerprintServer(s, { home: '/h' });
    assert.deepEqual(fp1.files, []);
    writeFileSync(cfg, '{"mcpServers": {"other": {"command": "x"}}}');
    assert.equal((await fingerprintServer(s, { home: '/h' })).fingerprint, fp1.fingerprint, 'an edit elsewhere in the file does not move this pin');
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
});

test('combineFingerprint is the canonical hash of {command?, specHash, files: [[via, ref, sha256]…]} (escapes, nulls, non-BMP)', () => {
  const files = [
    { path: '/w/a', via: 'arg', ref: 'tools/"q"\\x.js', sha256: 'a'.repeat(64), size: 1 },
    { path: '/w/b', via: 'module', ref: 'lib/caf\u00e9\u0001\u2028\ud83d\ude00.js', sha256: null, size: null },
    { path: '/w/c', via: 'manifest', ref: 'lone\ud800.json', sha256: 'b'.repeat(64), size: 2 },
  ] as ReferencedFile[];
  for (const list of [[], files]) {
    const pin = { specHash: 'c'.repeat(64), files: list.map((f) => [f.via, f.ref, f.sha256]) };
    assert.equal(combineFingerprint('c'.repeat(64), list), canonicalHash(pin));
    for (const command of [{ name: 'node"\u00e9', path: '/usr/bin/node' }, { name: 'x', path: null }]) {
      assert.equal(combineFingerprint('c'.repeat(64), list, command), canonicalHash({ ...pin, command: [command.name, command.path] }));
    }
  }
});

test('pinnedSpecJson is the canonical JSON of the pinned spec (with duplicate keys, merged sources, odd entries), whether the entry text is cached or not', () => {
  const raws: unknown[] = [
    { command: 'echo', args: ['caf\u00e9', 'lone\ud800', '\u2028'], env: { B: '1', A: null }, n: [1e21, -0, 0.1] },
    { 'z"key': { nested: [true, false, null, { b: 1, a: 2 }] }, '\u20ac': 1, '\r': 2 },
    'a string entry',
    42,
    null,
    [1, 'two', { three: 3 }],
    undefined,
  ];
  const duplicates = [[], [{ pointer: '/command', values: ['echo', 'sh'] }]] as ServerSpec['duplicateKeys'][];
  const mergeds = [undefined, { 'vscode:inputs': [{ id: 'token', type: 'promptString' }] }];
  for (const raw of raws) {
    for (const duplicateKeys of duplicates) {
      for (const merged of mergeds) {
        const s = { raw, duplicateKeys };
        const expected = canonicalJson(merged ? { ...pinnedSpec(s), merged } : pinnedSpec(s));
        assert.equal(pinnedSpecJson(s, merged), expected);
        assert.equal(pinnedSpecJson(s, merged), expected, 'the second time, from the kept entry text');
      }
    }
  }
});
