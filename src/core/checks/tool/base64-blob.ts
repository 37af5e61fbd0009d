/**
 * Rule `base64-blob`: a run of at least 1 KiB of base64 alphabet (standard or URL-safe) in one string — an
 * opaque payload a reviewer cannot read (encoded instructions, binaries). When it decodes to mostly printable
 * text, the start of that text is shown. Image `data:` URIs under `icons` (MCP spec 2025-06-18 icons) are fine.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, where } from './common';

/** Minimum run length, in characters. */
export const BASE64_MIN_RUN = 1024;
const RUN = /[A-Za-z0-9+/_-]{1024,}={0,2}/;
const ICON_DATA_URI = /^data:image\/[\w.+-]+;base64,/i;

function decodedPreview(run: string): string | null {
  const bytes = Buffer.from(run.slice(0, 4096).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length === 0) return null;
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
  return printable / bytes.length >= 0.9 ? bytes.toString('latin1') : null;
}

/** See the file comment. Severity medium. */
export const base64Blob: ItemRule = {
  id: 'base64-blob',
  description: 'A large base64 blob (>= 1 KiB of base64 alphabet in one run).',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      if (s.text.length < BASE64_MIN_RUN) return null;
      if (ICON_DATA_URI.test(s.text) && /\/icons\/\d+\/src$/.test(s.pointer)) return null;
      const m = RUN.exec(s.text);
      if (!m) return null;
      const run = m[0];
      if (!/[0-9]/.test(run) || !/[a-z]/.test(run) || !/[A-Z]/.test(run)) return null;
      const text = decodedPreview(run);
      const decoded = text ? `; it decodes to text: "${snippet(text, 120)}"` : '';
      return finding('base64-blob', 'medium', `${where(s)} holds a ${run.length.toLocaleString('en-US')}-character base64 blob${decoded}`, s.pointer);
    }, 50, { decoded: false });
  },
};
