/**
 * Quarantine of a blocked server: moving a server entry out of the section its host launches
 * from (`servers`, `mcpServers`, `mcp.servers`, `projects.<dir>.mcpServers`) into one top-level key of the same
 * file, and back. Pure functions on config text with `jsonc-parser`: the entry's own text (comments and
 * formatting inside it included) is moved verbatim, and everything outside the two touched places is kept
 * byte for byte.
 *
 * Quarantine layout (top level of the same file):
 * ```jsonc
 * "mcpTrustGuard.quarantine": {
 *   "/mcpServers/build": { "command": "cmd.exe", "args": ["/c", "shell.bat"] }
 * }
 * ```
 * Members are keyed by the entry's original RFC 6901 JSON Pointer (not its bare name), so that a restore puts it
 * back exactly where it was, even in files with several server sections (`~/.claude.json`), and so that the key
 * matches the trust store's record key. No host reads this key, so none launches what is inside it.
 */
import { applyEdits, createScanner, findNodeAtLocation, modify, parseTree, type Edit, type FormattingOptions, type Node } from 'jsonc-parser';
import { pointerTokens } from './guard';
import { nodeToValue } from './jsonValue';

/** The top-level key that holds quarantined entries. */
export const QUARANTINE_KEY = 'mcpTrustGuard.quarantine';

/** Thrown when an entry cannot be quarantined or restored; the message says why in one sentence. */
export class QuarantineError extends Error {
  override name = 'QuarantineError';
}

/** One quarantined entry as found in a file by {@link listQuarantined}. */
export interface QuarantinedEntry {
  /** The original RFC 6901 JSON Pointer of the entry (the member's key). */
  pointer: string;
  /** The server name: the last token of `pointer`. */
  name: string;
  /** The entry's value as parsed (JSONC rules), or `undefined` if the pointer is malformed. */
  value: unknown;
  /** UTF-16 offset and length of the entry's value in the text. */
  offset: number;
  length: number;
}

/** Options of {@link quarantineEdits}. */
export interface QuarantineOptions {
  /** Formatting of inserted members; default: detected from the text (indent unit and EOL). */
  formattingOptions?: FormattingOptions;
}

/** Formatting options that match `text`: its indent unit (spaces or a tab) and line ending; two spaces and LF by default. */
export function formattingOf(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)\S/.exec(text);
  const indent = m?.[1] ?? '  ';
  return indent.startsWith('\t') ? { insertSpaces: false, tabSize: 1, eol } : { insertSpaces: true, tabSize: indent.length, eol };
}

/** The tokens of an entry pointer (section path + server name). @throws QuarantineError if it names no entry. */
function entryPath(pointer: string): string[] {
  let path: string[];
  try {
    path = pointerTokens(pointer);
  } catch (e) {
    throw new QuarantineError((e as Error).message);
  }
  if (path.length < 2) throw new QuarantineError(`${pointer} does not name a server entry inside a section`);
  return path;
}

function parse(text: string): Node {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') throw new QuarantineError('the config file is empty or its top level is not a JSON object');
  return root;
}


/** Members of an object node with the given key (more than one when the key is duplicated). */
function members(obj: Node, key: string): Node[] {
  return (obj.children ?? []).filter((p) => p.children?.[0]?.value === key);
}

/** jsonc-parser's `SyntaxKind` values (a const enum, which isolated modules cannot read). */
const TOKEN_LINE_COMMENT = 12;
const TOKEN_BLOCK_COMMENT = 13;
const TOKEN_EOF = 17;

/** The comments starting in [start, end) of `text`, in order. */
function commentsIn(text: string, start: number, end: number): string[] {
  const scanner = createScanner(text, false);
  const out: string[] = [];
  for (let t = scanner.scan(); t !== TOKEN_EOF; t = scanner.scan()) {
    if (t !== TOKEN_LINE_COMMENT && t !== TOKEN_BLOCK_COMMENT) continue;
    const at = scanner.getTokenOffset();
    if (at >= start && at < end) out.push(text.slice(at, at + scanner.getTokenLength()));
  }
  return out;
}

