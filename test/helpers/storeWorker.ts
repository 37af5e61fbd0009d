// Child process for the trust store concurrency test: adds `count` records tagged with `tag`, one locked
// update each, and prints "done" when finished.
import { TrustStore } from '../../src/core/trust/store';

const [path, tag, countText] = process.argv.slice(2);
const count = Number(countText);
const hex = (n: number) => n.toString(16).padStart(64, '0');

async function main() {
  const store = new TrustStore(path, { lockTimeoutMs: 30_000 });
  for (let i = 0; i < count; i++) {
    await store.update((data) => {
      data.records[`/cfg/${tag}.json#/mcpServers/s${i}`] = {
        configFile: `/cfg/${tag}.json`, name: `s${i}`, pointer: `/mcpServers/s${i}`, host: 'cursor', decision: 'approved',
        fingerprint: hex(i), specHash: hex(i), sourceHash: hex(i), spec: { command: 'echo', args: [tag, String(i)] }, files: [],
        decidedAt: new Date().toISOString(),
      };
    });
  }
  process.stdout.write('done\n');
}
main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
