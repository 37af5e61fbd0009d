/**
 * Encoded text inside a string a server sent: base64 (standard and URL-safe, RFC 4648), hex, percent-encoding
 * (RFC 3986), `\uXXXX`/`\u{…}`/`\xXX` escapes and HTML character references (numeric, and the named ones a payload
 * needs). A model decodes these without being asked twice; a person reviewing the description reads noise. The
 * item rules run on the decoded text too (see `./tool/common.ts`).
 *
 * Pure functions, bounded: at most {@link MAX_DECODE_INPUT} characters of a string are looked at and at most
 * {@link MAX_DECODED} characters of decoded text are produced per string. Never throws.
 */

/** The encodings recognized. */
export type Encoding = 'base64' | 'hex' | 'percent' | 'escape' | 'html-entity';

/** One decoded reading of a string: the whole string with every decodable run of one encoding replaced. */
export interface DecodedText {
  encoding: Encoding;
  /** The string with the encoded runs replaced by what they decode to. */
  text: string;
  /** The decoded runs joined by ` … ` (base64, hex, percent), or the text from the first escape on (what the finding shows). */
  decoded: string;
}

/** Characters of a string examined for encoded runs. */
export const MAX_DECODE_INPUT = 256 * 1024;
/** Characters of decoded text produced per string and encoding. */
export const MAX_DECODED = 256 * 1024;

/** A maximal run of the base64 alphabets (standard and URL-safe; a run mixing both does not decode to text). */
const BASE64 = /[A-Za-z0-9+/_-]{8,}={0,2}/g;
const HEX = /\b(?:[0-9A-Fa-f]{2}){6,}\b/g;
const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2}|[^%\s"'<>`]){0,2000}/g;
const ESCAPE = /\\u\{[0-9A-Fa-f]{1,6}\}|\\u[0-9A-Fa-f]{4}|\\x[0-9A-Fa-f]{2}/g;
const ENTITY = /&#(?:[xX][0-9A-Fa-f]{1,6}|\d{1,7});|&(?:lt|gt|amp|quot|apos|nbsp|sol|bsol|lowbar|period|colon|semi|lpar|rpar|lsqb|rsqb|lcub|rcub|excl|quest|num|dollar|percnt|ast|plus|comma|equals|hyphen|dash|grave|tilde|vert|Hat|commat);/g;
const NAMED: Record<string, string> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', sol: '/', bsol: '\\', lowbar: '_', period: '.', colon: ':', semi: ';',
  lpar: '(', rpar: ')', lsqb: '[', rsqb: ']', lcub: '{', rcub: '}', excl: '!', quest: '?', num: '#', dollar: '$', percnt: '%', ast: '*',
  plus: '+', comma: ',', equals: '=', hyphen: '-', dash: '-', grave: '`', tilde: '~', vert: '|', Hat: '^', commat: '@',
};

/**
 * Is decoded output readable text rather than bytes? Valid UTF-8 already checked by the caller (no U+FFFD);
 * here: no control characters but TAB/LF/CR, at least 4 characters, a word of one script (3 ASCII letters, 2
 * Han ideographs, 3 Cyrillic/Greek/… letters), letters and spaces making up 60 % of it, and a space when it is
 * shorter than 16 characters (random bytes rarely pass all of these).
 */
export function isReadable(s: string): boolean {
  if (s.length < 4 || s.includes('\uFFFD')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/.test(s)) return false;
  if (!/[A-Za-z]{3}|\p{Script=Han}{2}|[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]{3}/u.test(s)) return false;
  const cps = [...s];
  const letters = (s.match(/[\p{L}\s]/gu) ?? []).length;
  if (letters / cps.length < 0.6) return false;
  return cps.length >= 16 || /\s/.test(s);
}

function utf8(bytes: Buffer): string | null {
  const s = bytes.toString('utf8');
  return s.includes('\uFFFD') ? null : s;
}

/** Cheap pre-test: 8 alphabet characters in a row with a digit, `+`, `/` or an inner capital among them. */
const BASE64_WORTH = /[A-Za-z0-9+/_-]{3}[0-9+/A-Z][A-Za-z0-9+/_-]{4}|[0-9+/A-Z][A-Za-z0-9+/_-]{7}[0-9+/A-Z]/;

