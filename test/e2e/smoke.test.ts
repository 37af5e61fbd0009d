/**
 * Smoke test of the extension in a real VS Code (code-server) driven by Chromium: the bundle loads, activates
 * on the MCPoison fixture workspace, reports the host it runs in, and runs in Restricted Mode too.
 * Needs `scripts/setup-e2e.sh` and `node scripts/build.mjs` first.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO_ROOT,
  closeAll,
  copyFixtureWorkspace,
  openWorkbench,
  readChannelLogFile,
  readOutputPanel,
  removeDir,
  screenshot,
  startCodeServer,
  waitForText,
} from './harness';
import { runCommandUntil } from './ui';

const ACTIVATED = /activated in (\d+) ms \(host: ([^,]+), trusted: (true|false)\)/;
const suiteStarted = Date.now();

before(() => {
  const bundle = path.join(REPO_ROOT, 'dist', 'extension.js');
  assert.ok(fs.existsSync(bundle), `${bundle} is missing: run "node scripts/build.mjs" before the e2e tests`);
});

after(async () => {
  await closeAll();
  console.log(`# e2e smoke total: ${Date.now() - suiteStarted} ms`);
});

/**
 * Starts code-server on a copy of the MCPoison fixture, opens the workbench, runs "MCP Trust Guard: Show
 * Log" from the palette and returns the activation line read from the Output panel.
 */
async function activationLine(restricted: boolean, shot: string): Promise<RegExpExecArray> {
  const workspace = copyFixtureWorkspace('mcpoison');
  try {
    const t0 = Date.now();
    const cs = await startCodeServer({ workspace, restricted });
    const t1 = Date.now();
    const { page, nonLoopbackRequests } = await openWorkbench(cs, workspace);
    const t2 = Date.now();
    console.log(`# ${shot}: code-server up in ${t1 - t0} ms, workbench in ${t2 - t1} ms`);

    // until the Output panel shows a line of the channel (a palette click can run nothing under load)
    await runCommandUntil(page, 'MCP Trust Guard: Show Log', () => waitForText(page, '[info]', 15_000), 30_000);
    // The channel has more lines than the Output panel shows, so the activation line is read from the
    // channel's log file; the panel must show lines of the same channel.
    let file = '';
    const deadline = Date.now() + 20_000;
    while (!ACTIVATED.test((file = readChannelLogFile(cs, 'MCP Trust Guard'))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const panel = await readOutputPanel(page);
    await screenshot(page, shot);
    assert.match(panel, /\[info\] /, `the Output panel shows no line of the channel:\n${panel}`);

    const line = file.split('\n').find((l) => ACTIVATED.test(l));
    assert.ok(line, `no activation line in the channel's log file:\n${file}`);
    const m = ACTIVATED.exec(line);
    assert.ok(m);
    const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})/.exec(line);
    const since = stamp ? new Date(`${stamp[1]}T${stamp[2]}`).getTime() - t0 : NaN;
    console.log(`# ${shot}: "${m[0]}", logged ${since} ms after code-server was spawned`);
    console.log(`# ${shot}: ${nonLoopbackRequests.length} non-loopback request(s) attempted by the workbench`);
    assert.deepEqual(nonLoopbackRequests, [], 'the workbench tried to reach a host other than loopback');
    return m;
  } finally {
    await closeAll();
    removeDir(path.dirname(workspace));
  }
}

describe('extension in code-server', { timeout: 180_000 }, () => {
  test('activates on the MCPoison workspace and reports code-server as host', { timeout: 150_000 }, async () => {
    const m = await activationLine(false, 'smoke-activated');
    assert.equal(m[2], 'code-server');
    assert.equal(m[3], 'true');
    assert.ok(Number(m[1]) < 5_000, `activation took ${m[1]} ms`);
  });

  test('activates in Restricted Mode (workspace trust on)', { timeout: 150_000 }, async () => {
    const m = await activationLine(true, 'smoke-restricted');
    assert.equal(m[2], 'code-server');
    assert.equal(m[3], 'false');
  });
});
