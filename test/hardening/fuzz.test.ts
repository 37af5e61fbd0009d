/**
 * Property-based fuzzing (fast-check 4) of the config parser, the launch-spec fingerprint, the JSON diff and
 * the scanner's evaluation. Deterministic in CI: seed 42 and bounded run counts.
 *
 * Longer runs: `FUZZ_RUNS=100000 node scripts/run-tests.mjs test/hardening/fuzz.test.ts` (every property
 * then makes that many runs); `FUZZ_SEED=<n>` picks another seed. A failure prints the seed and the
 * counterexample path; replay it with `fc.assert(prop, { seed, path })`.
 *
 * Each test prints its throughput (`runs/s`) as a test diagnostic.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseConfigText } from '../../src/core/config';
import { canonicalHash, canonicalJson, fingerprintServer, pinnedSpec } from '../../src/core/fingerprint';
import { diffJson, jsonEqual } from '../../src/core/pins/jsonDiff';
import { evaluateServer, scanConfigs } from '../../src/core/scan';
import { emptyStore, recordKey } from '../../src/core/trust';
import type { TrustRecord, TrustStoreData } from '../../src/core/trust';
import type { Change, ConfigLocation, ReferencedFile, ServerSpec } from '../../src/core/types';
import { cloneJson, FUZZ_SEED, fuzzRuns, locationFor, put, restyle, setAt, setOwn, sitesOf, tempDir } from './helpers';

/** Longest a single parse may take on this (shared, 2-core) machine before the property fails. */
const MAX_PARSE_MS = 2_000;

function report(t: TestContext, what: string, runs: number, ms: number): void {
  t.diagnostic(`${what}: ${runs} runs in ${ms.toFixed(0)} ms = ${Math.round((runs / ms) * 1000)} runs/s (seed ${FUZZ_SEED})`);
}

// ---------------------------------------------------------------------------------------------------------
// Generators

/** Keys that have tripped JS code before, plus arbitrary ones (lone surrogates included). */
const keyArb = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'toJSON', 'command', 'args', 'env', 'type', '', '~/', 'a/b') },
);

/** Strings with arbitrary code points, and lone surrogates mixed in on purpose. */
const strArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('\ud800', '\udfff', 'a', '\u0000', '"', '\\', '/', '\u202e', '\u200b', 'é', '😀'), { maxLength: 6 }).map((a) => a.join('')) },
);

const numArb = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, 0.1, 1e21));

/** An object built with own data properties only, so that `__proto__` is a member, never the prototype. */
function objectOf<T>(entries: [string, T][]): Record<string, T> {
  const o: Record<string, T> = {};
  for (const [k, v] of entries) setOwn(o, k, v);
  return o;
}

/** Arbitrary JSON values (depth-bounded) with hostile keys and strings. */
const { json: jsonArb } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    strArb,
    numArb,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.array(fc.tuple(keyArb, tie('json')), { maxLength: 4 }).map((e) => objectOf(e)),
  ),
}));

/** A server entry: the fields hosts know, each optional, plus unknown fields (hosts add fields). */
const entryArb = fc
  .record(
    {
      type: fc.constantFrom('stdio', 'http', 'sse'),
      command: fc.oneof(strArb, fc.constantFrom('node', 'npx', './run.sh', 'cmd.exe')),
      args: fc.array(fc.oneof(strArb, fc.constantFrom('./server.js', '-y', '--flag=./x.py', '${workspaceFolder}/a.js')), { maxLength: 5 }),
      env: fc.array(fc.tuple(keyArb, strArb), { maxLength: 3 }).map((e) => objectOf(e)),
      envFile: fc.constantFrom('.env', '${workspaceFolder}/.env.local', 'missing.env'),
      cwd: fc.constantFrom('.', 'sub', '${workspaceFolder}'),
      url: fc.constantFrom('http://127.0.0.1:3000/mcp', 'https://example.com/mcp'),
      headers: fc.array(fc.tuple(keyArb, strArb), { maxLength: 2 }).map((e) => objectOf(e)),
      extra: fc.array(fc.tuple(keyArb, jsonArb), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  )
  .map(({ extra, ...known }) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(known)) setOwn(o, k, v);
    for (const [k, v] of extra ?? []) setOwn(o, k, v);
    return o;
  });

