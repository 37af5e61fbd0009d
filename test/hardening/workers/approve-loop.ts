// Child process of the trust store crash-safety tests. Usage:
//   approve-loop <storeFile> <tag> <count> <staleMs>
// Approves `count` servers named `<tag>-<i>` one at a time, each with its own `recordDecisions` call (one
// locked, atomic store update), and prints "ack <i>" to stdout only AFTER that update resolved; "done" at
// the end. The parent may SIGKILL it at any moment.
import { recordDecisions, TrustStore } from '../../../src/core/trust';
import type { ServerSpec } from '../../../src/core/types';

/** The config file every record of the crash tests claims to come from. */
export const CRASH_CONFIG = '/crash/ws/.cursor/mcp.json';

const hex = (n: number, salt: string) => (salt + n.toString(16)).padStart(64, '0').slice(-64);

/** The spec of server `<tag>-<i>`, as config parsing would give it. */
export function crashSpec(tag: string, i: number): ServerSpec {
  const raw = { command: 'echo', args: [tag, String(i)] };
  return {
    host: 'cursor', scope: 'workspace', configFile: CRASH_CONFIG, name: `${tag}-${i}`, pointer: `/mcpServers/${tag}-${i}`, transport: 'stdio',
    command: raw.command, args: raw.args, raw, duplicateKeys: [], range: { offset: 0, length: 0, line: 1, column: 1 }, sourceText: JSON.stringify(raw),
  };
}

/** The fingerprint recorded for server `<tag>-<i>` (fixed, so the parent can check it). */
export function crashFingerprint(i: number): string {
  return hex(i, 'f');
}

async function main(): Promise<void> {
  const [path, tag, countText, staleText] = process.argv.slice(2);
  const store = new TrustStore(path, { lockTimeoutMs: 30_000, staleMs: Number(staleText) });
  for (let i = 0; i < Number(countText); i++) {
    const fp = crashFingerprint(i);
    await recordDecisions(store, [{ spec: crashSpec(tag, i), fingerprint: { fingerprint: fp, specHash: fp, sourceHash: fp, files: [] } }], 'approved', new Date());
    process.stdout.write(`ack ${i}\n`);
  }
  process.stdout.write('done\n');
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(String((e as Error)?.stack ?? e));
    process.exit(1);
  });
}
