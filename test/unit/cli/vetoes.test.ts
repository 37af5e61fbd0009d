import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'jsonc-parser';
import { sandbox } from '../../helpers/cli';

// `vetoes --sync` writes the hosts' own deny entries for unapproved servers into the user settings of VS Code and
// Claude Code (real files in a temp home), and takes them out once the exact launch is approved.

const list = (file: string, key: string): unknown => (parse(readFileSync(file, 'utf8')) as Record<string, unknown>)[key];

test('vetoes: shown (exit 1), written with --sync, taken out after approval; the user entries stay', async () => {
  const sb = sandbox();
  try {
    const vsDir = join(sb.home, 'vscode-data');
    const vsSettings = join(vsDir, 'User', 'settings.json');
    sb.write('../home/vscode-data/User/settings.json', '{\n  // mine\n  "chat.mcp.deniedServers": [{ "serverName": "x" }]\n}\n');
    const claude = join(sb.home, '.claude', 'settings.json');
    sb.write('.vscode/mcp.json', JSON.stringify({ servers: { build: { command: 'node', args: ['${workspaceFolder}/srv.js'] } } }));
    const mcp = sb.write('.mcp.json', JSON.stringify({ mcpServers: { tool: { command: 'python3', args: ['tool.py'] } } }));

    let r = await sb.cli('vetoes', '--no-user', '--vscode-user-data-dir', vsDir, sb.ws);
    assert.equal(r.code, 1, 'entries are missing');
    assert.match(r.out, /vscode\.deniedServers .*: 2 server launch/);
    assert.match(r.out, /run with --sync/);

    r = await sb.cli('vetoes', '--sync', '--no-user', '--vscode-user-data-dir', vsDir, sb.ws);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(list(vsSettings, 'chat.mcp.deniedServers'), [
      { serverName: 'x' },
      { serverCommand: ['node', `${sb.ws}/srv.js`] },
      { serverCommand: ['python3', 'tool.py'] },
    ]);
    assert.match(readFileSync(vsSettings, 'utf8'), /\/\/ mine/);
    assert.deepEqual(list(claude, 'deniedMcpServers'), [{ serverCommand: ['python3', 'tool.py'] }]);

    r = await sb.cli('approve', mcp, 'tool');
    assert.equal(r.code, 0, r.err);
    r = await sb.cli('--json', 'vetoes', '--sync', '--no-user', '--vscode-user-data-dir', vsDir, sb.ws);
    const doc = JSON.parse(r.out) as { vetoes: { lever: string; removed?: unknown[] }[] };
    assert.deepEqual(doc.vetoes.find((v) => v.lever === 'claude-code.deniedMcpServers')?.removed, [{ serverCommand: ['python3', 'tool.py'] }]);
    assert.deepEqual(list(claude, 'deniedMcpServers'), undefined, 'the list the guard created and emptied is gone');
    assert.deepEqual(list(vsSettings, 'chat.mcp.deniedServers'), [{ serverName: 'x' }, { serverCommand: ['node', `${sb.ws}/srv.js`] }]);

    writeFileSync(vsSettings, '{ "chat.mcp.deniedServers": [ }');
    r = await sb.cli('vetoes', '--sync', '--no-user', '--vscode-user-data-dir', vsDir, sb.ws);
    assert.equal(r.code, 1);
    assert.match(r.err, /settings\.json does not parse .* at line 1, column/);
  } finally {
    sb.cleanup();
  }
});
