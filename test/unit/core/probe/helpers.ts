/** Test helpers of the probe tests: specs for fixture and reference servers, and a bounded "process gone" check. */
import { spawn, type ChildProcess } from 'node:child_process';
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

/**
 * Starts test/fixtures/servers/http-server.mjs (or `script`, which prints the same line) on 127.0.0.1 (`MODE` = `mode`, plus `env`) and resolves with its
 * port once it printed `PORT <n>`; rejects after 10 s or if it exits first. Stop it with {@link stopChild}.
 */
export async function startHttpFixture(mode: 'streamable' | 'sse', env: Record<string, string> = {}, script = join(FIXTURES, 'http-server.mjs')): Promise<{ child: ChildProcess; port: number; url: string }> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, MODE: mode, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('http fixture did not start in 10 s')), 10_000);
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /PORT (\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        ok(Number(m[1]));
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      fail(new Error('http fixture exited'));
    });
  });
  return { child, port, url: `http://127.0.0.1:${port}/mcp` };
}

/** SIGKILLs a child this test started (by its pid) and waits for its exit, at most `ms`. */
export async function stopChild(child: ChildProcess | undefined, ms = 5_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, ms).unref())]);
}
