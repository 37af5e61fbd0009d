import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Waits until every change under `root` (files, folders and symlinks, by their ctime) is older than the window in
 * which the guard's caches refuse a state (`settledAt`: 100 ms, or 2 s when the ctime has whole seconds), so a
 * test reaches the cached path rather than the rule that refuses a state changed moments ago. At most about 2 s.
 */
export async function settleTree(root: string): Promise<void> {
  let newest = 0;
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    newest = Math.max(newest, st.ctimeMs + (st.ctimeMs % 1000 === 0 ? 2000 : 100));
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(root);
  await delay(Math.max(0, newest - Date.now() + 5));
}

/**
 * VS Code servers whose pins read from every kind of source a scan keeps states of: a module graph, a symlink, a
 * script a runtime would look for (`./tools/late` → `tools/late.js`), an envFile, the file's `inputs`. For
 * workspaces with `tools/server.js`, `tools/link.js` and `.env`.
 */
export const PIN_SOURCES_SERVERS = {
  module: { command: 'node', args: ['${workspaceFolder}/tools/server.js'] },
  link: { command: 'node', args: ['./tools/link.js'] },
  implicit: { command: 'node', args: ['./tools/late'] },
  envfile: { command: 'python3', args: ['-m', 'srv'], envFile: '${workspaceFolder}/.env' },
  input: { type: 'http', url: 'https://mcp.example.com/x', headers: { A: '${input:tok}' } },
} as const;
