/**
 * URL helpers of the launch rules: where the spec's URL is written (`url`, Windsurf `serverUrl`, Gemini CLI
 * `httpUrl`) and the host of a URL without a full parse.
 */
import type { ServerSpec } from '../../types';

const URL_KEYS = ['url', 'serverUrl', 'httpUrl'] as const;
const HOST = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#\s]*@)?(\[[^\]\s]*\]|[^:/?#\s]*)/i;

/** RFC 6901 pointer of the member that holds `spec.url` in the raw entry (`/url` when it cannot be told). */
export function urlPointer(spec: ServerSpec): string {
  const raw = spec.raw;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const r = raw as Record<string, unknown>;
    for (const k of URL_KEYS) if (Object.prototype.hasOwnProperty.call(r, k) && r[k] === spec.url) return `/${k}`;
  }
  return '/url';
}

/**
 * The host part of an absolute URL (`http://user@[::1]:8080/x` → `[::1]`), lower-cased; `null` when the text is
 * not an absolute URL or the host holds a variable (`${env:HOST}`), which cannot be judged statically.
 */
export function urlHost(url: string): string | null {
  const m = HOST.exec(url);
  if (!m || m[1] === '' || /[${}%]/.test(m[1]!)) return null;
  return m[1]!.toLowerCase();
}

/** Does the URL carry credentials in its user-info part (`https://user:pass@host`)? Returns them, or `null`. */
export function urlUserInfo(url: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#\s]+)@/i.exec(url);
  return m && m[1]!.includes(':') ? m[1]! : null;
}
