/** `isInside` answers exactly as the `path.relative` definition does, on normalized and unnormalized paths alike. */
import assert from 'node:assert/strict';
import { isAbsolute, relative, sep } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isInside } from '../../../../src/core/launch/paths';

/** The definition: `p` is `root` or below it once both are resolved. */
function byRelative(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

test('isInside equals its path.relative definition', () => {
  const segment = fc.constantFrom('a', 'b', '.', '..', '', '.git', '..a', 'a..', 'A', sep, '/', '\\');
  const path = fc.array(segment, { maxLength: 6 }).chain((segs) => fc.boolean().map((abs) => (abs ? sep : '') + segs.join(sep)));
  fc.assert(
    fc.property(path, path, (root, p) => isInside(root, p) === byRelative(root, p)),
    { numRuns: 20_000 },
  );
  for (const [root, p] of [['/a', '/a'], ['/a', '/a/b'], ['/a', '/ab'], ['/a/', '/a/b'], ['/a', '/a/../b'], ['/a', '/a/./b'], ['/a', '/a//b'], ['', '/x'], ['/', '/x']]) {
    assert.equal(isInside(root, p), byRelative(root, p), `${root} ${p}`);
  }
});