/** The value as a host would see it after writing it with `JSON.stringify` (e.g. -0 becomes 0). */
const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/**
 * Mutates ONE place of `entry` (a copy): replaces a value, edits a string/number/boolean, adds or removes a
 * member or element, or reorders an array. Returns undefined when the chosen mutation does not apply there.
 */
function mutateOnce(entry: unknown, site: number, kind: number, fresh: unknown, freshKey: string): unknown {
  const copy = cloneJson(entry);
  const sites = sitesOf(copy);
  const { path, value } = sites[site % sites.length];
  switch (kind % 5) {
    case 0:
      return path.length === 0 ? undefined : setAt(copy, path, fresh);
    case 1:
      if (typeof value === 'string') return setAt(copy, path, value.length && kind % 2 ? value.slice(1) : value + 'x');
      if (typeof value === 'number') return setAt(copy, path, value === 0 ? 1 : -value);
      if (typeof value === 'boolean') return setAt(copy, path, !value);
      if (value === null) return setAt(copy, path, 0);
      return path.length === 0 ? undefined : setAt(copy, path, typeof value === 'object' ? 'replaced' : null);
    case 2:
      if (Array.isArray(value)) value.push(fresh);
      else if (value !== null && typeof value === 'object') {
        if (Object.prototype.hasOwnProperty.call(value, freshKey)) return undefined;
        setOwn(value as Record<string, unknown>, freshKey, fresh);
      } else return undefined;
      return copy;
    case 3:
      if (Array.isArray(value) && value.length) value.splice(kind % value.length, 1);
      else if (value !== null && typeof value === 'object' && Object.keys(value).length) {
        const keys = Object.keys(value);
        delete (value as Record<string, unknown>)[keys[kind % keys.length]];
      } else return undefined;
      return copy;
    default: {
      if (!Array.isArray(value) || value.length < 2) return undefined;
      const i = kind % value.length;
      const j = (i + 1) % value.length;
      [value[i], value[j]] = [value[j], value[i]];
      return copy;
    }
  }
}

const cursorLoc = (ws: string): ConfigLocation => locationFor('cursor', join(ws, '.cursor/mcp.json'), ws);
const vscodeLoc = (ws: string): ConfigLocation => locationFor('vscode', join(ws, '.vscode/mcp.json'), ws);

function onlyServer(text: string, loc: ConfigLocation): ServerSpec {
  const parsed = parseConfigText(text, loc);
  assert.deepEqual(parsed.errors, [], text);
  assert.equal(parsed.servers.length, 1, text);
  return parsed.servers[0];
}

// ---------------------------------------------------------------------------------------------------------
// 1. The config parser: total, bounded in time, output always fingerprintable

/** Token soup: pieces of config syntax in random order, so the parser's recovery paths are walked. */
const tokenSoupArb = fc
  .tuple(
    fc.constantFrom('', '{"mcpServers":{"a":', '{"servers":{"a":{"command":', '{"projects":{"/w":{"mcpServers":{"x":', '\ufeff{"mcpServers":'),
    fc.array(
      fc.constantFrom(
        '{', '}', '[', ']', ':', ',', '"mcpServers"', '"servers"', '"srv"', '"command"', '"args"', '"env"', '"comm\\u0061nd"', '"x"',
        '1e400', '-1e400', '-0', '123', '0.5e-999', '99999999999999999999999999', 'true', 'null', 'NaN', '// c\n', '/*', '*/', '"\\ud800"',
        '"\\u12"', '"__proto__"', '"constructor"', ' ', '\n', '\r', '"', '\\', '\ufeff', '\u2028', '\u0000', '\ud800', 'é',
      ),
      { maxLength: 120 },
    ),
  )
  .map(([prefix, tokens]) => prefix + tokens.join(''));

/** Deep nesting of arrays/objects inside an entry, balanced or not, far past the 1,000-level limit. */
const deepArb = fc
  .tuple(fc.integer({ min: 1, max: 60_000 }), fc.constantFrom('[', '{"k":'), fc.boolean())
  .map(([n, open, balanced]) => `{"mcpServers":{"a":${open.repeat(n)}1${balanced ? (open === '[' ? ']' : '}').repeat(n) : ''}}}`);

