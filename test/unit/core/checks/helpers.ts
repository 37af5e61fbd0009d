// Test helper: builds ServerSpec objects directly (the config parser is not used here on purpose).
import type { ServerSpec } from '../../../../src/core/types';

export type SpecInput = Partial<Omit<ServerSpec, 'raw'>> & { raw?: Record<string, unknown> };

/** A stdio (or url) server entry as a parser would normalize it; `raw` mirrors the typed fields. */
export function spec(input: SpecInput): ServerSpec {
  const raw: Record<string, unknown> = { ...(input.raw ?? {}) };
  for (const k of ['command', 'args', 'env', 'envFile', 'cwd', 'url', 'headers'] as const) {
    if (input[k] === undefined || k in raw) continue;
    if (k === 'url' && ('serverUrl' in raw || 'httpUrl' in raw)) continue;
    raw[k] = input[k];
  }
  const text = JSON.stringify(raw);
  return {
    host: input.host ?? 'vscode',
    scope: input.scope ?? 'workspace',
    configFile: input.configFile ?? '/ws/.vscode/mcp.json',
    name: input.name ?? 'srv',
    pointer: `/servers/${input.name ?? 'srv'}`,
    transport: input.transport ?? (input.url ? 'http' : 'stdio'),
    command: input.command,
    args: input.args,
    env: input.env,
    envFile: input.envFile,
    cwd: input.cwd,
    url: input.url,
    headers: input.headers,
    raw,
    duplicateKeys: [],
    range: { offset: 0, length: text.length, line: 1, column: 1 },
    sourceText: text,
  };
}
