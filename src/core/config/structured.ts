/**
 * Parsing of the non-JSON formats hosts use — YAML (Continue, Goose) with `yaml`, TOML (Codex) with `smol-toml` —
 * into the same {@link ParsedConfig} as the JSON parser: servers with source positions, errors with line and
 * column, duplicate keys a high finding with every value pinned. Both are hostile input: the nesting, the number
 * of nodes and YAML aliases are capped, and no byte sequence makes them throw.
 */
import { parse as parseTomlText, TomlDate, TomlError } from 'smol-toml';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { escapePointerToken } from '../checks/pointer';
import { ANY_KEY, HOSTS } from '../hosts';
import type { ConfigError, ConfigLocation, DuplicateKey, Finding, ServerSpec, SourceRange } from '../types';
import { computeLineStarts, positionAt } from './lines';
import { normalizeEntry } from './normalize';
import { describeValue, hasOwn, isObject, preview, setOwn } from './values';

/** Deepest nesting converted; deeper values make the file an error (no host config needs them). */
const MAX_DEPTH = 1000;
/** Most YAML nodes converted (aliases count each time they are expanded): a "billion laughs" stops here. */
const MAX_NODES = 100_000;

/** Start and end offsets (UTF-16) of a value in the text. */
type Span = [start: number, end: number];

/** A document converted to plain JSON-like values, with what the servers need to know about positions. */
interface Tree {
  root: unknown;
  /** Spans of values by absolute RFC 6901 pointer (only where known). */
  spans: Map<string, Span>;
  /** Duplicate keys by absolute pointer of the duplicated member, every value in source order. */
  dups: Map<string, unknown[]>;
}

class LimitError extends Error {}

/** A scalar as JSON can hold it: infinities and NaN as strings, big integers and dates as strings. */
function jsonScalar(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof TomlDate) return v.toISOString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v === undefined) return null;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// YAML

function yamlTree(doc: Document.Parsed): Tree {
  const spans = new Map<string, Span>();
  const dups = new Map<string, unknown[]>();
  let nodes = 0;
  // `Alias.resolve` searches the document for its anchor; each alias is resolved once.
  const resolved = new Map<YamlNode, unknown>();
  const convert = (node: unknown, pointer: string, depth: number, aliases: number): unknown => {
    if (++nodes > MAX_NODES) throw new LimitError(`more than ${MAX_NODES} YAML nodes (aliases expanded); not parsed`);
    if (depth > MAX_DEPTH) throw new LimitError(`values are nested more than ${MAX_DEPTH} levels deep; not parsed`);
    if (node === null || node === undefined) return null;
    const n = node as YamlNode;
    if (n.range && depth <= 4) spans.set(pointer, [n.range[0], n.range[1]]);
    if (isAlias(n)) {
      if (aliases > 50) throw new LimitError('YAML aliases nested more than 50 deep; not parsed');
      let target = resolved.get(n);
      if (target === undefined) resolved.set(n, (target = n.resolve(doc) ?? null));
      return convert(target, pointer, depth, aliases + 1);
    }
    if (isScalar(n)) return jsonScalar(n.value);
    if (isSeq(n)) return n.items.map((item, i) => convert(item, `${pointer}/${i}`, depth + 1, aliases));
    if (isMap(n)) {
      const out: Record<string, unknown> = {};
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const k = isScalar(item.key) ? item.key.value : item.key;
        const key = typeof k === 'string' ? k : k === null || k === undefined ? '' : typeof k === 'object' ? JSON.stringify(convert(k, pointer, depth + 1, aliases)) : String(k);
        const child = `${pointer}/${escapePointerToken(key)}`;
        const value = convert(item.value, child, depth + 1, aliases);
        if (hasOwn(out, key)) {
          const seen = dups.get(child);
          if (seen) seen.push(value);
          else dups.set(child, [out[key], value]);
        }
        setOwn(out, key, value);
      }
      return out;
    }
    return null;
  };
  return { root: convert(doc.contents, '', 0, 0), spans, dups };
}

