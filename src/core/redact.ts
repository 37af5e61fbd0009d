/**
 * Redaction for display: the one function family every user interface (tree tooltips, dialogs, quick picks,
 * the diff panel, the log, CLI text) passes config text through before showing it, so that a secret written
 * in a config file is never put on screen or into a log, whichever view shows the entry.
 *
 * What is masked (with `maskSecret` of `./checks/text`: at most the first 4 characters and the length):
 * - a value under a secret-like name (`SECRET_NAME`: `*TOKEN*`, `*SECRET*`, `*KEY*`, `*PASSWORD*`, `auth*`, …)
 *   anywhere in the entry (`env`, `headers`, any other member), whatever its length or entropy;
 * - in an argument list: the value after a secret-like flag (`--access-token x`, `-token x`) and the value of
 *   `--api-key=x`, `TOKEN=x`;
 * - in a URL: the password of the user-info part and the value of a query parameter with a secret-like name;
 * - anywhere: a known token format (`ghp_…`, `sk-…`, `xoxb-…`, `AKIA…`, JWTs, private-key blocks);
 * - `Authorization: Bearer|Basic|Token <x>` keeps the scheme and masks the credential.
 *
 * Not masked: pure variable references (`${input:x}`, `${env:X}`, `$X`, `%X%`: they are not the secret),
 * booleans, short numbers, paths and URLs without credentials. Masking is for display only; pins and
 * fingerprints always use the real values. Pure; never throws; input is hostile (sizes are capped by the
 * callers' display limits, and every walk here is depth- and size-bounded).
 */
import { maskSecret, maskSecretsIn, SECRET_NAME } from './checks/text';

/** Deepest nesting walked by {@link redactEntry}; deeper values are replaced by a marker. */
const MAX_DEPTH = 64;
/** Most members or elements redacted per entry; the rest are replaced by a marker. */
const MAX_NODES = 20_000;
/** Longest string inspected; longer strings are masked as a whole (a multi-kilobyte value is not shown anyway). */
const MAX_STRING = 65_536;

/** A variable reference only (optionally after an auth scheme): shown as written, it is not the secret. */
const REFERENCE_ONLY = /^\s*(?:(?:bearer|basic|token)\s+)?(?:\$\{[^}]{1,200}\}|\$[A-Za-z_]\w*|%\w+%)\s*$/i;
const AUTH_SCHEME = /^(\s*(?:bearer|basic|token|digest)\s+)(\S.*)$/i;
const FLAG = /^--?[A-Za-z][\w.-]*$/;
const FLAG_WITH_VALUE = /^(--?[A-Za-z][\w.-]*|[A-Za-z_][\w.-]*)=(.*)$/s;
const URL_START = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Whether a name (env variable, header, JSON member, flag without dashes, query parameter) is secret-like. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.replace(/^-+/, ''));
}

/**
 * Whether a value found under a secret-like name is shown masked: anything but an empty string, a pure
 * variable reference, a boolean/null word, a number of under 8 digits, a path or a URL without credentials.
 */
