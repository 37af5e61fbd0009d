/**
 * The real CLI, bundled from the current sources the way `npm run build` bundles `dist/cli.js` (esbuild, CommonJS,
 * node20), into a temp folder once per test process, so a test never runs a stale `dist/`.
 */
import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
let built: Promise<string> | undefined;

/** Absolute path of a freshly bundled `cli.js` (run it with `process.execPath`). */
export function builtCli(): Promise<string> {
  built ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'mtg-cli-')), 'cli.js');
    await build({
      entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'warning',
      mainFields: ['module', 'main'],
      define: { __VERSION__: JSON.stringify('0.0.0-test') },
    });
    return outfile;
  })();
  return built;
}
