/**
 * Probes every server of the real-server corpus (test/fixtures/corpus/servers.json, installed by
 * scripts/corpus-setup.mjs into .corpus/, or a devDependency) with the product's own probe, and writes what each
 * told the client to test/fixtures/corpus/real/<id>.json (name and version included; nothing time-dependent).
 * Those files are what the corpus test and `npm run eval` read: nothing is installed or launched at test time.
 *
 * Each server runs over stdio offline, from a fresh temp folder (its cwd and HOME), with the dummy credentials
 * of the manifest; the probe is bounded (20 s per step) and kills the process tree afterwards.
 *
 * Usage: `node --import tsx scripts/corpus-probe.ts [id...]` (default: every server).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { probeServer } from '../src/core/probe';
import type { ServerSpec } from '../src/core/types';

interface CorpusServer {
  id: string;
  /** The name a user gives the server in a config file (the server's key). */
  name: string;
  package: string;
  version: string;
  /** `devDependencies`: installed by `npm ci` in the project itself, not under .corpus/. */
  from?: 'devDependencies';
  /** Which bin of the package to run when it has several. */
  bin?: string;
  /** Arguments after the bin; `{tmp}` is the temp folder. */
  args: string[];
  env: Record<string, string>;
}

interface Manifest {
  /** Dummy credentials every server gets (no value is a real secret). */
  env: Record<string, string>;
  servers: CorpusServer[];
}

const root = resolve(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'test/fixtures/corpus/servers.json'), 'utf8')) as Manifest;
const outDir = join(root, 'test/fixtures/corpus/real');

function binPath(s: CorpusServer): string {
  const base = s.from === 'devDependencies' ? root : join(root, '.corpus', s.id);
  const pkgDir = join(base, 'node_modules', ...s.package.split('/'));
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string; bin?: string | Record<string, string> };
  if (pkg.version !== s.version) throw new Error(`${s.package} is ${pkg.version}, the manifest says ${s.version}; run node scripts/corpus-setup.mjs`);
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin ? (pkg.bin[s.bin ?? ''] ?? Object.values(pkg.bin)[0]) : undefined;
  if (!bin) throw new Error(`${s.package} has no bin`);
  return join(pkgDir, bin);
}

async function probeOne(s: CorpusServer): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'mtg-corpus-'));
  try {
    const sub = (v: string): string => v.replaceAll('{tmp}', tmp);
    const args = [binPath(s), ...s.args.map(sub)];
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: tmp, NODE_ENV: 'production', ...manifest.env };
    for (const [k, v] of Object.entries(s.env)) env[k] = sub(v);
    const raw = { command: process.execPath, args, env };
    const spec: ServerSpec = {
      host: 'vscode', scope: 'user', configFile: join(tmp, 'mcp.json'), name: s.id, pointer: `/servers/${s.id}`, transport: 'stdio',
      command: process.execPath, args, env, cwd: tmp, raw, duplicateKeys: [], range: { offset: 0, length: 0, line: 1, column: 1 }, sourceText: JSON.stringify(raw),
    };
    const r = await probeServer(spec, { timeoutMs: 20_000, env: {}, home: tmp, clientInfo: { name: 'Visual Studio Code', version: '1.139.1' } });
    const fixture = {
      id: s.id,
      name: s.name,
      package: s.package,
      version: s.version,
      ok: r.ok,
      ...(r.error ? { error: r.error.replaceAll(tmp, '{tmp}') } : {}),
      serverInfo: r.serverInfo,
      ...(r.instructions !== undefined ? { instructions: r.instructions } : {}),
      tools: r.tools,
      prompts: r.prompts,
      resources: r.resources,
      resourceTemplates: r.resourceTemplates,
    };
    const text = JSON.stringify(fixture, null, 2).replaceAll(tmp, '{tmp}');
    mkdirSync(outDir, { recursive: true });
    if (r.tools.length > 0) writeFileSync(join(outDir, `${s.id}.json`), text + '\n');
    const counts = `${r.tools.length} tools, ${r.prompts.length} prompts, ${r.resources.length} resources, ${r.resourceTemplates.length} templates`;
    return `${s.id}: ${r.ok ? 'ok' : 'FAILED ' + (r.error ?? '')} (${counts}, ${Math.round(r.ms)} ms)${r.tools.length ? '' : ' — not written'}${r.ok ? '' : '\n  stderr: ' + r.stderr.slice(-400).replace(/\n/g, ' | ')}`;
  } catch (e) {
    return `${s.id}: ERROR ${(e as Error).message}`;
  } finally {
    try {
      rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a server's child may still write there; the temp folder is left behind
    }
  }
}

async function main(): Promise<void> {
  const want = new Set(process.argv.slice(2));
  for (const s of manifest.servers) {
    if (want.size > 0 && !want.has(s.id)) continue;
    console.log(await probeOne(s));
  }
}

void main();
