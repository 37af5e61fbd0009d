/**
 * Rule `pipe-to-shell`: a download piped into an interpreter (`curl … | sh`, `wget -O- … | bash`,
 * `iex (iwr …)`, `bash <(curl …)`, `sh -c "$(curl …)"`): code fetched at launch time, never reviewed.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { snippet } from '../text';
import { argv } from './argv';

const FETCH = String.raw`(?:curl|wget|fetch|iwr|irm|invoke-webrequest|invoke-restmethod|(?:new-object\s+)?(?:system\.)?net\.webclient)`;
const INTERP = String.raw`(?:sh|bash|zsh|dash|ksh|python[0-9.]*|node|perl|ruby|php|iex|invoke-expression|powershell|pwsh)`;
const PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\b${FETCH}\b[^|]{0,500}\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\S*[/\\])?${INTERP}\b`, 'i'),
  new RegExp(String.raw`\b(?:iex|invoke-expression)\b[\s(]{0,8}\b${FETCH}\b`, 'i'),
  new RegExp(String.raw`\b${INTERP}\s+<\(\s*${FETCH}\b`, 'i'),
  new RegExp(String.raw`\$\(\s*${FETCH}\b`, 'i'),
];
const FETCH_WORD = new RegExp(String.raw`\b${FETCH}\b`, 'i');

function matches(text: string): boolean {
  for (const p of PATTERNS) if (p.test(text)) return true;
  return false;
}

/** See the file comment. Severity high; pointer at the token holding the download (or the whole pipeline). */
export const pipeToShell: LaunchRule = {
  id: 'pipe-to-shell',
  description: 'A download (curl/wget/iwr) is piped into a shell or interpreter (curl … | sh, iex (iwr …)).',
  check(spec: ServerSpec): Finding[] {
    const tokens = argv(spec);
    for (const t of tokens) {
      if (matches(t.text)) {
        return [finding('pipe-to-shell', 'high', `downloads and runs code: ${snippet(t.text, 120)}`, t.pointer)];
      }
    }
    if (tokens.length > 1) {
      const joined = tokens.map((t) => t.text).join(' ');
      if (matches(joined)) {
        const at = tokens.find((t) => FETCH_WORD.test(t.text)) ?? tokens[0]!;
        return [finding('pipe-to-shell', 'high', `downloads and runs code: ${snippet(joined, 120)}`, at.pointer)];
      }
    }
    return [];
  },
};
