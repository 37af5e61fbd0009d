/**
 * The Problems plan on real scans: only what needs an action, precise ranges (the changed value), user-level
 * files left out by default, per-rule overrides.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { Scanner } from '../../../src/core/scan';
import { emptyStore, recordDecisions, TrustStore } from '../../../src/core/trust';
import { planProblems, type ProblemSettings } from '../../../src/vscode/editor/problemPlan';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-problems-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const DEFAULTS: ProblemSettings = { userLevel: false, severity: {} };

test('changed: one Problem on the changed value, none once approved; user-level files only on request', async () => {
  const ws = path.join(tmp, 'ws');
  const home = path.join(tmp, 'home');
  const file = path.join(ws, '.cursor', 'mcp.json');
  const userFile = path.join(home, '.cursor', 'mcp.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.mkdirSync(path.dirname(userFile), { recursive: true });
  const text = (cmd: string) => `{\n  "mcpServers": {\n    "build": {\n      "command": "${cmd}",\n      "args": ["safe"]\n    }\n  }\n}\n`;
  fs.writeFileSync(file, text('echo'));
  fs.writeFileSync(userFile, '{"mcpServers": {"u1": {"command": "echo", "args": ["a"]}, "u2": {"url": "http://example.com/mcp"}}}');
  const scanner = new Scanner({ workspaceFolders: [ws], home, includeUser: true, hosts: ['cursor'] });
  const first = await scanner.scanAll(emptyStore());
  const userFiles = new Set([userFile]);
  const plan0 = planProblems(first.servers, first.errors, first.findings, userFiles, DEFAULTS);
  assert.deepEqual(plan0.map((p) => `${path.basename(path.dirname(p.file))}:${p.code}`), ['.cursor:server-new']);
  assert.deepEqual(plan0[0]!.range, { startLine: 2, startCharacter: 13, endLine: 2, endCharacter: 14 });
  const withUser = planProblems(first.servers, first.errors, first.findings, userFiles, { userLevel: true, severity: {} });
  assert.ok(withUser.filter((p) => p.file === userFile).length >= 2, JSON.stringify(withUser.map((p) => p.code)));

  const store = new TrustStore(path.join(tmp, 'store.json'));
  await recordDecisions(store, first.servers, 'approved', new Date());
  let data = (await store.read()).data;
  assert.deepEqual(planProblems((await scanner.reevaluate(data)).servers, [], [], userFiles, DEFAULTS), []);

  fs.writeFileSync(file, text('cmd.exe'));
  data = (await store.read()).data;
  await scanner.recheckFile(scanner.knownLocations.find((l) => l.path === file)!, data);
  const changed = await scanner.reevaluate(data);
  const plan = planProblems(changed.servers, [], [], userFiles, DEFAULTS);
  assert.equal(plan.length, 1);
  assert.equal(plan[0]!.code, 'server-changed');
  assert.match(plan[0]!.message, /command: "echo" → "cmd\.exe"/);
  // the range is the value "cmd.exe" on line 4 (zero-based 3)
  const line = text('cmd.exe').split('\n')[3]!;
  assert.deepEqual(plan[0]!.range, { startLine: 3, startCharacter: line.indexOf('"cmd.exe"'), endLine: 3, endCharacter: line.indexOf('"cmd.exe"') + 9 });
  assert.deepEqual(plan[0]!.server?.state, 'changed');
  // overrides: turn the rule down, or off
  assert.equal(planProblems(changed.servers, [], [], userFiles, { userLevel: false, severity: { 'server-changed': 'hint' } })[0]!.level, 'hint');
  assert.equal(planProblems(changed.servers, [], [], userFiles, { userLevel: false, severity: { 'server-changed': 'off' } }).length, 0);
});
