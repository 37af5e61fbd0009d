/**
 * RFC 6901 JSON Pointer helpers used by the static checks to say where a finding is.
 */

const NEEDS_ESCAPE = /[~/]/;

/**
 * Escapes one reference token per RFC 6901 section 3 (`~` → `~0`, `/` → `~1`).
 *
 * @param token an object key or an array index.
 * @returns the escaped token, without the leading `/`. Never throws.
 */
export function escapePointerToken(token: string | number): string {
  const s = String(token);
  return NEEDS_ESCAPE.test(s) ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s;
}

/**
 * Appends reference tokens to a pointer: `childPointer('/env', 'A/B')` is `/env/A~1B`.
 *
 * @param base an RFC 6901 pointer (`""` for the whole document).
 * @param tokens unescaped keys or indexes, outermost first.
 */
export function childPointer(base: string, ...tokens: (string | number)[]): string {
  let p = base;
  for (const t of tokens) p += '/' + escapePointerToken(t);
  return p;
}

/**
 * The last reference token of a pointer, unescaped (`/mcpServers/a~1b` → `a/b`); `""` for the whole document.
 * Never throws.
 */
export function lastPointerToken(pointer: string): string {
  return pointer
    .slice(pointer.lastIndexOf('/') + 1)
    .replace(/~1/g, '/')
    .replace(/~0/g, '~');
}
