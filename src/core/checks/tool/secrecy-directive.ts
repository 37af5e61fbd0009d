/**
 * Rule `secrecy-directive`: the text tells the model to hide something from the user ("do not tell the user",
 * "don't reveal this", "without informing the user", "keep this secret"). A tool has no honest reason to.
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, firstMatch, where } from './common';

const NEG = String.raw`(?:do\s+not|don['’]?t|dont|never|must\s+not|mustn['’]?t|should\s+not|shouldn['’]?t|not\s+to)`;
const PATTERNS: readonly RegExp[] = [
  new RegExp(String.raw`\b${NEG}\s+(?:ever\s+)?(?:tell|mention|inform|notify|alert|reveal|disclose|show|explain|say|let|warn)\b[^.!?\n]{0,80}?\b(?:the\s+)?(?:user|users|human|operator|person|anyone)\b`, 'i'),
  new RegExp(String.raw`\b${NEG}\s+(?:ever\s+)?(?:reveal|disclose|mention)\s+(?:this|that|these|it|them|the\s+(?:above|following|instructions?|fact|sidenote|file))\b`, 'i'),
  /\bwithout\s+(?:telling|informing|notifying|alerting|asking|letting|showing|warning)\b[^.!?\n]{0,30}?\b(?:the\s+)?(?:user|users|human|them)\b/i,
  /\bkeep\s+(?:this|it|that|these|them)\s+(?:a\s+)?(?:secret|hidden|confidential|private)\b/i,
  /\b(?:hide|conceal)\s+(?:this|it|that|these|them)\s+from\s+(?:the\s+)?(?:user|users|human)\b/i,
  /\bthe\s+user\s+(?:must|should|may)\s+not\s+(?:know|see|notice|be\s+told|find\s+out)\b/i,
];

/** See the file comment. Severity high. */
export const secrecyDirective: ItemRule = {
  id: 'secrecy-directive',
  description: 'Tells the model to hide something from the user ("do not tell the user", "don\'t reveal this").',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      const m = firstMatch(s.text, PATTERNS);
      return m ? finding('secrecy-directive', 'high', `${where(s)} tells the model to hide something from the user ("${snippet(m[0], 80)}")`, s.pointer) : null;
    });
  },
};
