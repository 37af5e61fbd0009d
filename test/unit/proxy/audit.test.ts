import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AuditRecord } from '../../../src/core/audit';
import { nullLogger } from '../../../src/core/ports';
import { runGuardProxy } from '../../../src/proxy/proxy';

test('a refused launch is one audit record: lever proxy, or lever policy with its rule and file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mtg-proxy-audit-'));
  try {
    const ws = join(root, 'ws');
    mkdirSync(join(ws, '.vscode'), { recursive: true });
    const configFile = join(ws, '.vscode', 'mcp.json');
    writeFileSync(configFile, JSON.stringify({ servers: { srv: { command: 'node', args: ['/opt/guard/cli.js', 'run', '--config', configFile, '--name', 'srv', '--', 'node', 'server.js'] } } }));
    const storePath = join(root, 'store', 'trust-store.json');
    const run = async (env: NodeJS.ProcessEnv, policyFile?: string) => {
      const stdin = new PassThrough();
      stdin.end();
      const code = await runGuardProxy({
        invocation: { configFile, name: 'srv', command: 'node', args: ['server.js'], cwd: ws, env, home: root },
        storePath,
        logger: nullLogger,
        version: 'test',
        stdin,
        stdout: new PassThrough(),
        handleSignals: false,
        ...(policyFile ? { policy: { locations: [{ kind: 'guard' as const, path: policyFile }], trustedUids: [process.getuid?.() ?? 0] } } : {}),
      });
      assert.equal(code, 0);
      return readFileSync(join(root, 'store', 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
    };
    let records = await run({});
    assert.equal(records.length, 1);
    assert.deepEqual([records[0].event, records[0].outcome, records[0].lever, records[0].actor, records[0].server], ['launch.refused', 'refused', 'proxy', 'proxy', 'srv']);
    assert.match(records[0].reason ?? '', /never been approved/);

    const policy = join(root, 'policy.json');
    writeFileSync(policy, JSON.stringify({ deniedMcpServers: [{ serverName: 'srv' }] }));
    records = await run({}, policy);
    const last = records.at(-1)!;
    assert.deepEqual([last.event, last.lever, last.rule, last.policyFile], ['launch.refused', 'policy', 'deniedMcpServers[0]', policy]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
