// Benchmark: size of the packaged extension. Runs `npm run package` (production build + `vsce
// package --no-dependencies`) with `--out` pointing at a temp dir, prints the `.vsix` size against the 2 MB
// target, then rebuilds the development bundle so `dist/` is as `npm run build` left it.
// Run alone: `node --import tsx bench/package.bench.ts`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { printRow, type BenchRow } from './util';

const ROOT = path.resolve(__dirname, '..');
const TARGET_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 180_000;

/** Runs a command in the repo root, bounded; throws with its output tail when it fails. */
function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: TIMEOUT_MS });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stdout + r.stderr).slice(-2_000)}`);
}

/** The `.vsix` size row (KiB, target under 2 MB). */
export async function benchPackage(): Promise<BenchRow[]> {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-bench-vsix-')));
  const out = path.join(tmp, 'mcp-trust-guard.vsix');
  try {
    run('npm', ['run', '--silent', 'package', '--', '--out', out]);
    const bytes = fs.statSync(out).size;
    return [{ name: '.vsix size (npm run package)', value: bytes / 1024, unit: 'KiB', target: '< 2048 KiB', ok: bytes < TARGET_BYTES, detail: `(${bytes} bytes)` }];
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    run('node', ['scripts/build.mjs']);
  }
}

if (require.main === module) {
  benchPackage().then((rows) => rows.forEach(printRow), (e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
