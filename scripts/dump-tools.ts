/**
 * Dumps what the official MCP reference servers tell a client (`initialize` instructions, `tools/list`,
 * `prompts/list`, `resources/list`, `resources/templates/list`, all pages) into
 * `test/fixtures/tools/<server>.json`. Those files are the false-positive corpus of the tool-metadata checks
 * (`src/core/checks/tool`): the reference servers must get no high finding.
 *
 * Usage: `node --import tsx scripts/dump-tools.ts [outDir]`. Each server runs over stdio from
 * `node_modules/@modelcontextprotocol/<server>/dist/index.js`, is bounded by a 10 s timeout and its process is
 * killed afterwards (also on timeout or error). This is a developer script, not product code, so it may import
 * the MCP SDK directly.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const TIMEOUT_MS = 10_000;
const MAX_PAGES = 50;

interface Target {
  name: string;
  args: (tmp: string) => string[];
  env?: (tmp: string) => Record<string, string>;
}

const root = resolve(__dirname, '..');
const pkg = (p: string): string => join(root, 'node_modules', '@modelcontextprotocol', p, 'dist', 'index.js');

const targets: Target[] = [
  { name: 'server-everything', args: () => [pkg('server-everything'), 'stdio'] },
  { name: 'server-filesystem', args: (tmp) => [pkg('server-filesystem'), tmp] },
  { name: 'server-memory', args: () => [pkg('server-memory')], env: (tmp) => ({ MEMORY_FILE_PATH: join(tmp, 'memory.jsonl') }) },
];

/** Pages through one list method until there is no `nextCursor` (at most {@link MAX_PAGES} pages). */
async function listAll<T>(fetchPage: (cursor: string | undefined) => Promise<{ nextCursor?: string } & Record<string, unknown>>, key: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await fetchPage(cursor);
    out.push(...((page[key] as T[] | undefined) ?? []));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

async function dump(target: Target, outDir: string): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'mtg-dump-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: target.args(tmp),
    env: { PATH: process.env.PATH ?? '', ...(target.env?.(tmp) ?? {}) },
    cwd: tmp,
    stderr: 'ignore',
  });
  const client = new Client({ name: 'mcp-trust-guard-dump', version: '0.1.0' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${target.name}: timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    const work = (async () => {
      await client.connect(transport);
      const caps = client.getServerCapabilities() ?? {};
      const opts = { timeout: TIMEOUT_MS };
      const tools = caps.tools ? await listAll((cursor) => client.listTools({ cursor }, opts), 'tools') : [];
      const prompts = caps.prompts ? await listAll((cursor) => client.listPrompts({ cursor }, opts), 'prompts') : [];
      const resources = caps.resources ? await listAll((cursor) => client.listResources({ cursor }, opts), 'resources') : [];
      const resourceTemplates = caps.resources
        ? await listAll((cursor) => client.listResourceTemplates({ cursor }, opts), 'resourceTemplates')
        : [];
      return {
        server: target.name,
        serverInfo: client.getServerVersion() ?? null,
        instructions: client.getInstructions() ?? null,
        tools,
        prompts,
        resources,
        resourceTemplates,
      };
    })();
    const result = await Promise.race([work, timeout]);
    const file = join(outDir, `${target.name}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(`${file}: ${result.tools.length} tools, ${result.prompts.length} prompts, ${result.resources.length} resources, ${result.resourceTemplates.length} templates`);
  } finally {
    clearTimeout(timer);
    const pid = transport.pid;
    await client.close().catch(() => undefined);
    if (pid !== null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? join(root, 'test', 'fixtures', 'tools'));
  mkdirSync(outDir, { recursive: true });
  for (const t of targets) await dump(t, outDir);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
