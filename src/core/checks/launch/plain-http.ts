/**
 * Rule `plain-http`: a plain `http://` URL to a host that is not loopback, in the server `url` or in an
 * argument. Anyone on the path can read the traffic (tokens included) and rewrite the server's answers (tool
 * descriptions included). Loopback (127.0.0.0/8, `::1`, `localhost`) is fine.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { isLoopbackHost, snippet } from '../text';
import { argv } from './argv';
import { urlHost, urlPointer } from './url';

const HTTP_IN_TEXT = /\bhttp:\/\/[^\s"'<>`]+/gi;

function isRemoteHttp(url: string): boolean {
  if (!/^http:\/\//i.test(url)) return false;
  const host = urlHost(url);
  return host !== null && !isLoopbackHost(host);
}

/** See the file comment. Severity medium; pointer `/url` (or `/serverUrl`, `/httpUrl`) or `/args/<i>`. */
export const plainHttp: LaunchRule = {
  id: 'plain-http',
  description: 'Plain http:// URL to a non-loopback host (traffic and tool descriptions can be read and rewritten on the way).',
  check(spec: ServerSpec): Finding[] {
    const out: Finding[] = [];
    if (typeof spec.url === 'string' && isRemoteHttp(spec.url.trim())) {
      out.push(finding('plain-http', 'medium', `server URL ${snippet(spec.url, 100)} uses plain http to a remote host`, urlPointer(spec)));
    }
    for (const t of argv(spec)) {
      if (!/http:\/\//i.test(t.text)) continue;
      for (const m of t.text.matchAll(HTTP_IN_TEXT)) {
        if (isRemoteHttp(m[0])) {
          out.push(finding('plain-http', 'medium', `argument URL ${snippet(m[0], 100)} uses plain http to a remote host`, t.pointer));
          break;
        }
      }
    }
    return out;
  },
};