/** Huge and odd numbers in every position of an entry. */
const numbersArb = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('', '-'), fc.constantFrom('e400', 'e-400', '.5', 'e+99999999999', ''))
  .map(([digits, sign, tail]) => {
    const n = `${sign}${'9'.repeat(digits)}${tail}`;
    return `{"mcpServers":{"a":{"command":"x","timeout":${n},"args":[${n}],"env":{"N":${n}}}}}`;
  });

const parserInputArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.uint8Array({ maxLength: 400 }),
  tokenSoupArb,
  tokenSoupArb.map((s) => Buffer.from(s, 'utf8')),
  deepArb,
  numbersArb,
  fc.json({ maxDepth: 4 }).map((j) => `{"mcpServers":{"a":${j}}}`),
);

test('parseConfigText never throws, never hangs, and every server it returns can be fingerprinted', (t) => {
  const locs: ConfigLocation[] = [
    locationFor('cursor', '/ws/.cursor/mcp.json', '/ws'),
    locationFor('vscode', '/ws/.vscode/mcp.json', '/ws'),
    { host: 'claude-code', scope: 'user', path: '/home/u/.claude.json', jsonc: false, serverSections: [['mcpServers'], ['projects', '*', 'mcpServers']] },
  ];
  let slowest = 0;
  const runs = fuzzRuns(400);
  const t0 = performance.now();
  fc.assert(
    fc.property(parserInputArb, fc.nat(locs.length - 1), (input, li) => {
      const start = performance.now();
      const parsed = parseConfigText(input, locs[li]);
      const ms = performance.now() - start;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < MAX_PARSE_MS, `parse took ${ms} ms`);
      assert.match(parsed.contentHash, /^[0-9a-f]{64}$/);
      for (const e of parsed.errors) {
        assert.equal(typeof e.message, 'string');
        if (e.line !== undefined) assert.ok(e.line >= 1 && (e.column ?? 0) >= 1, JSON.stringify(e));
      }
      for (const s of parsed.servers) {
        assert.equal(typeof s.name, 'string');
        // The pin must exist for every server listed (an unpinnable entry would be unapprovable or skipped).
        assert.match(canonicalHash(pinnedSpec(s)), /^[0-9a-f]{64}$/);
        assert.ok(!s.pointer || s.pointer.startsWith('/'));
      }
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  report(t, `parser (slowest input ${slowest.toFixed(1)} ms)`, runs * 1, performance.now() - t0);
});

/** YAML- and TOML-shaped soup: the formats' own punctuation, anchors/aliases, tables, and server-ish keys. */
const structuredSoupArb = fc
  .array(
    fc.oneof(
      fc.constantFrom('mcpServers', 'mcp_servers', 'extensions', 'name', 'command', 'args', 'env', 'cmd', 'envs', 'url', 'type', 'stdio'),
      fc.constantFrom(':', ': ', '- ', '\n', '\n  ', '  ', '[', ']', '[[', ']]', '{', '}', ',', '=', ' = ', '.', '"', "'", '#', '&a ', '*a', '!!str ', '---\n', '...', '|\n', '>-\n', '? ', '\t', '\\', '"""', "'''"),
      fc.constantFrom('1979-05-27T07:32:00Z', '1e400', 'inf', 'nan', '0x1F', '9223372036854775808', 'true', 'null', '~', '__proto__', '\u0000', '\ufeff'),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 120 },
  )
  .map((parts) => parts.join(''));

/** Valid-looking documents of both formats, mutated by a random splice, and a YAML alias bomb. */
const structuredArb = fc.oneof(
  structuredSoupArb,
  fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(60), structuredSoupArb).map(([j, at, junk]) => {
    const doc = `mcpServers:\n  - name: a\n    command: node\n    args: [${j}]\n`;
    return doc.slice(0, at) + junk + doc.slice(at);
  }),
  fc.tuple(fc.json({ maxDepth: 3 }), fc.nat(60), structuredSoupArb).map(([j, at, junk]) => {
    const doc = `[mcp_servers.a]\ncommand = "node"\nargs = ${JSON.stringify([j])}\n[mcp_servers.a.env]\nK = "v"\n`;
    return doc.slice(0, at) + junk + doc.slice(at);
  }),
  fc.nat({ max: 6 }).map((n) => {
    let doc = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i <= n; i++) doc += `a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]\n`;
    return `${doc}extensions:\n  bomb:\n    cmd: node\n    args: *a${n}\n`;
  }),
);

