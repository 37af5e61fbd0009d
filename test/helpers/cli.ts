import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from '../../src/cli/main';
import type { Io } from '../../src/cli/context';

/** A temp workspace + home + trust store, and an in-process CLI runner capturing its output. */
export interface Sandbox {
  root: string;
  ws: string;
  home: string;
  store: string;
  /** The environment the CLI runs with (add to it before calling `cli`). */
  env: NodeJS.ProcessEnv;
  write(rel: string, text: string): string;
  cli(...argv: string[]): Promise<{ code: number; out: string; err: string }>;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'mtg-'));
  const ws = join(root, 'ws');
  const home = join(root, 'home');
  mkdirSync(ws, { recursive: true });
  mkdirSync(home, { recursive: true });
  const store = join(root, 'store', 'trust-store.json');
  const env: NodeJS.ProcessEnv = { HOME: home, MCP_TRUST_GUARD_STORE: store };
  return {
    root,
    ws,
    home,
    store,
    env,
    write(rel, text) {
      const p = join(ws, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    async cli(...argv) {
      let out = '';
      let err = '';
      const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env, cwd: ws };
      const code = await runCli(argv, io);
      return { code, out, err };
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
