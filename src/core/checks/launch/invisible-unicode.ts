/**
 * Rule `invisible-unicode`: invisible or bidi-control characters (zero-width, U+202A–U+202E, U+2066–U+2069,
 * tag characters U+E0000–U+E007F, other format characters, C0/C1 controls) in the server name, command, args,
 * env keys and values, cwd, envFile, url or headers. They make what an approval prompt shows differ from what
 * runs (CVE-2021-42574 "Trojan Source" for bidi; "ASCII smuggling" for tag characters).
 */
import type { Finding, ServerSpec } from '../../types';
import { childPointer } from '../pointer';
import { finding, type LaunchRule } from '../rule';
import { decodeTagChars, describeCodePoints, findInvisible, mayContainInvisible, snippet } from '../text';

function check(out: Finding[], where: string, text: unknown, pointer: string): void {
  if (typeof text !== 'string' || !mayContainInvisible(text)) return;
  const found = findInvisible(text, 1000);
  if (found.length === 0) return;
  const hidden = found.some((f) => f.kind === 'tag') ? `; hidden tag text: "${snippet(decodeTagChars(text), 120)}"` : '';
  out.push(
    finding('invisible-unicode', 'high', `${where} contains invisible characters (${describeCodePoints(found)}): ${snippet(text, 100)}${hidden}`, pointer),
  );
}

/** See the file comment. Severity high; pointer at the field (`""` for the server name). */
export const invisibleUnicode: LaunchRule = {
  id: 'invisible-unicode',
  description: 'Invisible or bidi-control Unicode in the server name, command, args, env, url or headers.',
  check(spec: ServerSpec): Finding[] {
    const out: Finding[] = [];
    check(out, 'server name', spec.name, '');
    check(out, 'command', spec.command, '/command');
    if (Array.isArray(spec.args)) spec.args.forEach((a, i) => check(out, `argument ${i}`, a, childPointer('/args', i)));
    for (const field of ['env', 'headers'] as const) {
      const map = spec[field];
      if (!map || typeof map !== 'object') continue;
      for (const k of Object.keys(map)) {
        check(out, `${field} name`, k, childPointer(`/${field}`, k));
        check(out, `${field} ${snippet(k, 40)}`, map[k], childPointer(`/${field}`, k));
      }
    }
    check(out, 'cwd', spec.cwd, '/cwd');
    check(out, 'envFile', spec.envFile, '/envFile');
    check(out, 'url', spec.url, '/url');
    return out;
  },
};
