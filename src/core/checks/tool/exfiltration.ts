/**
 * Rule `exfiltration`: the text describes sending data somewhere: a network tool aimed at a URL or host
 * (`curl … http://…`, `wget`, `nc host port`) — high — or "send/post/upload … to <URL/e-mail/endpoint>" —
 * high when what is sent sounds sensitive (contents, keys, tokens, conversation…), medium otherwise.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, where } from './common';

const NET_TOOL = /\b(?:curl|wget|nc|ncat|netcat|socat|invoke-webrequest|invoke-restmethod|iwr|irm|scp|rsync|tftp)\b[^\n]{0,200}?(?:\b(?:https?|ftp|tftp|smb|ldap|gopher|dict):\/\/|\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[\w.-]+@[\w.-]+:)/i;
const NC = /\b(?:nc|ncat|netcat)\s+(?:-\w+\s+)*[\w.-]+\s+\d{2,5}\b/i;
const SEND = /\b(?:send|sends|post|posts|upload|uploads|forward|forwards|transmit|submit|exfiltrate|leak|copy|email|mail|report)\b((?:[^.!?\n]|[.!?](?=\S)){0,120}?)\bto\s+(?:(?:https?|ftp):\/\/\S+|[\w.+-]+@[\w-]+\.[\w.-]+|(?:the\s+|this\s+)?(?:following\s+)?(?:url|endpoint|webhook|server\s+at|address)\b)/i;
const SENSITIVE_OBJECT = /\b(?:content|contents|key|keys|token|tokens|secret|secrets|password|passwords|credential|credentials|conversation|chat|history|messages?|files?|env|environment|ssh|cookies?|config|configuration|data|sidenote)\b/i;

/** See the file comment. */
export const exfiltration: ItemRule = {
  id: 'exfiltration',
  description: 'Describes sending data out: curl/wget/nc to a URL or host, "send … to http…", "POST … to".',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      if (s.isKey && s.text.length < 8) return null;
      const net = NET_TOOL.exec(s.text) ?? NC.exec(s.text);
      if (net) return finding('exfiltration', 'high', `${where(s)} sends data with a network tool ("${snippet(net[0], 100)}")`, s.pointer);
      const send = SEND.exec(s.text);
      if (send) {
        const sev = SENSITIVE_OBJECT.test(send[1] ?? '') ? 'high' : 'medium';
        return finding('exfiltration', sev, `${where(s)} asks to send data elsewhere ("${snippet(send[0], 100)}")`, s.pointer);
      }
      return null;
    });
  },
};
