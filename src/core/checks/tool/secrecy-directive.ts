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
  // "do not tell the user" in Spanish, Portuguese, French, German, Italian, Russian, Chinese, Japanese
  /\bno\s+(?:se\s+lo\s+|le\s+)?(?:digas|diga|menciones|mencione|informes|cuentes)\b[^.!?\n]{0,30}?\busuario\b|\bnão\s+(?:conte|diga|mencione|informe)\b[^.!?\n]{0,30}?\busuário\b/i,
  /\bne\s+(?:le\s+|lui\s+|l['’]\s*)?(?:dites|dis|mentionnez|mentionne|révélez|informez)\s+(?:pas|rien|jamais)\b[^.!?\n]{0,30}?\butilisateur\b|\bn['’]en\s+parle[zs]?\s+pas\b[^.!?\n]{0,30}?\butilisateur\b/i,
  /\b(?:sag|sagen\s+sie|erwähne|erwähnen\s+sie|verrate|verraten\s+sie)\s+(?:dem|der)\s+(?:benutzer|nutzer|anwender)\w*\s+(?:nichts|nicht)\b|\bohne\s+(?:den|die)\s+(?:benutzer|nutzer)\w*\s+zu\s+informieren\b/i,
  /\bnon\s+(?:dire|dirlo|menzionare|rivelare)\b[^.!?\n]{0,30}?\butente\b/i,
  /не\s+(?:сообщай(?:те)?|говори(?:те)?|рассказывай(?:те)?|упоминай(?:те)?)\s+(?:об\s+этом\s+|этого\s+)?пользовател/i,
  /(?:不要|别|勿|不得)(?:告诉|告知|通知|透露给|让)(?:用户|使用者)|ユーザー(?:に|には)(?:言わない|伝えない|知らせない|教えない)/,
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