function maskable(value: string): boolean {
  const v = value.trim();
  if (v === '' || REFERENCE_ONLY.test(v)) return false;
  if (/^(?:true|false|null|none|yes|no|on|off)$/i.test(v) || /^\d{1,7}$/.test(v)) return false;
  if (/^(?:[a-z]:)?[\\/]|^~[\\/]|^\.{1,2}[\\/]/i.test(v)) return false;
  if (URL_START.test(v) && !/^[a-z][a-z0-9+.-]*:\/\/[^@/?#\s]+:[^@/?#\s]*@/i.test(v)) return false;
  return true;
}

/** The masked form of a value under a secret-like name (an auth scheme is kept: `Bearer ghp_…(40 chars)`). */
function maskNamed(value: string): string {
  if (!maskable(value)) return redactText(value);
  const m = AUTH_SCHEME.exec(value);
  if (m && !REFERENCE_ONLY.test(m[2]!)) return `${m[1]}${maskSecret(m[2]!)}`;
  return maskSecret(value);
}

/**
 * A URL with the user-info password and secret-named query values masked, plus known token formats.
 * `https://u:p4ss@h/x?api_key=abc&q=1` → `https://u:…(4 chars)@h/x?api_key=…(3 chars)&q=1`. Text that is not a
 * URL goes through {@link redactText}'s known-format masking only.
 */
export function redactUrl(url: string): string {
  if (url.length > MAX_STRING) return maskSecret(url);
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^@/?#\s:]*:)([^@/?#\s]*)@/i, (_all, pre: string, pass: string) =>
    REFERENCE_ONLY.test(pass) || pass === '' ? `${pre}${pass}@` : `${pre}${maskSecret(pass)}@`,
  );
  out = out.replace(/([?&;])([^=&#\s]+)=([^&#\s]*)/g, (all, sep: string, name: string, value: string) => {
    let n = name;
    try {
      n = decodeURIComponent(name);
    } catch {
      // shown as written
    }
    return isSecretName(n) && maskable(value) ? `${sep}${name}=${maskSecret(value)}` : all;
  });
  return maskSecretsIn(out);
}

/**
 * Free text (a command line, a log line, a value of unknown role): known token formats masked, URLs in it
 * redacted ({@link redactUrl}), and `--secret-flag=value`, `--secret-flag value`, `SECRET_NAME=value` and
 * `Authorization: Bearer x` masked. Never throws.
 */
export function redactText(text: string): string {
  if (text.length > MAX_STRING) return maskSecret(text);
  let out = text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (u) => redactUrl(u));
  // --flag=value, NAME=value (value up to a blank or quote)
  out = out.replace(/(^|[\s"'])(--?[A-Za-z][\w.-]*|[A-Za-z_][\w.-]*)=("[^"]*"|'[^']*'|[^\s"']+)/g, (all, pre: string, name: string, value: string) => {
    if (!isSecretName(name)) return all;
    const q = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
    const inner = q ? value.slice(1, -1) : value;
    return maskable(inner) ? `${pre}${name}=${q}${maskSecret(inner)}${q}` : all;
  });
  // --flag value
  out = out.replace(/(^|\s)(--?[A-Za-z][\w.-]*)(\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g, (all, pre: string, flag: string, gap: string, value: string) => {
    if (!isSecretName(flag)) return all;
    const q = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
    const inner = q ? value.slice(1, -1) : value;
    return maskable(inner) ? `${pre}${flag}${gap}${q}${maskSecret(inner)}${q}` : all;
  });
  // Authorization: Bearer x
  out = out.replace(/(authorization\s*[:=]\s*["']?(?:bearer|basic|token|digest)\s+)([^\s"',}]+)/gi, (all, pre: string, cred: string) =>
    REFERENCE_ONLY.test(cred) ? all : `${pre}${maskSecret(cred)}`,
  );
  return maskSecretsIn(out);
}

/**
 * An argument list with secrets masked: the value after a secret-like flag (`--access-token x`), the value of
 * `--api-key=x` / `TOKEN=x`, credentials in URLs and known token formats. Same length and order as `args`;
 * non-string elements are kept as they are.
 */
export function redactArgs(args: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a !== 'string') {
      out.push(a);
      continue;
    }
    const prev = i > 0 ? args[i - 1] : undefined;
    if (typeof prev === 'string' && FLAG.test(prev) && isSecretName(prev) && !a.startsWith('-')) {
      out.push(maskNamed(a));
      continue;
    }
    const fv = FLAG_WITH_VALUE.exec(a);
    if (fv && isSecretName(fv[1]!)) {
      out.push(`${fv[1]}=${maskNamed(fv[2]!)}`);
      continue;
    }
    out.push(URL_START.test(a) ? redactUrl(a) : redactText(a));
  }
  return out;
}

/**
 * A deep copy of a config entry (any JSON value) for display, with every secret masked: string members under
 * secret-like names (env variables, headers, `apiKey`, …) masked whatever their value looks like; string arrays
 * treated as argument lists ({@link redactArgs}); every other string through {@link redactText}. Keys are kept.
 * Bounded: deeper than 64 levels or beyond 20,000 values is replaced by `"(not shown)"`. Never throws.
 */
export function redactEntry(value: unknown): unknown {
  let nodes = 0;
  const walk = (v: unknown, depth: number, name: string | undefined): unknown => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return '(not shown)';
    if (typeof v === 'string') {
      if (name !== undefined && isSecretName(name)) return maskNamed(v);
      return URL_START.test(v) ? redactUrl(v) : redactText(v);
    }
    if (Array.isArray(v)) {
      if (v.every((x) => typeof x !== 'object' || x === null)) {
        nodes += v.length;
        return nodes > MAX_NODES ? '(not shown)' : redactArgs(v);
      }
      return v.map((x) => walk(x, depth + 1, undefined));
    }
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        Object.defineProperty(out, k, { value: walk((v as Record<string, unknown>)[k], depth + 1, k), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return walk(value, 0, undefined);
}

/** The value at an RFC 6901 pointer of a JSON value (`undefined` when absent). */
export function valueAtPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let v: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const t = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, t)) return undefined;
    v = (v as Record<string, unknown>)[t];
  }
  return v;
}

/** A field-level change of a launch spec (see `Change` in `./types`). */
interface ChangeLike {
  pointer: string;
  before?: unknown;
  after?: unknown;
}

/**
 * Changes of a launch spec with their values as {@link redactEntry} shows them: each `before` is read from the
 * redacted approved entry and each `after` from the redacted current entry at the change's pointer, so that
 * the value after `--token` or under `env/GITHUB_TOKEN` is masked exactly as in the full entry. Changes of
 * referenced files (`/$files/…`, content hashes) are kept as they are. Keeps the shape and order of `changes`.
 *
 * @param before the approved entry (`record.spec`), or undefined for a new server.
 * @param after the current entry (`spec.raw`).
 */
export function redactChanges<C extends ChangeLike>(changes: readonly C[], before: unknown, after: unknown): C[] {
  if (!changes.length) return [];
  const rb = redactEntry(before);
  const ra = redactEntry(after);
  return changes.map((c) => {
    if (c.pointer.startsWith('/$files/')) return c;
    const out = { ...c };
    if ('before' in c) out.before = c.pointer === '' ? rb : (valueAtPointer(rb, c.pointer) ?? redactEntry(c.before));
    if ('after' in c) out.after = c.pointer === '' ? ra : (valueAtPointer(ra, c.pointer) ?? redactEntry(c.after));
    return out;
  });
}
