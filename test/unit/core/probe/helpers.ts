/** Test helpers of the probe tests: specs for fixture and reference servers, and a bounded "process gone" check. */
import { join, resolve } from 'node:path';
import type { ServerSpec } from '../../../../src/core/types';

export const ROOT = resolve(__dirname, '../../../..');
export const FIXTURES = join(ROOT, 'test/fixtures/servers');
export const refServer = (pkg: string): string => join(ROOT, 'node_modules/@modelcontextprotocol', pkg, 'dist/index.js');

/** A stdio launch spec as config parsing would produce it. */
export function stdioSpec(command: string, args: string[], extra: Partial<ServerSpec> = {}): ServerSpec {
  const raw = { command, args, ...(extra.env ? { env: extra.env } : {}) };
  return {
    host: 'vscode',
    scope: 'user',
    configFile: '/dev/null',
    name: 'test',
    pointer: '/servers/test',
    transport: 'stdio',
    command,
    args,
    raw,
    duplicateKeys: [],
    range: { offset: 0, length: 0, line: 1, column: 1 },
    sourceText: JSON.stringify(raw),
    ...extra,
  };
}

/** Spec of `node test/fixtures/servers/<name>.mjs`. */
export const fixtureSpec = (name: string, extra: Partial<ServerSpec> = {}, args: string[] = []): ServerSpec =>
  stdioSpec(process.execPath, [join(FIXTURES, `${name}.mjs`), ...args], extra);

function exists(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves once `pid` and its process group (`-pid`) are gone; rejects after `ms`. */
export async function assertGone(pid: number | undefined, ms = 3_000): Promise<void> {
  if (pid === undefined) throw new Error('no pid to check');
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!exists(pid) && !exists(-pid)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} or its group still exists after ${ms} ms`);
}

/** True while `pid` exists. */
export const alive = exists;
