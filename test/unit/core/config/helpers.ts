import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigLocation, HostId, ServerSpec } from '../../../../src/core/types';

/** Absolute path of a file under test/fixtures/configs. */
export function fixture(...parts: string[]): string {
  return path.join(__dirname, '..', '..', '..', 'fixtures', 'configs', ...parts);
}

/** A location for `host` at `file`, with that host's usual top-level sections (`servers`/`mcpServers`). */
export function locationFor(host: HostId, file: string, extra: Partial<ConfigLocation> = {}): ConfigLocation {
  const own = host === 'vscode' ? 'servers' : 'mcpServers';
  return {
    host,
    scope: 'workspace',
    path: file,
    jsonc: host === 'vscode' || host === 'gemini-cli',
    serverSections: [[own], [own === 'servers' ? 'mcpServers' : 'servers']],
    ...extra,
  };
}

/** The typed view of a server, for compact assertions (undefined members dropped). */
export function view(s: ServerSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['name', 'pointer', 'transport', 'command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers', 'workspaceFolder'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  return out;
}

/** A fresh temp directory, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'mtg-config-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to `file`, creating its parent directories. */
export function put(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}