test('YAML and TOML configs: parseConfigText never throws, never hangs, caps alias expansion, and every server can be pinned', (t) => {
  const locs: ConfigLocation[] = [
    { host: 'continue', scope: 'workspace', path: '/ws/.continue/mcpServers/x.yaml', workspaceFolder: '/ws', jsonc: false, serverSections: [['mcpServers']], format: 'yaml', listNameKey: 'name' },
    { host: 'goose', scope: 'user', path: '/home/u/.config/goose/config.yaml', jsonc: false, serverSections: [['extensions']], format: 'yaml' },
    { host: 'codex', scope: 'workspace', path: '/ws/.codex/config.toml', workspaceFolder: '/ws', jsonc: false, serverSections: [['mcp_servers']], format: 'toml' },
  ];
  let slowest = 0;
  const runs = fuzzRuns(400);
  const t0 = performance.now();
  fc.assert(
    fc.property(fc.oneof(structuredArb, structuredArb.map((x) => Buffer.from(x, 'utf8'))), fc.nat(locs.length - 1), (input, li) => {
      const start = performance.now();
      const parsed = parseConfigText(input, locs[li]);
      const ms = performance.now() - start;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < MAX_PARSE_MS, `parse took ${ms} ms`);
      for (const e of parsed.errors) {
        assert.equal(typeof e.message, 'string');
        if (e.line !== undefined) assert.ok(e.line >= 1 && (e.column ?? 0) >= 1, JSON.stringify(e));
      }
      for (const s of parsed.servers) {
        assert.equal(typeof s.name, 'string');
        assert.match(canonicalHash(pinnedSpec(s)), /^[0-9a-f]{64}$/);
        assert.ok(s.pointer.startsWith('/'));
        assert.ok(s.range.offset >= 0 && s.range.line >= 1);
      }
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  report(t, `YAML/TOML parser (slowest input ${slowest.toFixed(1)} ms)`, runs, performance.now() - t0);
});

// ---------------------------------------------------------------------------------------------------------
// 2. The fingerprint: never ignores a semantic change, never moves on a cosmetic edit

test('the fingerprint changes whenever ONE field of an entry changes (string, number, key added/removed, array reordered)', async (t) => {
  const ws = tempDir(t);
  put(join(ws, 'server.js'), 'console.log(1)\n');
  put(join(ws, '.env'), 'A=1\n');
  const home = join(ws, 'home');
  const loc = cursorLoc(ws);
  const fpOf = async (entry: unknown) => {
    const spec = onlyServer(JSON.stringify({ mcpServers: { srv: entry } }), loc);
    return fingerprintServer(spec, { home, roots: [ws] });
  };
  const runs = fuzzRuns(300);
  let mutations = 0;
  const t0 = performance.now();
  await fc.assert(
    fc.asyncProperty(entryArb, fc.nat(), fc.nat(), jsonArb, keyArb, async (entry, site, kind, fresh, freshKey) => {
      const mutated = mutateOnce(entry, site, kind, fresh, freshKey);
      fc.pre(mutated !== undefined && !jsonEqual(norm(entry), norm(mutated)));
      mutations++;
      const [a, b] = [await fpOf(entry), await fpOf(mutated)];
      assert.notEqual(a.specHash, b.specHash, `specHash ignored a change:\n${JSON.stringify(entry)}\n${JSON.stringify(mutated)}`);
      assert.notEqual(a.fingerprint, b.fingerprint);
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  assert.ok(mutations >= runs, `${mutations} mutations checked`);
  report(t, `fingerprint / semantic change (${mutations} mutations checked)`, runs, performance.now() - t0);
});

test('the spec hash does not move on a cosmetic edit (whitespace, comments, key order, escapes); the source hash does', async (t) => {
  const ws = tempDir(t);
  const home = join(ws, 'home');
  const runs = fuzzRuns(300);
  let cosmeticRuns = 0;
  const t0 = performance.now();
  await fc.assert(
    fc.asyncProperty(entryArb, fc.integer(), fc.boolean(), async (entry, seed, jsonc) => {
      const loc = jsonc ? vscodeLoc(ws) : cursorLoc(ws);
      const section = jsonc ? 'servers' : 'mcpServers';
      const doc = objectOf([[section, objectOf([['srv', entry]])]]);
      const plain = onlyServer(JSON.stringify(doc), loc);
      const styled = onlyServer(restyle(doc, seed, jsonc), loc);
      const [a, b] = [await fingerprintServer(plain, { home, roots: [ws] }), await fingerprintServer(styled, { home, roots: [ws] })];
      assert.equal(b.specHash, a.specHash, `cosmetic edit moved the spec hash:\n${plain.sourceText}\n${styled.sourceText}`);
      assert.equal(b.fingerprint, a.fingerprint);
      assert.equal(b.sourceHash !== a.sourceHash, styled.sourceText !== plain.sourceText, 'source hash follows the entry bytes');
      if (styled.sourceText !== plain.sourceText) cosmeticRuns++;
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  assert.ok(cosmeticRuns > runs / 2, `most runs changed the bytes (${cosmeticRuns}/${runs})`);
  report(t, `fingerprint / cosmetic edit (${cosmeticRuns} with different bytes)`, runs, performance.now() - t0);
});

// ---------------------------------------------------------------------------------------------------------
// 3. diffJson: a change exactly when the values differ, and the changes rebuild `after`

const TOMB = Symbol('removed');

/** Applies diffJson's changes to a copy of `before` (RFC 6901 pointers; a change without `after` removes). */
function applyChanges(before: unknown, changes: Change[]): unknown {
  let root = cloneJson(before);
  const decode = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');
  for (const c of changes) {
    const tokens = c.pointer === '' ? [] : c.pointer.slice(1).split('/').map(decode);
    const value = 'after' in c ? cloneJson(c.after) : TOMB;
    if (!tokens.length) {
      root = value;
      continue;
    }
    let cur = root as Record<string, unknown>;
    for (const tok of tokens.slice(0, -1)) cur = cur[tok] as Record<string, unknown>;
    const last = tokens[tokens.length - 1];
    if (Array.isArray(cur)) cur[Number(last)] = value;
    else if (value === TOMB) delete cur[last];
    else setOwn(cur, last, value);
  }
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.filter((x) => x !== TOMB).map(strip);
    if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) setOwn(v as Record<string, unknown>, k, strip((v as Record<string, unknown>)[k]));
    return v;
  };
  return strip(root);
}

test('diffJson reports a change exactly when jsonEqual says the values differ, and its changes turn before into after', (t) => {
  const runs = fuzzRuns(1000);
  const pairArb = fc.oneof(
    fc.tuple(jsonArb, jsonArb),
    fc.tuple(entryArb, fc.nat(), fc.nat(), jsonArb, keyArb).map(([e, s, k, f, fk]) => [e, mutateOnce(e, s, k, f, fk) ?? e] as [unknown, unknown]),
    jsonArb.map((v) => [v, cloneJson(v)] as [unknown, unknown]),
  );
  const t0 = performance.now();
  fc.assert(
    fc.property(pairArb, ([a, b]) => {
      const changes = diffJson(a, b);
      assert.equal(changes.length === 0, jsonEqual(a, b), JSON.stringify({ a, b, changes }));
      assert.ok(jsonEqual(applyChanges(a, changes), b), `changes do not rebuild after: ${JSON.stringify({ a, b, changes })}`);
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  // Depth far beyond the walk's limit, and wide values beyond the change cap: no throw, still "differs".
  const deep = (n: number, leaf: unknown) => {
    let v: unknown = leaf;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
    return v;
  };
  assert.ok(diffJson(deep(50_000, 1), deep(50_000, 2)).length > 0);
  assert.equal(diffJson(Array.from({ length: 5000 }, (_, i) => i), []).length, 1000);
  report(t, 'diffJson', runs, performance.now() - t0);
});

// ---------------------------------------------------------------------------------------------------------
// 4. evaluateServer on random specs and records: never throws, never approves what was not approved

const hexArb = fc.constantFrom('a', 'b', 'c').map((c) => c.repeat(64));

const filesArb = fc.array(
  fc.record({
    path: fc.constantFrom('/ws/a.js', '/ws/.env'),
    ref: fc.constantFrom('a.js', '.env', 'x/~y'),
    via: fc.constantFrom('command', 'arg', 'envFile', 'cwd') as fc.Arbitrary<ReferencedFile['via']>,
    sha256: fc.option(hexArb, { nil: null }),
    size: fc.option(fc.nat(), { nil: null }),
  }),
  { maxLength: 3 },
);

const specArb: fc.Arbitrary<ServerSpec> = fc
  .record({ name: keyArb, raw: fc.oneof(entryArb, jsonArb), dup: fc.boolean(), file: fc.constantFrom('/ws/.cursor/mcp.json', '/ws/.mcp.json') })
  .map(({ name, raw, dup, file }) => ({
    host: 'cursor',
    scope: 'workspace',
    configFile: file,
    name,
    pointer: `/mcpServers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
    transport: 'stdio',
    raw,
    duplicateKeys: dup ? [{ pointer: '/command', values: ['a', 'b'] }] : [],
    range: { offset: 0, length: 0, line: 1, column: 1 },
    sourceText: JSON.stringify(raw) ?? '',
  }));

test('evaluateServer never throws on random specs and stores, and approves only an approved, identical fingerprint', (t) => {
  const runs = fuzzRuns(1000);
  const t0 = performance.now();
  fc.assert(
    fc.property(
      specArb,
      fc.record({ fingerprint: hexArb, specHash: hexArb, sourceHash: hexArb, files: filesArb }),
      fc.array(
        fc.record({
          own: fc.boolean(),
          name: keyArb,
          decision: fc.constantFrom('approved', 'denied') as fc.Arbitrary<'approved' | 'denied'>,
          fingerprint: hexArb,
          sourceHash: hexArb,
          spec: jsonArb,
          files: filesArb,
          dups: fc.boolean(),
        }),
        { maxLength: 4 },
      ),
      fc.boolean(),
      (spec, fp, recs, strict) => {
        const data: TrustStoreData = emptyStore();
        for (const r of recs) {
          const configFile = r.own ? spec.configFile : '/other/mcp.json';
          const pointer = r.own ? spec.pointer : `/mcpServers/${r.name}`;
          const rec: TrustRecord = {
            configFile, name: r.own ? spec.name : r.name, pointer, host: 'cursor', decision: r.decision, fingerprint: r.fingerprint,
            specHash: r.fingerprint, sourceHash: r.sourceHash, spec: r.spec, files: r.files, decidedAt: new Date(0).toISOString(),
          };
          if (r.dups) rec.duplicateKeys = [{ pointer: '/command', values: ['x', 'y'] }];
          data.records[recordKey(configFile, pointer)] = rec;
        }
        const rep = evaluateServer(spec, fp, data, { strict });
        const own = data.records[recordKey(spec.configFile, spec.pointer)];
        assert.ok(['new', 'approved', 'changed', 'denied'].includes(rep.state));
        if (!own) assert.equal(rep.state, 'new');
        if (rep.state === 'approved') {
          assert.equal(own?.decision, 'approved');
          assert.equal(own?.fingerprint, fp.fingerprint);
          if (strict) assert.equal(own?.sourceHash, fp.sourceHash);
        }
        if (own?.decision === 'denied') assert.equal(rep.state, 'denied');
        if (own?.decision === 'approved' && own.fingerprint !== fp.fingerprint) assert.equal(rep.state, 'changed');
        if (rep.sameAs) {
          const other = data.records[recordKey(rep.sameAs.configFile, `/mcpServers/${rep.sameAs.name}`)];
          assert.ok(other && other.decision === 'approved' && other.fingerprint === fp.fingerprint, 'sameAs names an approved record with this fingerprint');
        }
        canonicalJson(rep.changes);
      },
    ),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  report(t, 'evaluateServer', runs, performance.now() - t0);
});

test('a full scan of random config files never throws (every config is reported as servers or errors)', async (t) => {
  const ws = tempDir(t);
  const home = join(ws, 'home');
  const runs = fuzzRuns(40);
  const t0 = performance.now();
  await fc.assert(
    fc.asyncProperty(parserInputArb, parserInputArb, async (a, b) => {
      put(join(ws, '.cursor/mcp.json'), a);
      put(join(ws, '.vscode/mcp.json'), b);
      const r = await scanConfigs({ workspaceFolders: [ws], home, includeUser: false }, emptyStore());
      assert.equal(r.files.length >= 2, true);
      for (const s of r.servers) assert.ok(s.state === 'new');
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  report(t, 'scanConfigs', runs, performance.now() - t0);
});
