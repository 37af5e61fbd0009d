// Bundles the entry points with esbuild (types are checked separately by `tsc --noEmit`).
// `vscode` stays external: the editor provides it at run time.
import * as esbuild from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bundleOptions = JSON.parse(readFileSync(new URL('./bundle-options.json', import.meta.url), 'utf8'));

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' }, define: { __VERSION__: JSON.stringify(pkg.version) } },
  { entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  { entryPoints: ['src/webview/diffPanel.ts'], outfile: 'dist/webview/diffPanel.js', platform: 'browser', format: 'iife' },
  { entryPoints: ['src/webview/inspector.ts'], outfile: 'dist/webview/inspector.js', platform: 'browser', format: 'iife' },
].filter((t) => existsSync(t.entryPoints[0]));

const common = {
  bundle: true,
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
  // jsonc-parser's `main` is a UMD build whose dynamic requires esbuild cannot follow; prefer ES modules.
  mainFields: ['module', 'main'],
  // See bundle-options.json (what @vercel/nft's dependencies need).
  external: bundleOptions.external,
  loader: bundleOptions.loader,
};

if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context({ ...common, ...t, external: [...common.external, ...(t.external ?? [])] });
    await ctx.watch();
  }
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t, external: [...common.external, ...(t.external ?? [])] })));
}
