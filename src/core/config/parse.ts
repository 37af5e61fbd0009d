import { createScanner, parse as parseJsonc, printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';
import { escapePointerToken, lastPointerToken } from '../checks/pointer';
import { QUARANTINE_KEY } from '../edit/quarantine';
import { sha256Hex } from '../fingerprint/canonical';
import { setNewest } from '../boundedMap';
import type { FileSystemPort } from '../ports';
import { nodeFileSystem } from '../ports/nodeFs';
import type { ConfigError, ConfigLocation, DuplicateKey, Finding, ParsedConfig, ServerSpec, SourceRange } from '../types';
import { ANY_KEY, HOSTS, hostReadsSection, serversKeyOf, type HostAdapter, type HostSyntax } from '../hosts';
import { computeLineStarts, positionAt } from './lines';
import { normalizeEntry } from './normalize';
import { parseStructured } from './structured';
import { describeValue, hasOwn, isObject, preview, setOwn } from './values';

/** Default size cap of a config file: 1 MiB. Hosts' own configs are a few KiB. */
export const DEFAULT_MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Deepest nesting of a server entry's value that is parsed. Deeper values make the whole file an error: no
 * host config needs them, and jsonc-parser's recursive descent overflows the stack at a few thousand levels.
 */
export const MAX_NESTING = 1000;

/** Syntax errors reported per file; a garbage file can have one per character. */
const MAX_ERRORS = 20;

/** The syntax the host of `location` accepts: `location.jsonc` switches comments on, the host table the rest. */
export function syntaxOf(location: ConfigLocation): HostSyntax {
  const host = HOSTS[location.host].syntax;
  return { comments: location.jsonc, trailingCommas: location.jsonc && host.trailingCommas, emptyContent: location.jsonc && host.emptyContent };
}

/**
 * The default size cap for a file: what its host's adapter says (`maxBytes`, e.g. 256 MiB for Claude Code's
 * user-level state file), else {@link DEFAULT_MAX_CONFIG_BYTES} (workspace files above all).
 */
export function maxConfigBytes(location: ConfigLocation): number {
  return HOSTS[location.host].maxBytes?.(location) ?? DEFAULT_MAX_CONFIG_BYTES;
}

/**
 * Reads and parses one config file, never throwing. The file is `stat`ed first: a missing file, a directory, a
 * device/pipe/socket (which could block a read) or a file over `maxBytes` is a {@link ConfigError} and is not
 * read; otherwise at most `maxBytes + 1` bytes are read and handed to {@link parseConfigText}.
 *
 * @param location the file and how its host reads it.
 * @param fs file access (default: `node:fs`).
 * @param maxBytes size cap in bytes (default {@link maxConfigBytes}: 1 MiB unless the adapter says otherwise).
 * @returns the parsed config; `contentHash` is `""` when the file was not read whole.
 */
export async function readConfigFile(location: ConfigLocation, fs: FileSystemPort = nodeFileSystem, maxBytes = maxConfigBytes(location)): Promise<ParsedConfig> {
  const fail = (message: string): ParsedConfig => ({ location, servers: [], errors: [{ configFile: location.path, message }], findings: [], contentHash: '' });
  let bytes: Uint8Array;
  try {
    const st = await fs.stat(location.path);
    if (st.isDirectory) return fail('is a directory, not a file; not read');
    if (!st.isFile) return fail('is not a regular file (a device, pipe or socket); not read');
    if (st.size > maxBytes) return fail(overCapMessage(st.size, maxBytes));
    bytes = await fs.readFile(location.path, maxBytes);
    if (bytes.length > maxBytes) return fail(overCapMessage(Math.max(st.size, bytes.length), maxBytes, true));
  } catch (e) {
    return fail(describeFsError(e));
  }
  return parseConfigText(bytes, location);
}

/**
 * Parses the text of one config file as its host would and normalizes every server entry to a
 * {@link ServerSpec}. Pure and total: hostile input yields errors and findings, never an exception.
 *
 * - Bytes are decoded as UTF-8. A leading BOM is dropped (offsets, lines and columns count from the character
 *   after it). Invalid UTF-8 is decoded with U+FFFD replacement characters, as Node's `toString('utf8')` and
 *   Electron hosts decode it, and reported as a medium `invalid-utf8` finding.
 * - The syntax is the host's ({@link syntaxOf}): JSONC for VS Code, comments only for Gemini CLI, strict JSON
 *   elsewhere. Syntax errors are {@link ConfigError}s with 1-based line and column (UTF-16 code units). The
 *   servers jsonc-parser recovers are still listed, as VS Code itself uses what it recovers; for a
 *   strict-JSON host the file loads nothing, and listing them only pins more.
 * - Object keys are decoded as `JSON.parse` decodes them (`"comm\u0061nd"` is `command`). Duplicate keys keep
 *   the last value in `raw` (as `JSON.parse`); all values go to `duplicateKeys` and a high `duplicate-key`
 *   finding. A server name defined twice in a section gives a `duplicateKeys` entry with pointer `""`.
 * - `raw` objects are ordinary objects in which `__proto__` is an own data property, never the prototype.
 * - Numbers out of the double range (`1e400`, which `JSON.parse` reads as `Infinity`) are kept in `raw` as the
 *   strings `"Infinity"`/`"-Infinity"` so the entry still canonicalizes (RFC 8785 has no infinities).
 *
 * The parses of the last 4,096 inputs are kept by their SHA-256 and location (parsing is pure): the same bytes at
 * the same location give the same server entries (the same objects: never change them).
 *
 * @param input the file's bytes, or its already-decoded text.
 * @param location the file and how its host reads it.
 * @returns servers in source order, errors, file-level findings and the SHA-256 (hex) of `input` (of its
 *   UTF-8 encoding when a string is given).
 */
export function parseConfigText(input: string | Uint8Array, location: ConfigLocation): ParsedConfig {
  const contentHash = sha256Hex(input);
  const key = `${contentHash}\0${JSON.stringify(location)}`;
  let parsed = parsedFiles.get(key);
  if (!parsed) {
    parsed = parseUncached(input, location, contentHash);
    setNewest(parsedFiles, key, parsed, PARSED_FILES);
  }
  // The lists are the caller's; the server entries are shared between the parses of the same bytes (read them only).
  return { location, servers: parsed.servers.slice(), errors: parsed.errors.slice(), findings: parsed.findings.slice(), contentHash };
}

/** How many parses {@link parseConfigText} keeps (a scan of unchanged files parses none of them again). */
const PARSED_FILES = 4_096;
/** Parses by the SHA-256 of the bytes and the location's JSON text, oldest first. */
const parsedFiles = new Map<string, ParsedConfig>();

function parseUncached(input: string | Uint8Array, location: ConfigLocation, contentHash: string): ParsedConfig {
  const findings: Finding[] = [];
  let text = typeof input === 'string' ? input : decodeUtf8(input, findings);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (location.format === 'yaml' || location.format === 'toml') {
    const { servers, errors } = parseStructured(text, location, findings);
    return { location, servers, errors, findings, contentHash };
  }
  const parser = new ConfigParser(text, location, findings);
  let servers: ServerSpec[] = [];
  try {
    servers = nestedSectionServers(text, location, parser.parse(), findings);
    if (location.rootServersUnlessKey !== undefined) servers.push(...rootServers(text, location, findings));
  } catch (e) {
    if (e instanceof NestingError || e instanceof RangeError) {
      const offset = e instanceof NestingError ? e.offset : deepNestingOffset(text, MAX_NESTING);
      parser.errors.push(parser.errorAt(`values are nested more than ${MAX_NESTING} levels deep; not parsed`, offset));
    } else {
      parser.errors.push({ configFile: location.path, message: `internal error while parsing: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return { location, servers, errors: parser.errors, findings, contentHash };
}

/**
 * The servers of a section nested one level inside another section of the same file (OpenCode 2.0's
 * `mcp.servers` inside 1.x's `mcp`, see `hosts/opencode.ts`). The one-pass visitor reads the outer section, where
 * `servers` is a member like any other, so it comes back as one server named "servers". When that member is an
 * object none of whose type, command or URL members (the adapter's names) holds a string, array or other
 * non-object, it is the nested section (a 1.x server always has one, and a 1.x host refuses an entry without
 * one; a 2.0 server may itself be named `command`): the file is visited again with the nested section alone, its
 * servers replace the one "servers" entry, and the findings under its pointer replace that entry's. Otherwise the
 * member stays one server, as the older layout reads it (pinned whole, so a change anywhere in it is seen).
 *
 * @param servers what the first pass listed; returned as is when no section is nested.
 * @param findings the file's findings so far; entry findings under a replaced entry are replaced.
 * @returns the servers in source order.
 */
function nestedSectionServers(text: string, location: ConfigLocation, servers: ServerSpec[], findings: Finding[]): ServerSpec[] {
  const sections = location.serverSections;
  for (const inner of sections) {
    if (inner.includes(ANY_KEY) || !sections.some((outer) => outer.length === inner.length - 1 && outer.every((t, i) => t === inner[i]))) continue;
    const pointer = '/' + inner.map((t) => escapePointerToken(t)).join('/');
    const entry = servers.find((s) => s.pointer === pointer);
    const raw = entry?.raw;
    if (!entry || !isObject(raw) || launchMembers(location).some((k) => hasOwn(raw, k) && !isObject(raw[k]))) continue;
    const own: Finding[] = [];
    const nested = new ConfigParser(text, { ...location, serverSections: [inner] }, own).parse();
    const mine = (f: Finding) => f.pointer === pointer || f.pointer.startsWith(`${pointer}/`);
    const kept = findings.filter((f) => !mine(f));
    findings.splice(0, findings.length, ...kept, ...own.filter(mine));
    servers = [...servers.filter((s) => s !== entry), ...nested].sort((a, b) => a.range.offset - b.range.offset);
  }
  return servers;
}

/** The members that make an object a launchable entry for the host of `location`: its type, command and URL names. */
function launchMembers(location: ConfigLocation): string[] {
  const f = HOSTS[location.host].fields;
  return [...f.type, ...f.command, ...f.url];
}

/**
 * The servers VS Code (1.139, `workbench.js` `Ddt`) reads from a workspace-root `.mcp.json` that has no
 * `mcpServers` key: every top-level member. They are parsed as a section `[]` (pointers `/<name>`), pinned like
 * any other entry, and a medium `root-level-servers` finding names them. None when the key is present.
 */
function rootServers(text: string, location: ConfigLocation, findings: Finding[]): ServerSpec[] {
  const key = location.rootServersUnlessKey!;
  const top: unknown = parseJsonc(text, [], { allowTrailingComma: true, disallowComments: false });
  if (top === null || typeof top !== 'object' || Array.isArray(top) || Object.prototype.hasOwnProperty.call(top, key)) return [];
  // File-level findings and syntax errors were reported by the first pass; entry-level ones ride on the specs.
  // Our own quarantine key (Block) is not a server: VS Code skips it too, as it has no command or url.
  const servers = new ConfigParser(text, { ...location, serverSections: [[]] }, []).parse().filter((s) => s.name !== QUARANTINE_KEY);
  if (servers.length) {
    const names = servers.slice(0, 5).map((s) => JSON.stringify(s.name.slice(0, 60)));
    findings.push({
      ruleId: 'root-level-servers',
      severity: 'medium',
      message: `this file has no "${key}" key, so VS Code reads its top-level members as servers: ${names.join(', ')}${servers.length > 5 ? ', …' : ''}; they are pinned like any other`,
      pointer: '',
    });
  }
  return servers;
}

// ---------------------------------------------------------------------------------------------------------
// Decoding

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array, findings: Finding[]): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    findings.push({
      ruleId: 'invalid-utf8',
      severity: 'medium',
      message: `the file is not valid UTF-8 (first bad byte at offset ${at}, line ${line}); it was decoded with U+FFFD replacement characters, as Node-based hosts decode it`,
      pointer: '',
    });
    return utf8Lenient.decode(bytes);
  }
}

/** Byte offset of the first ill-formed UTF-8 sequence (Unicode 15, table 3-7), or -1. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= b.length) return i;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (b[i + 1] < lo || b[i + 1] > hi) return i;
    for (let k = 2; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// Parsing

class NestingError extends Error {
  constructor(readonly offset: number) {
    super('nesting too deep');
  }
}

/** All places in the file that make up one logical servers section (duplicates and dotted keys merged). */
interface SectionGroup {
  /** Pointer of the first object found for the section. */
  pointer: string;
  workspaceFolder?: string;
  entries: EntryBuild[];
}

/** One member of a servers section, its value built as the visitor goes. */
interface EntryBuild {
  name: string;
  /** Absolute pointer of the entry in the file. */
  pointer: string;
  /** Offset of the key, for source order across merged sections. */
  keyOffset: number;
  value: unknown;
  range: SourceRange;
  /** Duplicate keys by pointer relative to the entry, with every value in source order. */
  dups: Map<string, unknown[]>;
  /** Findings about values inside the entry, reported with the entry. */
  notes: Finding[];
}

/** A position on the way to a servers section: `sections[section]` is matched up to `level`. */
interface MatchState {
  section: number;
  level: number;
  logical: string;
  workspaceFolder?: string;
}

const SKIP = 0;
const MATCH = 1;
const SECTION = 2;
const VALUE = 3;

/** An open object or array while visiting, and what it is to the servers sections. */
interface Frame {
  /** SKIP: irrelevant; MATCH: on the path to a section; SECTION: a servers object; VALUE: inside an entry. */
  mode: typeof SKIP | typeof MATCH | typeof SECTION | typeof VALUE;
  isArray: boolean;
  /** Key of the property whose value comes next (objects), and its offset. */
  key?: string;
  keyOffset: number;
  /** Next element index (arrays). */
  index: number;
  /** MATCH/SECTION: absolute pointer of this object. VALUE: pointer relative to the entry. */
  pointer: string;
  states?: MatchState[];
  /** MATCH: how often each key on a section path occurs here (duplicates are reported). */
  counts?: Map<string, number>;
  group?: SectionGroup;
  container?: Record<string, unknown> | unknown[];
  entry?: EntryBuild;
  /** VALUE: nesting inside the entry (the entry's own object is 0). */
  depth: number;
}

/** The frame of every container nothing is read from; shared, as nothing in it is used. */
const SKIP_FRAME: Frame = { mode: SKIP, isArray: false, keyOffset: 0, index: 0, pointer: '', depth: 0 };

/** Where a token is, as the visitor reports it: offset, length, 0-based line and column. */
type Position = [offset: number, length: number, line: number, column: number];

/** A syntax error as the visitor reported it. */
interface RawError {
  code: ParseErrorCode;
  offset: number;
  line: number;
  column: number;
}

/**
 * One parse of one file with jsonc-parser's visitor. Values are built only inside server entries; the rest of
 * the file is scanned (so every syntax error is seen) but not materialized.
 */
class ConfigParser {
  readonly errors: ConfigError[] = [];
  private readonly host: HostAdapter;
  private readonly sections: readonly (readonly string[])[];
  /** Per section: the level at which VS Code expands dotted setting keys (-1: none). */
  private readonly dottedLevels: number[];
  private readonly groups = new Map<string, SectionGroup>();
  private readonly present: boolean[];
  private readonly stack: Frame[] = [];
  private rawErrors: RawError[] = [];
  private rootSeen = false;
  private lineStarts: number[] | undefined;

  constructor(
    readonly text: string,
    readonly location: ConfigLocation,
    readonly findings: Finding[],
  ) {
    this.host = HOSTS[location.host];
    this.sections = location.serverSections;
    const dotted = this.host.dottedSettingsSegment;
    this.dottedLevels = this.sections.map((s) => (dotted === undefined ? -1 : s.indexOf(dotted)));
    this.present = this.sections.map(() => false);
  }

  parse(): ServerSpec[] {
    const syntax = syntaxOf(this.location);
    if (this.location.note) this.finding('not-launched', 'info', this.location.note, '');
    visit(
      this.text,
      {
        onObjectBegin: (offset, _length, line, column) => this.begin(true, false, undefined, offset, 0, line, column),
        onArrayBegin: (offset, _length, line, column) => this.begin(true, true, undefined, offset, 0, line, column),
        onLiteralValue: (value, offset, length, line, column) => this.begin(false, false, value, offset, length, line, column),
        onObjectProperty: (name, offset) => {
          const top = this.stack[this.stack.length - 1];
          top.key = name;
          top.keyOffset = offset;
        },
        onObjectEnd: (offset, length) => this.end(offset + length),
        onArrayEnd: (offset, length) => this.end(offset + length),
        onError: (code, offset, _length, line, column) => {
          this.rawErrors.push({ code, offset, line: line + 1, column: column + 1 });
        },
      },
      { disallowComments: !syntax.comments, allowTrailingComma: syntax.trailingCommas, allowEmptyContent: syntax.emptyContent },
    );
    this.reportSyntaxErrors();

    const servers: ServerSpec[] = [];
    for (const g of this.groups.values()) servers.push(...this.sectionServers(g));
    this.reportAlternateSections();
    return servers.sort((a, b) => a.range.offset - b.range.offset);
  }

  // ---- visiting

  /** A value starts (`{`, `[` or a literal): decide what it is to the sections, build it if inside an entry. */
  private begin(isContainer: boolean, isArray: boolean, literal: unknown, offset: number, length: number, line: number, column: number): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent?.mode === SKIP) {
      if (isContainer) this.stack.push(SKIP_FRAME);
      return;
    }
    let child: Frame | undefined;
    if (!parent) {
      child = this.beginRoot(isContainer, isArray);
    } else {
      let key: string | undefined;
      let keyOffset = offset;
      if (parent.isArray) key = String(parent.index++);
      else {
        key = parent.key;
        keyOffset = parent.keyOffset;
        parent.key = undefined;
      }
      // Positions are kept as the visitor gives them (0-based line/column) until an entry needs them.
      const at: Position = [offset, length, line, column];
      if (key === undefined) child = undefined;
      else if (parent.mode === VALUE) child = this.beginValue(parent, key, isContainer, isArray, literal, at);
      else if (parent.mode === SECTION) child = this.beginEntry(parent.group as SectionGroup, `${parent.pointer}/${escapePointerToken(key)}`, key, keyOffset, isContainer, isArray, literal, at);
      else child = this.beginMatched(parent, key, keyOffset, isContainer, isArray, literal, at);
    }
    if (isContainer) this.stack.push(child ?? SKIP_FRAME);
  }

  private beginRoot(isContainer: boolean, isArray: boolean): Frame | undefined {
    if (this.rootSeen) return undefined;
    this.rootSeen = true;
    if (isContainer && !isArray) {
      // A section path `[]`: the top-level object itself holds the servers.
      const root = this.sections.findIndex((sec) => sec.length === 0);
      if (root >= 0) return { mode: SECTION, isArray: false, keyOffset: 0, index: 0, pointer: '', group: this.group(root, '', '', this.location.workspaceFolder), depth: 0 };
      const states = this.sections.map((_, i) => ({ section: i, level: 0, logical: '' }));
      return { mode: MATCH, isArray: false, keyOffset: 0, index: 0, pointer: '', states, depth: 0 };
    }
    this.finding('malformed-entry', 'medium', `the file's top level is ${isArray ? 'an array' : 'not an object'}; ${this.host.displayName} reads no servers from it`, '');
    return undefined;
  }

  /** A member of an object on the way to a section: follow every section path it continues. */
  private beginMatched(parent: Frame, key: string, keyOffset: number, isContainer: boolean, isArray: boolean, literal: unknown, at: Position): Frame | undefined {
    const pointer = `${parent.pointer}/${escapePointerToken(key)}`;
    const next: MatchState[] = [];
    let complete: MatchState | undefined;
    let counted = false;
    for (const s of parent.states ?? []) {
      const section = this.sections[s.section];
      const seg = section[s.level];
      if (seg === ANY_KEY || key === seg) {
        // Counted once per occurrence, however many section paths run through this key.
        if (!counted) (parent.counts ??= new Map()).set(key, (parent.counts.get(key) ?? 0) + 1);
        counted = true;
        const ns = { section: s.section, level: s.level + 1, logical: `${s.logical}/${escapePointerToken(key)}`, workspaceFolder: seg === ANY_KEY ? key : s.workspaceFolder };
        if (ns.level === section.length) complete ??= ns;
        else next.push(ns);
      } else if (s.level === this.dottedLevels[s.section] && key.includes('.')) {
        // VS Code's configuration model expands top-level dotted keys: "mcp.servers.x" is mcp → servers → x.
        const parts = key.split('.');
        const rest = section.slice(s.level);
        if (!rest.every((r, i) => i >= parts.length || parts[i] === r)) continue;
        this.finding('dotted-settings-key', 'high', `VS Code expands the dotted key "${key}" into the "${rest.join('.')}" setting; servers written this way are easy to miss`, pointer);
        const logical = `${s.logical}/${parts.slice(0, rest.length).map((t) => escapePointerToken(t)).join('/')}`;
        if (parts.length <= rest.length) {
          const ns = { section: s.section, level: s.level + parts.length, logical, workspaceFolder: s.workspaceFolder };
          if (ns.level === section.length) complete ??= ns;
          else next.push(ns);
        } else if (parts.length === rest.length + 1) {
          const group = this.group(s.section, logical, pointer, s.workspaceFolder);
          return this.beginEntry(group, pointer, parts[rest.length], keyOffset, isContainer, isArray, literal, at);
        }
        // Longer keys ("mcp.servers.x.command") patch one member of a server: the finding is all we give.
      }
    }
    if (complete) {
      const group = this.group(complete.section, complete.logical, pointer, complete.workspaceFolder);
      if (isContainer && !isArray) return { mode: SECTION, isArray: false, keyOffset: 0, index: 0, pointer, group, depth: 0 };
      const what = isArray ? 'an array' : describeValue(literal);
      this.finding('malformed-entry', 'medium', `the servers section is ${what}, not an object; no servers are read from it`, pointer);
      return undefined;
    }
    if (next.length > 0 && isContainer && !isArray) return { mode: MATCH, isArray: false, keyOffset: 0, index: 0, pointer, states: next, depth: 0 };
    return undefined;
  }

  /** A member of a servers section: a server entry, built in full. */
  private beginEntry(group: SectionGroup, pointer: string, name: string, keyOffset: number, isContainer: boolean, isArray: boolean, literal: unknown, at: Position): Frame | undefined {
    const range = { offset: at[0], length: at[1], line: at[2] + 1, column: at[3] + 1 };
    const entry: EntryBuild = { name, pointer, keyOffset, value: undefined, range, dups: new Map(), notes: [] };
    if (!isContainer) {
      entry.value = this.literal(literal, entry, '', at);
      group.entries.push(entry);
      return undefined;
    }
    const container = isArray ? [] : {};
    entry.value = container;
    return { mode: VALUE, isArray, keyOffset: 0, index: 0, pointer: '', container, entry, group, depth: 0 };
  }

  /** A value inside an entry: attach it to its parent (recording duplicate keys) and descend into it. */
  private beginValue(parent: Frame, key: string, isContainer: boolean, isArray: boolean, literal: unknown, at: Position): Frame | undefined {
    const entry = parent.entry as EntryBuild;
    const pointer = `${parent.pointer}/${parent.isArray ? key : escapePointerToken(key)}`;
    let container: Record<string, unknown> | unknown[] | undefined;
    let value: unknown;
    if (isContainer) {
      if (parent.depth + 1 >= MAX_NESTING) throw new NestingError(at[0]);
      value = container = isArray ? [] : {};
    } else {
      value = this.literal(literal, entry, pointer, at);
    }
    if (Array.isArray(parent.container)) parent.container.push(value);
    else {
      const obj = parent.container as Record<string, unknown>;
      if (hasOwn(obj, key)) {
        const seen = entry.dups.get(pointer);
        if (seen) seen.push(value);
        else entry.dups.set(pointer, [obj[key], value]);
      }
      setOwn(obj, key, value);
    }
    return container ? { mode: VALUE, isArray, keyOffset: 0, index: 0, pointer, container, entry, depth: parent.depth + 1 } : undefined;
  }

  /** A literal as `JSON.parse` reads it, except infinities (out-of-range numbers), pinned as strings. */
  private literal(value: unknown, entry: EntryBuild, pointer: string, at: Position): unknown {
    if (typeof value !== 'number' || Number.isFinite(value)) return value;
    const source = this.text.slice(at[0], at[0] + at[1]);
    entry.notes.push({
      ruleId: 'malformed-entry',
      severity: 'medium',
      message: `the number ${source} is out of range (JSON.parse reads it as ${value}); pinned as the string "${value}"`,
      pointer: entry.pointer + pointer,
    });
    return String(value);
  }

  /** An object or array ends at `endOffset`: close its frame; an entry's own value is then complete. */
  private end(endOffset: number): void {
    const frame = this.stack.pop();
    if (!frame) return;
    if (frame.mode === VALUE && frame.depth === 0 && frame.entry) {
      frame.entry.range.length = endOffset - frame.entry.range.offset;
      frame.group?.entries.push(frame.entry);
    } else if (frame.mode === MATCH && frame.counts) {
      for (const [key, n] of frame.counts) {
        if (n < 2) continue;
        this.finding(
          'duplicate-key',
          'high',
          `"${key}" appears ${n} times; hosts disagree on which one counts (JSON.parse keeps the last), so the servers of every occurrence are listed`,
          `${frame.pointer}/${escapePointerToken(key)}`,
        );
      }
    }
  }

  private group(section: number, logical: string, pointer: string, workspaceFolder: string | undefined): SectionGroup {
    this.present[section] = true;
    let g = this.groups.get(logical);
    if (!g) this.groups.set(logical, (g = { pointer, workspaceFolder, entries: [] }));
    return g;
  }

  // ---- positions and messages

  errorAt(message: string, offset: number): ConfigError {
    return { configFile: this.location.path, message, ...this.position(offset) };
  }

  private finding(ruleId: string, severity: Finding['severity'], message: string, pointer: string): void {
    this.findings.push({ ruleId, severity, message, pointer });
  }

  /** Line and column of an offset (for the rare positions the visitor did not report). */
  private position(offset: number): { line: number; column: number } {
    return positionAt((this.lineStarts ??= computeLineStarts(this.text)), offset);
  }

  private reportSyntaxErrors(): void {
    // jsonc-parser may report several codes at one offset while it recovers; the first says it best.
    const distinct = this.rawErrors.filter((e, i, all) => i === 0 || e.offset !== all[i - 1].offset);
    for (const e of distinct.slice(0, MAX_ERRORS)) this.errors.push(this.describeSyntaxError(e));
    if (distinct.length > MAX_ERRORS) {
      this.errors.push({ configFile: this.location.path, message: `${distinct.length - MAX_ERRORS} more syntax errors not shown` });
    }
  }

  private describeSyntaxError(e: RawError): ConfigError {
    const name = printParseErrorCode(e.code);
    const at = (message: string): ConfigError => ({ configFile: this.location.path, message, line: e.line, column: e.column });
    const strict = `${this.host.displayName} parses this file as strict JSON`;
    if ((name === 'PropertyNameExpected' || name === 'ValueExpected') && /[}\]]/.test(this.text.charAt(e.offset))) {
      let i = e.offset - 1;
      while (i >= 0 && /\s/.test(this.text.charAt(i))) i--;
      if (this.text.charAt(i) === ',') {
        const why = this.location.jsonc ? `${this.host.displayName} accepts comments but not trailing commas` : strict;
        return this.errorAt(`trailing comma is not allowed: ${why}`, i);
      }
    }
    if (name === 'ValueExpected' && this.text.trim() === '') return at(`the file is empty; ${this.host.displayName} expects a JSON object`);
    const messages: Record<string, string> = {
      InvalidSymbol: 'unexpected character',
      InvalidNumberFormat: 'invalid number',
      PropertyNameExpected: 'expected a property name in double quotes',
      ValueExpected: 'expected a value',
      ColonExpected: "expected ':'",
      CommaExpected: "expected ','",
      CloseBraceExpected: "expected '}'",
      CloseBracketExpected: "expected ']'",
      EndOfFileExpected: 'unexpected content after the end of the JSON value',
      InvalidCommentToken: `comments are not allowed: ${strict}`,
      UnexpectedEndOfComment: 'unterminated comment',
      UnexpectedEndOfString: 'unterminated string',
      UnexpectedEndOfNumber: 'incomplete number',
      InvalidUnicode: 'invalid \\u escape',
      InvalidEscapeCharacter: 'invalid escape sequence',
      InvalidCharacter: 'control character in a string (it must be escaped)',
    };
    return at(messages[name] ?? name);
  }

  /** Reports `servers`/`mcpServers` sections the host does not read (parsed anyway so nothing hides there). */
  private reportAlternateSections(): void {
    this.sections.forEach((section, i) => {
      if (!this.present[i] || hostReadsSection(this.location, section)) return;
      const key = serversKeyOf(this.location);
      const own = [...section.slice(0, -1), key];
      const ownIndex = this.sections.findIndex((s) => s.length === own.length && s.every((x, k) => x === own[k]));
      const pointer = '/' + section.map((t) => escapePointerToken(t)).join('/');
      const other = section[section.length - 1];
      if (ownIndex >= 0 && this.present[ownIndex]) {
        this.finding(
          'ambiguous-sections',
          'medium',
          `the file has both "${key}" and "${other}"; ${this.host.displayName} reads "${key}" and ignores "${other}" (both are listed here)`,
          pointer,
        );
      } else {
        this.finding(
          'ignored-section',
          'low',
          `${this.host.displayName} reads servers from "${key}", not "${other}"; the servers under "${other}" are listed but it does not launch them`,
          pointer,
        );
      }
    });
  }

  // ---- servers

  /** The servers of one section: one per name, the last definition winning, every definition pinned. */
  private sectionServers(g: SectionGroup): ServerSpec[] {
    const byName = new Map<string, EntryBuild[]>();
    for (const e of g.entries.sort((a, b) => a.keyOffset - b.keyOffset)) {
      const list = byName.get(e.name);
      if (list) list.push(e);
      else byName.set(e.name, [e]);
    }
    const out: ServerSpec[] = [];
    for (const [name, occurrences] of byName) {
      const last = occurrences[occurrences.length - 1];
      const duplicateKeys: DuplicateKey[] = [];
      if (occurrences.length > 1) duplicateKeys.push({ pointer: '', values: occurrences.map((o) => o.value) });
      const inner = new Map<string, unknown[]>();
      for (const occ of occurrences) {
        this.findings.push(...occ.notes);
        for (const [pointer, values] of occ.dups) {
          this.finding(
            'duplicate-key',
            'high',
            `server "${name}" has the key "${lastPointerToken(pointer)}" ${values.length} times (${values.map(preview).join(', ')}); hosts disagree on which one wins (JSON.parse keeps the last), so every value is pinned`,
            occ.pointer + pointer,
          );
          const merged = inner.get(pointer);
          if (merged) merged.push(...values);
          else inner.set(pointer, values);
        }
      }
      if (occurrences.length > 1) {
        this.finding(
          'duplicate-key',
          'high',
          `server "${name}" is defined ${occurrences.length} times in ${g.pointer}; hosts disagree on which definition wins (JSON.parse keeps the last, which is listed), so every definition is pinned`,
          last.pointer,
        );
      }
      for (const [pointer, values] of inner) duplicateKeys.push({ pointer, values });
      const spec: ServerSpec = {
        host: this.location.host,
        scope: this.location.scope,
        configFile: this.location.path,
        name,
        pointer: last.pointer,
        ...normalizeEntry(this.host, name, last.value, last.pointer, this.findings),
        raw: last.value,
        duplicateKeys,
        range: last.range,
        sourceText: this.text.slice(last.range.offset, last.range.offset + last.range.length),
      };
      const workspaceFolder = g.workspaceFolder ?? this.location.workspaceFolder;
      if (workspaceFolder !== undefined) spec.workspaceFolder = workspaceFolder;
      if (this.location.alsoReadBy?.length) spec.alsoReadBy = [...this.location.alsoReadBy];
      out.push(spec);
    }
    return out;
  }
}



/** Offset of the first `{`/`[` nested deeper than `limit` (0 if none), found with the non-recursive scanner. */
function deepNestingOffset(text: string, limit: number): number {
  // jsonc-parser's SyntaxKind is a const enum (unusable under isolatedModules): 1 `{`, 2 `}`, 3 `[`, 4 `]`, 17 EOF.
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let t: number = scanner.scan(); t !== 17; t = scanner.scan()) {
    if (t === 1 || t === 3) {
      if (++depth > limit) return scanner.getTokenOffset();
    } else if (t === 2 || t === 4) depth--;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Messages

/** Formats a byte count with binary units: `512 bytes`, `1.5 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2))} ${units[u]}`;
}

function overCapMessage(size: number, cap: number, grew = false): string {
  let s = formatBytes(size);
  let c = formatBytes(cap);
  if (s === c) {
    s = `${size} bytes`;
    c = `${c} (${cap} bytes)`;
  }
  return grew ? `more than ${c} could be read (the file grew while being read); over the ${c} cap; not parsed` : `${s} is over the ${c} cap; not parsed`;
}

function describeFsError(e: unknown): string {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'ENOTDIR':
      return 'file not found (a parent of it is not a directory)';
    case 'EISDIR':
      return 'is a directory, not a file; not read';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code}); not read`;
    case 'ELOOP':
      return 'too many levels of symbolic links; not read';
    default:
      return `could not be read: ${e instanceof Error ? e.message : String(e)}`;
  }
}
