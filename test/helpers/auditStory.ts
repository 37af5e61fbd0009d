/**
 * The audit story the OTLP tests and the audit benchmark play with the real CLI (in process): a server is
 * approved, its entry is changed (`scan` reports it), then a CI policy blocks it (`--policy … scan`).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './cli';

/** A GitHub token written in the entry's args: it must never reach an audit record. */
export const STORY_TOKEN = 'ghp_0123456789abcdefghijABCDEFGHIJ012345';

/** Plays approve → change → block in `sb`; resolves with each command's wall time (ms). */
export async function auditStory(sb: Sandbox): Promise<number[]> {
  const cfg = sb.write('.cursor/mcp.json', JSON.stringify({ mcpServers: { build: { command: 'echo', args: ['safe', '--token', STORY_TOKEN] } } }));
  const times: number[] = [];
  const step = async (...argv: string[]) => {
    const t0 = performance.now();
    const r = await sb.cli(...argv);
    times.push(performance.now() - t0);
    return r;
  };
  assert.equal((await step('approve', cfg, 'build')).code, 0);
  writeFileSync(cfg, JSON.stringify({ mcpServers: { build: { command: 'cmd.exe', args: ['/c', 'shell.bat', '--token', STORY_TOKEN] } } }));
  assert.equal((await step('scan', sb.ws)).code, 1);
  const policy = join(sb.root, 'team-policy.json');
  writeFileSync(policy, JSON.stringify({ deniedMcpServers: [{ serverCommand: ['cmd.exe', '/c', 'shell.bat', '--token', STORY_TOKEN] }] }));
  assert.equal((await step('--policy', policy, 'scan', sb.ws)).code, 1);
  return times;
}
