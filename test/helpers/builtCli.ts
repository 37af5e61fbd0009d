/**
 * The real CLI, bundled from the current sources the way `npm run build` bundles `dist/cli.js` (the proxy tests'
 * `buildCli`), into a temp folder once per test process, so a test never runs a stale `dist/`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli } from '../unit/proxy/helpers';

let built: Promise<string> | undefined;

/** Absolute path of a freshly bundled `cli.js` (run it with `process.execPath`). */
export function builtCli(): Promise<string> {
  built ??= buildCli(mkdtempSync(join(tmpdir(), 'mtg-cli-')));
  return built;
}
