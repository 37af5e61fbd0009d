/**
 * Rule `hidden-instructions`: text addressed to the model rather than describing the tool: prompt-injection
 * markers (`<IMPORTANT>`, `<system>`, `[INST]`, `<|im_start|>`, "ignore previous instructions") — high — and
 * pre-conditions imposed on the model ("before using this tool, …", "you must always …") — medium.
 * Source: Invariant Labs, "MCP Security Notification: Tool Poisoning Attacks" (2025).
 */
import type { Finding } from '../../types';
import { finding, type ItemCheckContext, type ItemRule } from '../rule';
import { snippet } from '../text';
import { eachString, firstMatch, where } from './common';

const HIGH: readonly RegExp[] = [
  /<\s*\/?\s*(?:important|system|instructions?|system[-_ ]?prompt|hidden|critical|assistant|admin[-_ ]?instructions?)\s*>/i,
  /\[\/?INST\]|<<\/?SYS>>|<\|(?:im_start|im_end|system|endoftext|start_header_id)\|>/i,
  /<\s*\/?\s*(?:重要|importante|wichtig|важно)\s*>/i,
  /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|other|system|original)\s+(?:instructions?|prompts?|rules|directions|directives|guidelines|messages?)/i,
  // "ignore (all) previous instructions" in Spanish, Portuguese, French, German, Italian, Russian, Chinese, Japanese
  /\b(?:ignora|ignore|ignorez|ignoriere|ignorieren\s+sie)\s+(?:todas\s+|todos\s+|toutes\s+|tous\s+|alle\s+|tutte\s+)?(?:las\s+|os\s+|as\s+|les\s+|die\s+|le\s+)?(?:instrucciones|instruções|instructions|anweisungen|istruzioni)\s+(?:anteriores|précédentes|vorherigen|precedenti)/i,
  /\b(?:ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie)\s+(?:alle\s+|die\s+)?(?:vorherigen|früheren|bisherigen|obigen)\s+(?:anweisungen|instruktionen|befehle|regeln)\b|\b(?:ignore[sz]?|oublie[sz]?)\s+(?:toutes\s+)?(?:les\s+)?(?:précédentes|anciennes)\s+instructions\b/i,
  /(?:игнорируй(?:те)?|забудь(?:те)?)\s+(?:все\s+)?(?:предыдущие|прежние)\s+(?:инструкции|указания)/i,
  /(?:忽略|无视|忽视)(?:之前|以前|先前|上面)?的?(?:所有|全部)?(?:指令|指示|说明)|(?:以前|前)の(?:指示|命令)を(?:すべて|全て)?無視/,
];
const MEDIUM: readonly RegExp[] = [
  // sentence-initial only: "…, resolve it to an absolute path before calling this tool" is a plain pre-condition
  /\b(?:before|prior\s+to)(?<=(?:^|[.!?:]\s{1,5}|\n\s{0,20}|>\s{0,5})(?:before|prior\s+to))\s+(?:using|calling|invoking|running|executing)\s+(?:this|the|any)\s+(?:tool|function)\b/i,
  /\byou\s+(?:must|have\s+to|need\s+to)\s+(?:always|first|never|also)\b/i,
  /\b(?:the\s+)?(?:assistant|model|ai|llm)\s+(?:must|should)\s+(?:always|first|never)\b/i,
];

/** See the file comment. */
export const hiddenInstructions: ItemRule = {
  id: 'hidden-instructions',
  description: 'Prompt-injection markers (<IMPORTANT>, <system>, "ignore previous instructions") or instructions to the model.',
  check(item: unknown, _ctx: ItemCheckContext): Finding[] {
    return eachString(item, (s) => {
      const high = firstMatch(s.text, HIGH);
      if (high) return finding('hidden-instructions', 'high', `${where(s)} contains an instruction marker "${snippet(high[0], 60)}": ${snippet(s.text, 120)}`, s.pointer);
      const med = firstMatch(s.text, MEDIUM);
      if (med) return finding('hidden-instructions', 'medium', `${where(s)} gives the model instructions ("${snippet(med[0], 60)}"): ${snippet(s.text, 120)}`, s.pointer);
      return null;
    });
  },
};
