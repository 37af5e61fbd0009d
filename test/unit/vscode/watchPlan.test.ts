/**
 * The watch plan (src/vscode/services/watchPlan.ts) on real folders: which watchers are made for config files
 * whose folders are missing, what an anchor event re-checks, and that nothing is watched recursively outside
 * the workspace. Folders are created and removed for real and their existence is read with `fs.statSync`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { DiscoverOptions } from '../../../src/core/config';
import { foldersToCheck, isGlobSafeName, pathKey, planWatches, specId, watchInputs, type WatchPlan, type WatchTarget } from '../../../src/vscode/services/watchPlan';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mtg-watchplan-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh home and workspace; `discover` as the extension builds it (Linux layout, no environment). */
function layout(hosts?: DiscoverOptions['hosts']) {
  const root = path.join(tmp, `case-${n++}`);
  const home = path.join(root, 'home');
  const ws = path.join(root, 'ws');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(ws, { recursive: true });
  const discover: DiscoverOptions = { workspaceFolders: [ws], home, includeUser: true, platform: 'linux', env: {}, userDataDirs: [], ...(hosts ? { hosts } : {}) };
  const store = path.join(home, '.config', 'mcp-trust-guard', 'trust-store.json');
  return { root, home, ws, discover, store };
}

/** Plans with the real file system (the folders are stat'ed as the extension does, synchronously here). */
function planNow(targets: WatchTarget[], home: string): WatchPlan {
  const present = new Set(foldersToCheck(targets, path.posix).filter((d) => fs.statSync(d, { throwIfNoEntry: false })?.isDirectory()));
  return planWatches(targets, { path: path.posix, isDir: (d) => present.has(d), home, caseInsensitive: false });
}

function globsAt(plan: WatchPlan, base: string): string[] {
  return plan.specs.filter((s) => s.base === base).map((s) => s.glob);
}

describe('watchInputs', () => {
  test('workspace folders keep one brace pattern, *.code-workspace and Gemini CLI extension manifests; user files and the store become targets', () => {
    const { home, ws, discover, store } = layout(['vscode', 'cursor', 'claude-code', 'windsurf', 'claude-desktop', 'gemini-cli']);
    const { workspaceSpecs, targets } = watchInputs(discover, store);
    assert.deepEqual(
      workspaceSpecs.map((s) => [s.base, s.glob]),
      [
        [ws, '{.vscode/mcp.json,.vscode/settings.json,.mcp.json,.cursor/mcp.json,.cursor/rules/mcp.json,.gemini/settings.json,.claude/settings.json,.claude/settings.local.json,.gemini/.env,.env}'],
        [ws, '*.code-workspace'],
        [ws, '.gemini/extensions/*/gemini-extension.json'],
      ],
    );
    const files = targets.filter((t) => !t.pattern).map((t) => path.join(t.dir, t.glob));
    for (const f of [path.join(home, '.cursor', 'mcp.json'), path.join(home, '.claude.json'), path.join(home, '.codeium', 'windsurf', 'mcp_config.json'), store]) {
      assert.ok(files.includes(f), `${f} in ${files.join('\n')}`);
    }
    assert.ok(targets.some((t) => t.pattern && t.dir === path.join(home, '.config', 'Code', 'User', 'profiles') && t.glob === '*/{mcp,settings}.json'));
    assert.ok(targets.every((t) => path.isAbsolute(t.dir) && !t.dir.startsWith(ws)));
  });
});

test('every adapter file of a workspace is watched: fixed names in the brace pattern, listed folders by their own pattern', () => {
  const { ws, discover, store } = layout();
  const { workspaceSpecs } = watchInputs(discover, store);
  const brace = workspaceSpecs[0].glob;
  for (const f of ['.roo/mcp.json', '.codex/config.toml', 'opencode.json', 'opencode.jsonc', 'kilo.jsonc', '.kilocode/mcp.json', '.kiro/settings/mcp.json', '.amazonq/mcp.json', '.zed/settings.json', '.junie/mcp/mcp.json', '.trae/mcp.json']) {
    assert.ok(brace.includes(f), `${f} in ${brace}`);
  }
  assert.deepEqual(
    workspaceSpecs.slice(1).map((s) => [s.base, s.glob]),
    [
      [ws, '*.code-workspace'],
      [ws, '.gemini/extensions/*/gemini-extension.json'],
      [ws, '.continue/mcpServers/*.{yaml,yml,json}'],
    ],
  );
});

