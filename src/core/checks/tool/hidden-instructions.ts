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
  /\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?(?:previous|prior|above|earlier|preceding|other|system|original)\s+(?:instructions?|prompts?|rules|directions|directives|guidelines|messages?)/i,
];
const MEDIUM: readonly RegExp[] = [
  /\b(?:before|prior\s+to)\s+(?:using|calling|invoking|running|executing)\s+(?:this|the|any)\s+(?:tool|function)\b/i,
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