/** Inserts each comment on its own line before the token at `at`, at that line's indentation (if the token starts its line). */
function insertCommentsBefore(text: string, at: number, comments: readonly string[], eol: string): string {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const before = text.slice(lineStart, at);
  if (!/^[ \t]*$/.test(before)) return text.slice(0, at) + comments.map((c) => (c.startsWith('//') ? `/*${c.slice(2)} */ ` : c + ' ')).join('') + text.slice(at);
  return text.slice(0, at) + comments.map((c) => c + eol + before).join('') + text.slice(at);
}

/**
 * Removes the member at `path` and returns the new text and the comments above it (a comment right above the
 * entry describes it, so it moves along). Comments that `modify` swept away from above the next member are put
 * back there.
 */
function removeMember(text: string, path: string[], value: Node, fo: FormattingOptions): { text: string; comments: string[] } {
  const prop = value.parent ?? value;
  const edits = modify(text, path, undefined, { formattingOptions: fo });
  const moving = edits.flatMap((e) => commentsIn(text, e.offset, Math.min(e.offset + e.length, prop.offset)));
  const staying = edits.flatMap((e) => commentsIn(text, Math.max(e.offset, value.offset + value.length), e.offset + e.length));
  let out = applyEdits(text, edits);
  if (staying.length) {
    const parent = findNodeAtLocation(parseTree(out, [], { allowTrailingComma: true, disallowComments: false }) ?? { type: 'null', offset: 0, length: 0 }, path.slice(0, -1));
    const first = parent?.children?.[0];
    if (first) out = insertCommentsBefore(out, first.offset, staying, fo.eol ?? '\n');
  }
  return { text: out, comments: moving };
}

/**
 * Sets `path` to a value whose text is `valueText` verbatim: `modify` inserts a unique placeholder string
 * (so it handles commas, indentation and missing parents), which is then replaced by the text.
 */
function setRaw(text: string, path: string[], valueText: string, fo: FormattingOptions, comments: readonly string[] = []): string {
  let marker = 'mtg-placeholder';
  while (text.includes(marker) || valueText.includes(marker)) marker += '-x';
  const withMarker = applyEdits(text, modify(text, path, marker, { formattingOptions: fo }));
  const quoted = JSON.stringify(marker);
  const at = withMarker.indexOf(quoted);
  if (at < 0) throw new QuarantineError('internal error: could not place the entry');
  let out = withMarker.slice(0, at) + valueText + withMarker.slice(at + quoted.length);
  if (comments.length) {
    // Put the comments on their own lines above the member's key, at the key's indentation.
    const key = out.lastIndexOf(JSON.stringify(path[path.length - 1]), at);
    if (key >= 0) out = insertCommentsBefore(out, key, comments, fo.eol ?? '\n');
  }
  return out;
}

/** One edit replacing the smallest span in which `before` and `after` differ (empty list when equal). */
function minimalEdit(before: string, after: string): Edit[] {
  if (before === after) return [];
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before.charCodeAt(endB - 1) === after.charCodeAt(endA - 1)) {
    endB--;
    endA--;
  }
  return [{ offset: start, length: endB - start, content: after.slice(start, endA) }];
}

/**
 * Edits that move the server entry at `pointer` into the {@link QUARANTINE_KEY} object at the top level of the
 * same file (created when missing; an older quarantined entry under the same pointer is replaced).
 *
 * @param text the config file's text (JSON or JSONC).
 * @param pointer RFC 6901 JSON Pointer of the entry, e.g. `/mcpServers/build` or `/mcp/servers/x`.
 * @returns jsonc-parser edits (at most one, spanning the changed region); apply with `applyEdits`.
 * @throws QuarantineError when the text has no top-level object, there is no entry at `pointer`, the entry's
 *   key occurs twice in its section (which one the host uses is unclear; fix the file by hand), or the
 *   pointer lies inside the quarantine key itself.
 */