function decodeBase64(run: string): string | null {
  // A word or an identifier ("Parameter", "snake_case") is in the alphabet too: base64 of text has digits,
  // `+`/`/` or several capitals after the first character.
  if (!/[0-9+/]/.test(run) && !/[A-Z][^A-Z]*[A-Z]/.test(run.slice(1))) return null;
  const body = run.replace(/=+$/, '');
  if (body.length % 4 === 1) return null;
  // A plain word or identifier is in the alphabet too; it decodes to bytes that are not readable.
  return utf8(Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

function decodeHex(run: string): string | null {
  if (/^\d+$/.test(run)) return null;
  return utf8(Buffer.from(run, 'hex'));
}

/** Replaces each match of `re` in `text` by `decode(match)` when that is readable; null when none was. */
function replaceRuns(text: string, re: RegExp, decode: (run: string) => string | null, minRun = 0): { text: string; decoded: string } | null {
  let budget = MAX_DECODED;
  const parts: string[] = [];
  const out = text.replace(re, (run) => {
    if (budget <= 0 || run.length < minRun) return run;
    const d = decode(run);
    if (d === null || !isReadable(d)) return run;
    budget -= d.length;
    parts.push(d);
    return d;
  });
  return parts.length > 0 ? { text: out, decoded: parts.join(' … ') } : null;
}

function decodeEscapes(text: string): { text: string; decoded: string } | null {
  const matches = text.match(ESCAPE);
  if (!matches || matches.length < 3) return null;
  const out = text.replace(ESCAPE, (e) => {
    const cp = parseInt(e.startsWith('\\u{') ? e.slice(3, -1) : e.slice(2), 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : e;
  });
  return { text: out, decoded: out.slice(text.search(ESCAPE)) };
}

function decodeEntities(text: string): { text: string; decoded: string } | null {
  const matches = text.match(ENTITY);
  if (!matches || matches.length < 3) return null;
  const out = text.replace(ENTITY, (e) => {
    if (e.startsWith('&#')) {
      const cp = e[2] === 'x' || e[2] === 'X' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : e;
    }
    return NAMED[e.slice(1, -1)] ?? e;
  });
  return { text: out, decoded: out.slice(text.search(ENTITY)) };
}

function decodePercent(text: string): { text: string; decoded: string } | null {
  if ((text.match(/%[0-9A-Fa-f]{2}/g) ?? []).length < 3) return null;
  return replaceRuns(text, PERCENT_RUN, (run) => {
    if ((run.match(/%[0-9A-Fa-f]{2}/g) ?? []).length < 3) return null;
    try {
      return decodeURIComponent(run.replace(/\+/g, ' '));
    } catch {
      return null;
    }
  });
}

/**
 * Every decoded reading of `text` that yields readable text, one per encoding found (see the file comment).
 * Runs: base64 of 8+ characters, hex of 12+ digits, 3+ percent escapes, 3+ `\u`/`\x` escapes, 3+ character
 * references.
 *
 * @returns an empty array for a plain string (the common case: a cheap pre-test rules out most strings).
 */
export function decodeEncoded(text: string): DecodedText[] {
  if (typeof text !== 'string' || text.length < 8) return [];
  const t = text.length > MAX_DECODE_INPUT ? text.slice(0, MAX_DECODE_INPUT) : text;
  const out: DecodedText[] = [];
  const add = (encoding: Encoding, r: { text: string; decoded: string } | null): void => {
    if (r && r.text !== t) out.push({ encoding, ...r });
  };
  if (BASE64_WORTH.test(t)) add('base64', replaceRuns(t, BASE64, decodeBase64));
  if (/[0-9A-Fa-f]{12}/.test(t)) add('hex', replaceRuns(t, HEX, decodeHex));
  if (t.includes('%')) add('percent', decodePercent(t));
  if (t.includes('\\')) add('escape', decodeEscapes(t));
  if (t.includes('&')) add('html-entity', decodeEntities(t));
  return out;
}

/** Words that ask for something to be decoded. */
export const DECODE_INSTRUCTION = /\b(?:decode[sd]?|decoding|base64\s+-d|b64decode|atob|from\s+base64|unhex|hex-?decod\w*|unescape|decodeURIComponent|deobfuscat\w*|interpret\s+(?:the\s+)?(?:following|this)\s+(?:encoded|base64|hex))\b/i;

/** A base64 or hex run of 8+ characters that is not a plain word (has a digit, `+`, `/`, `=` or mixed case). */
export const ENCODED_BLOB = /(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]*(?:\d|[+/=]|[a-z][A-Z]|[A-Z][a-z]*[A-Z]))[A-Za-z0-9+/_-]{8,}={0,2}(?![A-Za-z0-9+/_=-])/;