describe('planWatches', () => {
  test('a home without ~/.cursor: home is watched (not recursively) for the missing entries; an anchor re-checks ~/.cursor/mcp.json', () => {
    const { home, discover, store } = layout(['cursor', 'claude-code', 'windsurf']);
    const { targets } = watchInputs(discover, store);
    const plan = planNow(targets, home);
    // home holds ~/.claude.json (a file) and is the nearest existing folder of ~/.cursor, ~/.codeium, ~/.config
    assert.deepEqual(globsAt(plan, home), ['{.claude.json,.codeium,.config,.cursor}']);
    assert.deepEqual(globsAt(plan, path.join(home, '.cursor')), [], 'no watcher on a folder that does not exist');
    assert.ok(plan.missing.includes(path.join(home, '.cursor')));
    assert.deepEqual(plan.anchors.get(path.join(home, '.cursor')), { path: path.join(home, '.cursor'), recheck: [path.join(home, '.cursor', 'mcp.json')] });
    // two levels missing: the anchor is ~/.codeium, and it re-checks both Windsurf files below it
    assert.deepEqual(plan.anchors.get(path.join(home, '.codeium'))?.recheck, [
      path.join(home, '.codeium', 'windsurf', 'mcp_config.json'),
      path.join(home, '.codeium', 'windsurf-next', 'mcp_config.json'),
    ]);
    // neither home nor any folder above it is watched from above, and no watcher outside the workspace recurses
    assert.ok(!plan.specs.some((s) => s.base === path.dirname(home)));
    assert.ok(!plan.anchors.has(home));
    for (const s of plan.specs) assert.ok(!s.glob.includes('/') && !s.glob.includes('**'), `${s.base} ${s.glob}`);
  });

  test('as folders appear, each gets its own watcher and is still anchored in its parent (to see it go)', () => {
    const { home, discover, store } = layout(['cursor', 'windsurf']);
    const { targets } = watchInputs(discover, store);
    const before = planNow(targets, home);

    fs.mkdirSync(path.join(home, '.cursor'));
    fs.mkdirSync(path.join(home, '.codeium'));
    const mid = planNow(targets, home);
    assert.deepEqual(globsAt(mid, path.join(home, '.cursor')), ['mcp.json']);
    assert.deepEqual(globsAt(mid, path.join(home, '.codeium')), ['{windsurf,windsurf-next}']);
    assert.deepEqual(mid.anchors.get(path.join(home, '.cursor'))?.recheck, [path.join(home, '.cursor', 'mcp.json')]);
    assert.deepEqual(mid.anchors.get(path.join(home, '.codeium', 'windsurf'))?.recheck, [path.join(home, '.codeium', 'windsurf', 'mcp_config.json')]);
    assert.ok(!mid.missing.includes(path.join(home, '.cursor')));
    assert.ok(mid.anchors.has(path.join(home, '.codeium')), 'an existing folder stays anchored in its parent');

    fs.mkdirSync(path.join(home, '.codeium', 'windsurf'));
    const after = planNow(targets, home);
    assert.deepEqual(globsAt(after, path.join(home, '.codeium', 'windsurf')), ['mcp_config.json']);
    // a watcher that stays planned keeps its identity (the extension keeps it alive)
    const ids = new Set(after.specs.map(specId));
    assert.ok(ids.has(specId({ base: path.join(home, '.cursor'), glob: 'mcp.json' })));

    // the folder goes again: back to its anchor only
    fs.rmSync(path.join(home, '.cursor'), { recursive: true });
    const gone = planNow(targets, home);
    assert.deepEqual(globsAt(gone, path.join(home, '.cursor')), []);
    assert.ok(gone.anchors.has(path.join(home, '.cursor')));
    assert.deepEqual(globsAt(gone, home), globsAt(before, home));
  });

  test('the trust store folder and VS Code profile folders are planned too; a pattern folder is re-checked as a folder', () => {
    const { home, discover, store } = layout(['vscode']);
    const { targets } = watchInputs(discover, store);
    fs.mkdirSync(path.join(home, '.config', 'Code', 'User'), { recursive: true });
    const plan = planNow(targets, home);
    const user = path.join(home, '.config', 'Code', 'User');
    assert.deepEqual(globsAt(plan, user), ['{mcp.json,profiles,settings.json}']);
    assert.deepEqual(plan.anchors.get(path.join(user, 'profiles'))?.recheck, [path.join(user, 'profiles')]);
    // the store's folder ~/.config/mcp-trust-guard is missing: ~/.config is watched for it
    assert.ok(globsAt(plan, path.join(home, '.config'))[0]?.includes('mcp-trust-guard'));
    assert.deepEqual(plan.anchors.get(path.join(home, '.config', 'mcp-trust-guard'))?.recheck, [store]);
    fs.mkdirSync(path.join(user, 'profiles', 'p1'), { recursive: true });
    const withProfiles = planNow(targets, home);
    assert.deepEqual(globsAt(withProfiles, path.join(user, 'profiles')), ['*/{mcp,settings}.json']);
  });

  test('a name that a glob cannot hold is watched as * with an explicit list of the paths meant', () => {
    const { home } = layout();
    const odd = path.join(home, 'a,b{c}');
    const plan = planNow([{ dir: odd, glob: 'mcp.json' }, { dir: home, glob: 'x*.json' }], home);
    const star = plan.specs.find((s) => s.base === home && s.glob === '*');
    assert.deepEqual(star?.only?.sort(), [odd, path.join(home, 'x*.json')].sort());
    assert.ok(!isGlobSafeName('a,b') && !isGlobSafeName('{x}') && !isGlobSafeName('') && isGlobSafeName('Code - Insiders'));
  });

  test('Windows layout: keys ignore case, so an event path spelled by the watcher finds its anchor', () => {
    const home = 'C:\\Users\\Ann';
    const dirs = new Set(['C:\\', 'C:\\Users', home]);
    const plan = planWatches([{ dir: 'C:\\Users\\Ann\\.cursor', glob: 'mcp.json' }], {
      path: path.win32,
      isDir: (d) => dirs.has(d),
      home,
      caseInsensitive: true,
    });
    assert.deepEqual(plan.specs, [{ base: home, glob: '.cursor' }]);
    const k = pathKey('c:\\users\\ann\\.Cursor\\', path.win32, true);
    assert.equal(plan.anchors.get(k)?.recheck[0], 'C:\\Users\\Ann\\.cursor\\mcp.json');
  });

  test('outside home: /etc/gemini-cli is anchored in /etc, and nothing is watched in the file-system root', () => {
    const dirs = new Set(['/', '/etc']);
    const plan = planWatches([{ dir: '/etc/gemini-cli', glob: 'settings.json' }], { path: path.posix, isDir: (d) => dirs.has(d), home: '/home/u', caseInsensitive: false });
    assert.deepEqual(plan.specs, [{ base: '/etc', glob: 'gemini-cli' }]);
    assert.deepEqual([...plan.anchors.keys()], ['/etc/gemini-cli']);
  });

  test('a folder with no existing ancestor gets no anchor, and planning never throws', () => {
    const plan = planWatches([{ dir: '/nowhere/x', glob: 'mcp.json' }], { path: path.posix, isDir: () => false, home: '/home/u', caseInsensitive: false });
    assert.deepEqual(plan.specs, []);
    assert.deepEqual(plan.missing, ['/nowhere/x']);
    assert.equal(plan.anchors.size, 0);
  });
});
