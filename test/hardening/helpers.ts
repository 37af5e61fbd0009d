/**
 * Shared helpers of the hardening suites: fuzzing settings (fixed seed, bounded runs, overridable from the
 * environment), config locations, and JSON generators/mutators/serializers used by the properties.
 *
 * Longer fuzzing runs: `FUZZ_RUNS=100000 FUZZ_SEED=7 node scripts/run-tests.mjs test/hardening/fuzz.test.ts`
 * (`FUZZ_RUNS` multiplies nothing: it replaces every property's run count; `FUZZ_SEED` replaces the seed 42).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConfigLocation, HostId } from '../../src/core/types';

/** The seed of every property (CI is deterministic); `FUZZ_SEED` overrides it. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 42);

/** Run count of a property: `FUZZ_RUNS` when set, else the given CI default. */
export function fuzzRuns(ciDefault: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : ciDefault;
}

/** A config location for `host` (workspace scope) at `file`, reading both `servers` and `mcpServers`. */
export function locationFor(host: HostId, file: string, workspaceFolder?: string): ConfigLocation {
  const own = host === 'vscode' ? 'servers' : 'mcpServers';
  return {
    host,
    scope: 'workspace',
    path: file,
    workspaceFolder,
    jsonc: host === 'vscode' || host === 'gemini-cli',
    serverSections: [[own], [own === 'servers' ? 'mcpServers' : 'servers']],
  };
}

/** A fresh temp directory, removed when the test ends. */
export function tempDir(t: { after(fn: () => void): void }, prefix = 'mtg-hard-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes `content` to `file`, creating its parent directories. Returns `file`. */
export function put(file: string, content: string | Uint8Array): string {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

/** A tiny deterministic PRNG (mulberry32); `next()` is uniform in [0, 1). */
export function prng(seed: number): { next(): number; int(n: number): number } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

/** Sets an own enumerable data property, also for `__proto__`. */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Deep copy of a JSON value that keeps `__proto__` as an own member. */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(out, k, cloneJson((v as Record<string, unknown>)[k]));
    return out as T;
  }
  return v;
}

/** One container (object or array) or leaf inside a JSON value, with the path to it. */
interface Site {
  path: (string | number)[];
  value: unknown;
}

/** Every position in `v` (the root included), depth-first. */
export function sitesOf(v: unknown, path: (string | number)[] = [], out: Site[] = []): Site[] {
  out.push({ path, value: v });
  if (Array.isArray(v)) v.forEach((x, i) => sitesOf(x, [...path, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) sitesOf((v as Record<string, unknown>)[k], [...path, k], out);
  return out;
}

/** Replaces the value at `path` in `root` (which is modified) by `value`; the root itself when `path` is empty. */
export function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  let cur = root as Record<string | number, unknown>;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (Array.isArray(cur)) cur[last as number] = value;
  else setOwn(cur as Record<string, unknown>, String(last), value);
  return root;
}

/**
 * Serializes a JSON value the way a person or another tool might have written it, with the same meaning:
 * random whitespace (spaces, tabs, CR/LF) between tokens, object keys in a random order, random characters of
 * strings written as `\uXXXX` escapes (and `/` as `\/`), and, when `comments` is set, `//` and block
 * comments between tokens (for JSONC hosts). Deterministic for a given `seed`.
 */
export function restyle(value: unknown, seed: number, comments: boolean): string {
  const r = prng(seed);
  const ws = () => {
    const pieces = [' ', '  ', '\t', '\n', '\r\n', '\n    '];
    let s = '';
    const n = r.int(3);
    for (let i = 0; i < n; i++) s += pieces[r.int(pieces.length)];
    if (comments && r.int(4) === 0) s += r.int(2) ? '/* c */' : '// note\n';
    return s;
  };
  const str = (s: string) => {
    let out = '"';
    for (const ch of s) {
      const code = ch.codePointAt(0) as number;
      if (ch === '"' || ch === '\\' || code < 0x20 || (code >= 0xd800 && code <= 0xdfff) || r.int(5) === 0) {
        // Escape every UTF-16 unit of the character (a lone surrogate can only be written this way).
        for (let i = 0; i < ch.length; i++) out += '\\u' + (r.int(2) ? ch.charCodeAt(i).toString(16) : ch.charCodeAt(i).toString(16).toUpperCase()).padStart(4, '0');
      } else if (ch === '/' && r.int(2)) out += '\\/';
      else out += ch;
    }
    return out + '"';
  };
  const go = (v: unknown): string => {
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => go(x) + ws()).join(`,${ws()}`)}]`;
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i > 0; i--) {
        const j = r.int(i + 1);
        [keys[i], keys[j]] = [keys[j], keys[i]];
      }
      return `{${ws()}${keys.map((k) => `${str(k)}${ws()}:${ws()}${go((v as Record<string, unknown>)[k])}${ws()}`).join(`,${ws()}`)}}`;
    }
    if (typeof v === 'string') return str(v);
    return JSON.stringify(v);
  };
  return go(value);
}
