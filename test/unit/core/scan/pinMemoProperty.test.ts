/**
 * Property: whatever sequence of changes a workspace's owner makes between scans (module bytes with the mtime put
 * back, an envFile, a merged source, a re-pointed symlink, a script appearing and disappearing where a runtime
 * looks, a touched file, a changed require), settled or not, every pin a scanner reports — reused from an earlier
 * pass or not — equals the pin computed alone with fresh caches. Real files, the real scanner, fast-check.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { fingerprintServer, pinMemoOf } from '../../../../src/core/fingerprint/fingerprint';
import { ClosureCache } from '../../../../src/core/launch';
import { FileHashCache } from '../../../../src/core/launch/hash';
import { nodeFileSystem } from '../../../../src/core/ports/nodeFs';
import { Scanner } from '../../../../src/core/scan';
import { emptyStore } from '../../../../src/core/trust';
import { PIN_SOURCES_SERVERS, settleTree } from '../../../helpers/pinWorkspace';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-pin-memo-prop-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const ws = path.join(tmp, 'ws');
const home = path.join(tmp, 'home');
const T = 1_700_000_000;

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
  fs.writeFileSync(path.join(ws, rel), text);
}

/** Waits until every change so far has settled (see `settleTree`). */
const settle = () => settleTree(ws);

fs.mkdirSync(path.join(ws, '.git'), { recursive: true });
fs.mkdirSync(home, { recursive: true });
write('tools/server.js', "require('./lib/a.js');\n");
write('tools/lib/a.js', 'module.exports = 1;\n');
write('tools/lib/b.js', 'module.exports = 2;\n');
fs.symlinkSync('lib/a.js', path.join(ws, 'tools/link.js'));
write('.env', 'A=1\n');
const config = (input: string) =>
  JSON.stringify({
    inputs: [{ id: 'tok', type: input }],
    servers: PIN_SOURCES_SERVERS,
  });
write('.vscode/mcp.json', config('promptString'));

/** The changes, each with a value drawn for it. */
const change = fc.oneof(
  fc.record({ kind: fc.constant('module bytes, mtime put back' as const), n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('envFile' as const), n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({ kind: fc.constant('inputs' as const), n: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('symlink target' as const), n: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('late script' as const), n: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('require' as const), n: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('touch' as const), n: fc.constant(0) }),
);

function apply(c: { kind: string; n: number }): void {
  switch (c.kind) {
    case 'module bytes, mtime put back': {
      const f = path.join(ws, 'tools/lib/a.js');
      fs.writeFileSync(f, `module.exports = ${c.n};\n`);
      fs.utimesSync(f, T, T);
      break;
    }
    case 'envFile':
      write('.env', `A=${c.n}\n`);
      break;
    case 'inputs':
      write('.vscode/mcp.json', config(c.n ? 'pickString' : 'promptString'));
      break;
    case 'symlink target':
      fs.rmSync(path.join(ws, 'tools/link.js'));
      fs.symlinkSync(c.n ? 'lib/b.js' : 'lib/a.js', path.join(ws, 'tools/link.js'));
      break;
    case 'late script':
      if (c.n) write('tools/late.js', '// late\n');
      else fs.rmSync(path.join(ws, 'tools/late.js'), { force: true });
      break;
    case 'require':
      write('tools/server.js', `require('./lib/${c.n ? 'b' : 'a'}.js');\n`);
      break;
    default:
      fs.utimesSync(path.join(ws, 'tools/server.js'), new Date(), new Date());
  }
}

const cache = new ClosureCache(100, new FileHashCache());

test('every pin a scanner reports, kept or not, is the pin computed alone, after any sequence of changes', async () => {
  await settle();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(change, fc.boolean()), { minLength: 1, maxLength: 4 }), async (steps) => {
      runs++;
      for (const [c, settled] of steps) {
        apply(c);
        if (settled) await settle();
        const report = await new Scanner({ workspaceFolders: [ws], home, includeUser: false, closureCache: cache }).scanAll(emptyStore());
        assert.equal(report.servers.length, 5);
        for (const s of report.servers) {
          const alone = await fingerprintServer(s.spec, { home, roots: [ws], fs: nodeFileSystem, closureCache: new ClosureCache(10, new FileHashCache()) });
          assert.deepEqual(s.fingerprint, alone, `after ${c.kind} (${settled ? 'settled' : 'at once'}): ${s.spec.name}`);
        }
      }
    }),
    { numRuns: 12, seed: 20261201 },
  );
  assert.equal(runs >= 12, true);
  assert.ok(pinMemoOf(cache).hits > 0, 'kept pins were reused along the way');
});
