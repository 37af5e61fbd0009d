/**
 * Rule `inline-secret`: a secret written in the config file itself (env values, headers, args, URL user-info
 * or query). Config files get committed, synced and shared; secrets belong in `${input:…}` prompts (VS Code),
 * `${env:…}` references or an `envFile` outside the repository. The message masks the secret.
 * Detected: known token formats (GitHub `ghp_`/`github_pat_`, `sk-`, Slack `xox?-`, AWS `AKIA…`, …, see
 * `../text.ts`), `Authorization: Bearer|Basic <token>`, and high-entropy values under secret-like names
 * (`*TOKEN*`, `*SECRET*`, `*KEY*`, `*PASSWORD*`, …).
 */
import type { Finding, ServerSpec } from '../../types';
import { childPointer } from '../pointer';
import { finding, type LaunchRule } from '../rule';
import { looksLikeInlineSecret, maskSecret, matchKnownSecret, SECRET_NAME, snippet } from '../text';
import { argv } from './argv';
import { urlPointer, urlUserInfo } from './url';

const AUTH_SCHEME = /^\s*(?:bearer|basic|token)\s+(\S{12,})\s*$/i;
const REFERENCE_ONLY = /^\s*(?:(?:bearer|basic|token)\s+)?(?:\$\{[^}]+\}|\$[A-Za-z_]\w*|%\w+%)\s*$/i;
const FLAG_WITH_VALUE = /^--?([A-Za-z][\w.-]*)=(.+)$/;
const QUERY_PARAM = /[?&]([^=&#\s]+)=([^&#\s]+)/g;

function secretIn(name: string, value: string): string | null {
  if (value.length === 0 || value.length > 8192 || REFERENCE_ONLY.test(value)) return null;
  const known = matchKnownSecret(value);
  if (known) return known;
  if (/^authorization$|^proxy-authorization$/i.test(name)) {
    const m = AUTH_SCHEME.exec(value);
    if (m && !/[${}]/.test(m[1]!)) return m[1]!;
  }
  return SECRET_NAME.test(name) ? looksLikeInlineSecret(value) : null;
}

function msg(where: string, secret: string): string {
  return `${where} holds an inline secret (${maskSecret(secret)}); reference it with \${input:…} or \${env:…} instead`;
}

/** See the file comment. Severity high; pointer `/env/<NAME>`, `/headers/<Name>`, `/args/<i>` or the URL member. */
export const inlineSecret: LaunchRule = {
  id: 'inline-secret',
  description: 'A secret (token, API key, password) is written inline in env, headers, args or the URL.',
  check(spec: ServerSpec): Finding[] {
    const out: Finding[] = [];
    for (const [field, map] of [['env', spec.env], ['headers', spec.headers]] as const) {
      if (!map || typeof map !== 'object') continue;
      for (const name of Object.keys(map)) {
        const value = map[name];
        if (typeof value !== 'string') continue;
        const s = secretIn(name, value);
        if (s) out.push(finding('inline-secret', 'high', msg(`${field} ${snippet(name, 60)}`, s), childPointer(`/${field}`, name)));
      }
    }
    const tokens = argv(spec);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      let s = matchKnownSecret(t.text);
      if (!s) {
        const fv = FLAG_WITH_VALUE.exec(t.text);
        if (fv) s = secretIn(fv[1]!, fv[2]!);
        else if (/^--?[A-Za-z][\w.-]*$/.test(t.text) && SECRET_NAME.test(t.text) && tokens[i + 1]) {
          s = secretIn(t.text.replace(/^-+/, ''), tokens[i + 1]!.text);
          if (s) {
            out.push(finding('inline-secret', 'high', msg(`argument after ${snippet(t.text, 40)}`, s), tokens[i + 1]!.pointer));
            i++;
            continue;
          }
        }
      }
      if (s) out.push(finding('inline-secret', 'high', msg('argument', s), t.pointer));
    }
    if (typeof spec.url === 'string') {
      const url = spec.url;
      const info = urlUserInfo(url);
      let s: string | null = info && !REFERENCE_ONLY.test(info.slice(info.indexOf(':') + 1)) ? info.slice(info.indexOf(':') + 1) : null;
      if (!s) s = matchKnownSecret(url);
      if (!s) {
        for (const m of url.matchAll(QUERY_PARAM)) {
          s = secretIn(decodeURIComponentSafe(m[1]!), decodeURIComponentSafe(m[2]!));
          if (s) break;
        }
      }
      if (s) out.push(finding('inline-secret', 'high', msg('server URL', s), urlPointer(spec)));
    }
    return out;
  },
};

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