// ---------------------------------------------------------------------------------------------------------
// TOML

function tomlTree(value: unknown, text: string): Tree {
  const spans = new Map<string, Span>();
  let nodes = 0;
  const convert = (v: unknown, depth: number): unknown => {
    if (++nodes > MAX_NODES) throw new LimitError(`more than ${MAX_NODES} TOML values; not parsed`);
    if (depth > MAX_DEPTH) throw new LimitError(`values are nested more than ${MAX_DEPTH} levels deep; not parsed`);
    if (Array.isArray(v)) return v.map((x) => convert(x, depth + 1));
    if (v !== null && typeof v === 'object' && !(v instanceof TomlDate) && !(v instanceof Date)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) setOwn(out, k, convert(x, depth + 1));
      return out;
    }
    return jsonScalar(v);
  };
  const root = convert(value, 0);
  // smol-toml keeps no positions: an entry's span runs from its table header (`[a.b]`, any quoting) to the next
  // header. Entries written inline (`b = { … }`) get the span of their key line.
  const headers = [...text.matchAll(/^[ \t]*\[\[?([^\]\r\n]*)\]\]?[ \t]*(?:#[^\r\n]*)?$/gm)].map((m) => ({ offset: m.index ?? 0, path: splitDotted(m[1]) }));
  const spanOf = (path: string[]): Span | undefined => {
    const i = headers.findIndex((h) => h.path.length === path.length && h.path.every((p, k) => p === path[k]));
    if (i >= 0) {
      const next = headers.slice(i + 1).find((h) => !(h.path.length > path.length && path.every((p, k) => h.path[k] === p)));
      return [headers[i].offset, next ? next.offset : text.length];
    }
    return undefined;
  };
  const walk = (v: unknown, path: string[], depth: number) => {
    if (depth > 3 || !isObject(v)) return;
    for (const k of Object.keys(v)) {
      const p = [...path, k];
      const s = spanOf(p);
      if (s) spans.set('/' + p.map((t) => escapePointerToken(t)).join('/'), s);
      walk(v[k], p, depth + 1);
    }
  };
  walk(root, [], 0);
  return { root, spans, dups: new Map() };
}

/** The keys of a TOML table header (`a."b.c".d` → `a`, `b.c`, `d`); escapes in basic strings are decoded. */
function splitDotted(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  for (let m = re.exec(s); m && m[0] !== ''; m = re.exec(s)) {
    if (m[1] !== undefined) {
      try {
        out.push(JSON.parse(`"${m[1]}"`) as string);
      } catch {
        out.push(m[1]);
      }
    } else out.push(m[2] ?? m[3]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Servers from a tree

/**
 * Parses a YAML or TOML config as its host reads it (see the module doc). Pure and total.
 * @param text the decoded text (BOM removed).
 * @param findings file-level findings are appended here.
 * @returns the servers in source order and the errors.
 */
export function parseStructured(text: string, location: ConfigLocation, findings: Finding[]): { servers: ServerSpec[]; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const starts = computeLineStarts(text);
  const at = (message: string, offset?: number): ConfigError => ({ configFile: location.path, message, ...(offset !== undefined ? positionAt(starts, offset) : {}) });
  let tree: Tree;
  try {
    if (location.format === 'toml') {
      let value: unknown;
      try {
        value = parseTomlText(text);
      } catch (e) {
        if (e instanceof TomlError) {
          const first = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
          const dup = /redefine/.test(first);
          errors.push({ configFile: location.path, message: dup ? `${first}: a duplicate key makes the whole file invalid TOML, and the host loads none of its servers` : first, line: e.line, column: e.column });
          return { servers: [], errors };
        }
        throw e;
      }
      tree = tomlTree(value, text);
    } else {
      const lc = new LineCounter();
      const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lc, prettyErrors: false, strict: true });
      for (const e of doc.errors.slice(0, 20)) {
        const p = lc.linePos(e.pos[0]);
        errors.push({ configFile: location.path, message: e.message.split('\n')[0], line: p.line, column: p.col });
      }
      for (const w of doc.warnings.slice(0, 5)) findings.push({ ruleId: 'malformed-entry', severity: 'low', message: `YAML: ${w.message.split('\n')[0]}`, pointer: '' });
      tree = yamlTree(doc);
    }
  } catch (e) {
    if (e instanceof LimitError || e instanceof RangeError) {
      errors.push(at(e instanceof LimitError ? e.message : `values are nested too deeply; not parsed`));
      return { servers: [], errors };
    }
    errors.push(at(`internal error while parsing: ${e instanceof Error ? e.message : String(e)}`));
    return { servers: [], errors };
  }
  for (const [pointer, values] of tree.dups) {
    findings.push({
      ruleId: 'duplicate-key',
      severity: 'high',
      message: `the key "${pointer.slice(pointer.lastIndexOf('/') + 1)}" appears ${values.length} times (${values.map(preview).join(', ')}); YAML parsers disagree on which one wins (the last is listed), so every value is pinned`,
      pointer,
    });
  }
  return { servers: serversOf(tree, text, starts, location, findings), errors };
}

function serversOf(tree: Tree, text: string, starts: number[], location: ConfigLocation, findings: Finding[]): ServerSpec[] {
  const host = HOSTS[location.host];
  const out: ServerSpec[] = [];
  const visit = (value: unknown, section: readonly string[], pointer: string, workspaceFolder: string | undefined) => {
    if (section.length === 0) {
      collect(value, pointer, workspaceFolder);
      return;
    }
    if (!isObject(value)) return;
    const [seg, ...rest] = section;
    for (const key of seg === ANY_KEY ? Object.keys(value) : hasOwn(value, seg) ? [seg] : []) {
      visit(value[key], rest, `${pointer}/${escapePointerToken(key)}`, seg === ANY_KEY ? key : workspaceFolder);
    }
  };
  const collect = (section: unknown, pointer: string, workspaceFolder: string | undefined) => {
    let entries: [name: string, pointer: string, value: unknown][];
    if (Array.isArray(section) && location.listNameKey !== undefined) {
      const nameKey = location.listNameKey;
      entries = section.map((v, i) => [isObject(v) && typeof v[nameKey] === 'string' ? (v[nameKey] as string) : `#${i}`, `${pointer}/${i}`, v]);
    } else if (isObject(section)) {
      entries = Object.keys(section).map((k) => [k, `${pointer}/${escapePointerToken(k)}`, section[k]]);
    } else {
      if (section !== undefined) findings.push({ ruleId: 'malformed-entry', severity: 'medium', message: `the servers section is ${describeValue(section)}, not ${location.listNameKey ? 'a list' : 'a map'}; no servers are read from it`, pointer });
      return;
    }
    for (const [name, p, value] of entries) {
      const span = tree.spans.get(p) ?? tree.spans.get(pointer) ?? [0, text.length];
      const range: SourceRange = { offset: span[0], length: span[1] - span[0], ...positionAt(starts, span[0]) };
      const duplicateKeys: DuplicateKey[] = [];
      for (const [dp, values] of tree.dups) if (dp === p || dp.startsWith(p + '/')) duplicateKeys.push({ pointer: dp.slice(p.length), values });
      const spec: ServerSpec = {
        host: location.host,
        scope: location.scope,
        configFile: location.path,
        name,
        pointer: p,
        ...normalizeEntry(host, name, value, p, findings),
        raw: value,
        duplicateKeys,
        range,
        sourceText: text.slice(span[0], span[1]),
      };
      const wf = workspaceFolder ?? location.workspaceFolder;
      if (wf !== undefined) spec.workspaceFolder = wf;
      if (location.alsoReadBy?.length) spec.alsoReadBy = [...location.alsoReadBy];
      out.push(spec);
    }
  };
  for (const section of location.serverSections) visit(tree.root, section, '', undefined);
  return out.sort((a, b) => a.range.offset - b.range.offset);
}
