/** The dotenv subset hosts read (VS Code `envFile`, Gemini CLI `.env`): one parser for launching and pinning. */

/**
 * Parses a dotenv file (the subset hosts accept): `KEY=value` lines, optional `export ` prefix, `#` comments,
 * single-quoted (literal) and double-quoted (`\n`, `\r`, `\t`, `\"`, `\\` escapes) values, unquoted values
 * trimmed with a trailing ` #comment` removed. Lines that are not assignments are ignored. Never throws.
 *
 * @returns a null-prototype record, later keys winning.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const re = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\r\n]*))/gm;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    let v: string;
    if (m[2] !== undefined) {
      v = m[2].replace(/\\(.)/gs, (_w, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
    } else if (m[3] !== undefined) {
      v = m[3];
    } else {
      v = (m[4] ?? '').replace(/[ \t]+#.*$/, '').trim();
    }
    out[m[1]] = v;
  }
  return out;
}
