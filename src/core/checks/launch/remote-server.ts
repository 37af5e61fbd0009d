/**
 * Rule `remote-server` (info): the server is reached over HTTPS at a non-loopback host. Not a problem in
 * itself, but its code and its tool descriptions can change at any time without any local file changing, so
 * only pinning its tool metadata notices.
 */
import type { Finding, ServerSpec } from '../../types';
import { finding, type LaunchRule } from '../rule';
import { isLoopbackHost, snippet } from '../text';
import { urlHost, urlPointer } from './url';

/** See the file comment. Severity info; pointer at the URL member. */
export const remoteServer: LaunchRule = {
  id: 'remote-server',
  description: 'The server is remote (https to a non-loopback host): its code and tools can change without any local change.',
  check(spec: ServerSpec): Finding[] {
    if (typeof spec.url !== 'string' || !/^https:\/\//i.test(spec.url.trim())) return [];
    const host = urlHost(spec.url.trim());
    if (host === null || isLoopbackHost(host)) return [];
    return [finding('remote-server', 'info', `remote server at ${snippet(host, 80)}: only its tool pins show when it changes`, urlPointer(spec))];
  },
};
