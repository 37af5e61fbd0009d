import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { defaultClientInfo, LaunchResolveError, parseDotenv, resolveLaunch, resolveForLaunch } from '../../../../src/core/probe';
import { stdioSpec } from './helpers';

const ctx = { env: { HOME_DIR: '/h', TOKEN: 'tok', EMPTY: '' }, workspaceFolder: '/ws/proj', home: '/home/u' };

test('resolveForLaunch: VS Code predefined variables', () => {
  assert.equal(resolveForLaunch('${workspaceFolder}/a${pathSeparator}b${/}c', 'vscode', ctx), `/ws/proj/a${sep}b${sep}c`);
  assert.equal(resolveForLaunch('${userHome}|${env:TOKEN}|${env:MISSING}|${workspaceFolderBasename}', 'vscode', ctx), '/home/u|tok||proj');
  assert.equal(resolveForLaunch('${unknown} ${TOKEN}', 'vscode', ctx), '${unknown} ${TOKEN}', 'unknown variables stay as written');
  assert.throws(() => resolveForLaunch('${input:key}', 'vscode', ctx), LaunchResolveError);
  assert.throws(() => resolveForLaunch('${workspaceFolder}', 'vscode', { env: {} }), /no workspace folder/);
});

test('resolveForLaunch: Claude Code ${VAR} and ${VAR:-default}', () => {
  assert.equal(resolveForLaunch('${TOKEN}-${NOPE:-dflt}-${EMPTY:-e}', 'claude-code', ctx), 'tok-dflt-e');
  assert.throws(() => resolveForLaunch('${NOPE}', 'claude-code', ctx), /not set/);
});

test('parseDotenv: export, comments, quotes, escapes', () => {
  const env = parseDotenv('\ufeff# c\nexport A=1\nB = "x\\ny" \nC=\'lit $x\'\nD=plain # comment\nnot a line\n__proto__=p\n');
  assert.deepEqual(Object.entries(env), [['A', '1'], ['B', 'x\ny'], ['C', 'lit $x'], ['D', 'plain'], ['__proto__', 'p']]);
});

test('resolveLaunch: env = base + envFile + spec.env (later wins), cwd defaults to the workspace folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtg-launch-'));
  try {
    writeFileSync(join(dir, '.env'), 'FROM_FILE=1\nOVERRIDE=file\nBASE=file\n');
    const spec = stdioSpec('${workspaceFolder}/bin/srv', ['--root', '${workspaceFolder}', '${env:TOKEN}'], {
      envFile: '${workspaceFolder}/.env',
      env: { OVERRIDE: 'spec', KEY: '${env:TOKEN}' },
    });
    const l = resolveLaunch(spec, { env: { BASE: 'base', TOKEN: 't', GONE: undefined }, workspaceFolder: dir });
    assert.equal(l.transport, 'stdio');
    if (l.transport !== 'stdio') return;
    assert.equal(l.command, `${dir}/bin/srv`);
    assert.deepEqual(l.args, ['--root', dir, 't']);
    assert.equal(l.cwd, dir);
    assert.deepEqual(l.env, { BASE: 'file', TOKEN: 't', FROM_FILE: '1', OVERRIDE: 'spec', KEY: 't' });
    assert.throws(() => resolveLaunch({ ...spec, envFile: join(dir, 'missing.env') }, { env: {}, workspaceFolder: dir }), /envFile .* cannot be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('defaultClientInfo presents each host as itself', () => {
  assert.equal(defaultClientInfo('vscode').name, 'Visual Studio Code');
  assert.equal(defaultClientInfo('claude-code').name, 'claude-code');
  assert.equal(defaultClientInfo('cursor').name, 'cursor-vscode');
});
