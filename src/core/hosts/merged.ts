/**
 * Readers for the sources hosts merge into a launch (see `HostAdapter.collectMerged`): JSONC members next to a
 * servers section, an `env` member of a settings file, a dotenv file. Adapters combine them; nothing here knows a host.
 */
import { parse as parseJsonc } from 'jsonc-parser';
import { setNewest } from '../boundedMap';
import { sha256Hex } from '../fingerprint/canonical';
import { parseDotenv } from '../launch/dotenv';
import type { ServerSpec } from '../types';
import type { MergedIo } from './types';

/** How many texts {@link jsoncAt} keeps parsed (a scan evaluates up to 16 files at once), and the longest kept. */
const PARSED_TEXTS = 32;
const PARSED_TEXT_MAX_CHARS = 256 * 1024;
/** Texts {@link jsoncAt} parsed lately and their values, oldest first: the servers of one file ask about one text. */
const parsedTexts = new Map<string, unknown>();

/**
 * The value at RFC 6901 `pointer` of a JSONC text, or `undefined`. The parses of the last {@link PARSED_TEXTS}
 * texts (up to 256 Ki characters each) are kept, so the returned value may be shared with other callers: read it, never change it.
 */
export function jsoncAt(text: string, pointer: string): unknown {
  let v: unknown = parsedTexts.get(text);
  if (v === undefined && !parsedTexts.has(text)) {
    v = parseJsonc(text, [], { allowTrailingComma: true, disallowComments: false });
    if (text.length <= PARSED_TEXT_MAX_CHARS) {
      setNewest(parsedTexts, text, v, PARSED_TEXTS);
    }
  }
  for (const t of pointer.split('/').slice(1).map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, t)) return undefined;
    v = (v as Record<string, unknown>)[t];
  }
  return v;
}

/** The pointer of the object that holds a server's section (`/servers/x` → ``, `/settings/mcp/servers/x` → `/settings/mcp`). */
export function sectionParent(spec: ServerSpec): string {
  return spec.pointer.split('/').slice(0, -2).join('/');
}

/** The ids of `${input:id}` variables anywhere in the entry, sorted, without duplicates. */
export function inputIds(raw: unknown): string[] {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? '';
  } catch {
    return [];
  }
  return [...new Set([...text.matchAll(/\$\{input:([^}]*)\}/g)].map((m) => m[1]))].sort();
}

/**
 * Values of an environment map as SHA-256 hashes (hex): what is pinned of env-like sources, so a change of any value
 * is seen and named by its key, while the trust store holds no secret of a `.env` or a settings file.
 */
export function hashedValues(env: unknown): Record<string, string> | null {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    let text: string;
    try {
      text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
    } catch {
      text = String(v);
    }
    out[k] = `sha256:${sha256Hex(text)}`;
  }
  return out;
}

/**
 * The `env` member of each settings file that exists, its values hashed (label → env, or `null` when the file has
 * none). Labels are workspace-relative, so a repository checked out elsewhere pins the same.
 */
export async function settingsEnv(io: MergedIo, files: readonly (readonly [label: string, path: string])[]): Promise<Record<string, unknown> | undefined> {
  const out: Record<string, unknown> = {};
  for (const [label, f] of files) {
    const text = await io.readText(f);
    if (text === undefined) continue;
    out[label] = hashedValues(jsoncAt(text, '/env'));
  }
  return Object.keys(out).length ? out : undefined;
}

/** The first dotenv file of `candidates` that exists: `{ file: label, values: hashed }`, or `undefined`. */
export async function firstDotenv(io: MergedIo, candidates: readonly (readonly [label: string, path: string])[]): Promise<{ file: string; values: Record<string, string> | null } | undefined> {
  for (const [label, f] of candidates) {
    const text = await io.readText(f);
    if (text !== undefined) return { file: label, values: hashedValues({ ...parseDotenv(text) }) };
  }
  return undefined;
}
