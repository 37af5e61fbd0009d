/**
 * The command line of a launch spec as the launch rules see it: `command` followed by `args`, each token with
 * the RFC 6901 pointer of where it is written in the server entry. Shared by the rules of this folder.
 */
import type { ServerSpec } from '../../types';
import { childPointer } from '../pointer';

/** One token of the command line and where it comes from (`/command` or `/args/<i>`). */
export interface ArgToken {
  text: string;
  pointer: string;
  /** {@link programName} of the text, computed once. */
  program: string;
}

const cache = new WeakMap<ServerSpec, ArgToken[]>();
const MAX_TOKENS = 1000;
const MAX_TOKEN_CHARS = 64 * 1024;
const EXE_EXT = new Set(['.exe', '.cmd', '.bat', '.com', '.ps1']);

/** Splits a command string written as a whole command line (`"npx -y pkg"`) on blanks, honouring simple quotes. */
function splitCommandLine(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null && out.length < MAX_TOKENS) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/**
 * The command line of a spec: `[command, ...args]`. A `command` that holds a whole command line and has no
 * `args` (some hosts split it themselves) is split on blanks; all its tokens point at `/command`. Non-string
 * args are skipped; at most 1,000 tokens of at most 64 KiB each (hostile input). Cached per spec object.
 */
export function argv(spec: ServerSpec): ArgToken[] {
  const hit = cache.get(spec);
  if (hit) return hit;
  const out: ArgToken[] = [];
  const args = Array.isArray(spec.args) ? spec.args : [];
  if (typeof spec.command === 'string' && spec.command.length > 0) {
    const cmd = spec.command.slice(0, MAX_TOKEN_CHARS);
    const parts = args.length === 0 && /\s/.test(cmd.trim()) && !/^[a-z]:\\/i.test(cmd) ? splitCommandLine(cmd) : [cmd];
    for (const p of parts) out.push({ text: p, pointer: '/command', program: programName(p) });
  }
  for (let i = 0; i < args.length && out.length < MAX_TOKENS; i++) {
    const a = args[i];
    if (typeof a !== 'string') continue;
    const text = a.length > MAX_TOKEN_CHARS ? a.slice(0, MAX_TOKEN_CHARS) : a;
    out.push({ text, pointer: childPointer('/args', i), program: text.length <= 260 ? programName(text) : '' });
  }
  cache.set(spec, out);
  return out;
}

/**
 * The program name of a token: its last path segment (`/` or `\`), lower-cased, without a Windows executable
 * extension. `C:\Windows\System32\cmd.exe` → `cmd`, `/usr/bin/python3` → `python3`.
 */
export function programName(token: string): string {
  let s = token;
  const slash = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
  if (slash >= 0) s = s.slice(slash + 1);
  s = s.toLowerCase();
  const dot = s.lastIndexOf('.');
  return dot > 0 && EXE_EXT.has(s.slice(dot)) ? s.slice(0, dot) : s;
}