export function quarantineEdits(text: string, pointer: string, options: QuarantineOptions = {}): Edit[] {
  const path = entryPath(pointer);
  if (path[0] === QUARANTINE_KEY) throw new QuarantineError(`${pointer} is quarantined already`);
  const root = parse(text);
  const section = findNodeAtLocation(root, path.slice(0, -1));
  if (!section || section.type !== 'object') throw new QuarantineError(`no server section at ${pointer}`);
  const found = members(section, path[path.length - 1]);
  if (found.length === 0) throw new QuarantineError(`no server entry at ${pointer}`);
  if (found.length > 1) throw new QuarantineError(`"${path[path.length - 1]}" is defined twice at ${pointer}; fix the config by hand first`);
  const valueNode = found[0].children?.[1];
  if (!valueNode) throw new QuarantineError(`the entry at ${pointer} has no value`);
  const entryText = text.slice(valueNode.offset, valueNode.offset + valueNode.length);
  const fo = options.formattingOptions ?? formattingOf(text);
  const removed = removeMember(text, path, valueNode, fo);
  const moved = setRaw(removed.text, [QUARANTINE_KEY, pointer], entryText, fo, removed.comments);
  return minimalEdit(text, moved);
}

/**
 * Edits that move the quarantined entry of `pointer` back to `pointer` (its section is created when missing),
 * and drop the {@link QUARANTINE_KEY} object once it is empty.
 *
 * @param text the config file's text.
 * @param pointer the original pointer of the entry, as listed by {@link listQuarantined}.
 * @returns jsonc-parser edits (at most one).
 * @throws QuarantineError when nothing is quarantined under `pointer`, or a server entry exists at `pointer`
 *   again (restoring would overwrite it).
 */
export function restoreEdits(text: string, pointer: string, options: QuarantineOptions = {}): Edit[] {
  const path = entryPath(pointer);
  const root = parse(text);
  const q = members(root, QUARANTINE_KEY)[0]?.children?.[1];
  const member = q?.type === 'object' ? members(q, pointer)[0] : undefined;
  const valueNode = member?.children?.[1];
  if (!q || !valueNode) throw new QuarantineError(`nothing is quarantined under ${pointer}`);
  if (findNodeAtLocation(root, path)) throw new QuarantineError(`a server entry exists at ${pointer} again; remove or rename it before restoring`);
  const entryText = text.slice(valueNode.offset, valueNode.offset + valueNode.length);
  const fo = options.formattingOptions ?? formattingOf(text);
  const onlyOne = (q.children ?? []).length === 1;
  const cut = removeMember(text, onlyOne ? [QUARANTINE_KEY] : [QUARANTINE_KEY, pointer], valueNode, fo);
  const back = setRaw(cut.text, path, entryText, fo, cut.comments);
  return minimalEdit(text, back);
}

/**
 * The entries quarantined in a config file, in source order. Never throws: text without a quarantine object
 * gives an empty list; members whose key is not a JSON Pointer are listed with `value` as parsed and the
 * whole key as `name`.
 */
export function listQuarantined(text: string): QuarantinedEntry[] {
  const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
  if (!root || root.type !== 'object') return [];
  const q = members(root, QUARANTINE_KEY)[0]?.children?.[1];
  if (!q || q.type !== 'object') return [];
  const out: QuarantinedEntry[] = [];
  for (const p of q.children ?? []) {
    const [k, v] = p.children ?? [];
    if (!k || !v || typeof k.value !== 'string') continue;
    const pointer = k.value;
    let name = pointer;
    try {
      const t = pointerTokens(pointer);
      if (t.length) name = t[t.length - 1];
    } catch {
      // not a pointer: keep the key as the name
    }
    out.push({ pointer, name, value: nodeToValue(v), offset: v.offset, length: v.length });
  }
  return out;
}
