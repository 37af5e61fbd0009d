/**
 * Which Problems the guard publishes, where, and how severe — pure, so it is unit-tested without VS Code
 * (`diagnostics.ts` turns the plan into `vscode.Diagnostic`s).
 *
 * Only what needs an action: a new server, a changed one, a denied one still listed in its file (its host may
 * launch it), a high finding, and config parse errors. Medium, low and info findings are hints in the Servers
 * view; a per-rule override (`mcpTrustGuard.problems.severity`) brings any of them back or turns any rule off.
 * User-level files (`~/.cursor/mcp.json`, …, outside the workspace) are left out unless
 * `mcpTrustGuard.problems.userLevel` is on: they are reviewed in the Servers view.
 *
 * Ranges are precise: the changed value (not the whole entry), the value a finding points at, the first line
 * of a new entry. They are computed from the entry's own source text (`spec.sourceText`, which starts at
 * `spec.range.line`/`column`), parsed with jsonc-parser; no file is read here.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { ServerReport } from '../../core/scan';
import type { ConfigError, Finding, Severity } from '../../core/types';
import { changeLine, fieldName, hostName, safeText, shownChanges } from '../text';
import { serverKeyOf } from '../services/serverKey';

/** Severity of a Problem, or `off` (not published). */
export type ProblemLevel = 'error' | 'warning' | 'information' | 'hint' | 'off';

/** Settings that shape the plan. */
export interface ProblemSettings {
  /** Publish Problems for user-level config files too (default off). */
  userLevel: boolean;
  /** Per rule id (`server-new`, `server-changed`, `server-denied`, `config-error` or a check's rule id): its level. */
  severity: Readonly<Record<string, ProblemLevel>>;
}

/** A zero-based range: start line/character, end line/character. */
export interface PlanRange {
  startLine: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

/** One Problem to publish. */
export interface PlannedProblem {
  file: string;
  range: PlanRange;
  message: string;
  level: Exclude<ProblemLevel, 'off'>;
  /** The rule id (diagnostic `code`). */
  code: string;
  /** The server it is about (quick fixes act on it), if any. */
  server?: { configFile: string; pointer: string; resolvedIn?: string; state: ServerReport['state'] };
}

const FINDING_LEVEL: Record<Severity, ProblemLevel> = { high: 'error', medium: 'off', low: 'off', info: 'off' };
const STATE_LEVEL: Record<string, ProblemLevel> = { 'server-new': 'warning', 'server-changed': 'error', 'server-denied': 'warning', 'config-error': 'error' };

function levelOf(code: string, fallback: ProblemLevel, s: ProblemSettings): ProblemLevel {
  const o = s.severity[code];
  return o === 'error' || o === 'warning' || o === 'information' || o === 'hint' || o === 'off' ? o : fallback;
}

/** Line/character of `offset` inside an entry whose text starts at (`line`, `column`), one-based. */
function positionIn(text: string, offset: number, line: number, column: number): { line: number; character: number } {
  let l = line - 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      l++;
      lineStart = i + 1;
    }
  }
  return { line: Math.max(0, l), character: l === line - 1 ? Math.max(0, column - 1) + end : end - lineStart };
}

/** The range of the node at a JSON Pointer (relative to the entry) in its source text; undefined when absent. */
export function pointerRange(s: Pick<ServerReport['spec'], 'sourceText' | 'range'>, pointer: string, tree?: Node): PlanRange | undefined {
  const text = s.sourceText ?? '';
  const root = tree ?? parseTree(text);
  if (!root) return undefined;
  const path = pointer === '' ? [] : pointer.split('/').slice(1).map((t) => {
    const k = t.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(k) ? Number(k) : k;
  });
  let node = findNodeAtLocation(root, path);
  // a member that was removed: point at its parent
  for (let p = path.slice(0, -1); !node && p.length; p = p.slice(0, -1)) node = findNodeAtLocation(root, p);
  if (!node) return undefined;
  const a = positionIn(text, node.offset, s.range.line, s.range.column);
  const b = positionIn(text, node.offset + node.length, s.range.line, s.range.column);
  return { startLine: a.line, startCharacter: a.character, endLine: b.line, endCharacter: b.character };
}

/** The first line of an entry (where it starts, to the end of its first line). */
function firstLine(s: ServerReport['spec']): PlanRange {
  const text = s.sourceText ?? '';
  const nl = text.indexOf('\n');
  const len = nl < 0 ? text.length : nl;
  const line = Math.max(0, s.range.line - 1);
  const ch = Math.max(0, s.range.column - 1);
  return { startLine: line, startCharacter: ch, endLine: line, endCharacter: ch + Math.max(1, len) };
}

/**
 * The Problems of one snapshot's servers, errors and file-level findings.
 * @param userFiles config files that are user-level (left out unless `settings.userLevel`).
 */
export function planProblems(
  servers: readonly ServerReport[],
  errors: readonly ConfigError[],
  fileFindings: readonly (Finding & { configFile: string })[],
  userFiles: ReadonlySet<string>,
  settings: ProblemSettings,
): PlannedProblem[] {
  const out: PlannedProblem[] = [];
  const wanted = (file: string) => settings.userLevel || !userFiles.has(file);
  for (const s of servers) {
    if (!wanted(s.spec.configFile)) continue;
    const name = safeText(s.spec.name, 60);
    const server = { ...serverKeyOf(s.spec), state: s.state };
    const tree = parseTree(s.spec.sourceText ?? '');
    const push = (code: string, fallback: ProblemLevel, range: PlanRange, message: string) => {
      const level = levelOf(code, fallback, settings);
      if (level !== 'off') out.push({ file: s.spec.configFile, range, message, level, code, server });
    };
    if (s.state === 'new') {
      const renamed = s.sameAs ? ` It carries the launch approved as "${safeText(s.sameAs.name, 40)}" (renamed).` : '';
      push('server-new', STATE_LEVEL['server-new']!, firstLine(s.spec), `New MCP server "${name}" is not approved yet; ${hostName(s.spec.host)} may launch it.${renamed}`);
    } else if (s.state === 'changed') {
      const changes = shownChanges(s);
      const inEntry = changes.filter((c) => !c.pointer.startsWith('/$files/'));
      const files = changes.filter((c) => c.pointer.startsWith('/$files/'));
      for (const c of inEntry.slice(0, 20)) {
        push('server-changed', STATE_LEVEL['server-changed']!, pointerRange(s.spec, c.pointer, tree) ?? firstLine(s.spec), `MCP server "${name}" changed since it was approved: ${changeLine(c, 60)}.`);
      }
      if (files.length || !inEntry.length) {
        const what = files.length ? files.slice(0, 3).map((c) => changeLine(c, 60)).join('; ') : 'its bytes (strict mode)';
        push('server-changed', STATE_LEVEL['server-changed']!, firstLine(s.spec), `MCP server "${name}" changed since it was approved: ${what}.`);
      }
    } else if (s.state === 'denied') {
      push('server-denied', STATE_LEVEL['server-denied']!, firstLine(s.spec), `MCP server "${name}" is denied but still listed; ${hostName(s.spec.host)} may launch it. Block moves it out of the servers.`);
    }
    for (const f of s.findings) {
      push(f.ruleId, FINDING_LEVEL[f.severity] ?? 'off', pointerRange(s.spec, f.pointer ?? '', tree) ?? firstLine(s.spec), `${name}: ${safeText(f.message, 300)} (${fieldName(f.pointer ?? '')})`);
    }
  }
  for (const e of errors) {
    if (!wanted(e.configFile)) continue;
    const level = levelOf('config-error', 'error', settings);
    if (level === 'off') continue;
    const line = Math.max(0, (e.line ?? 1) - 1);
    const col = Math.max(0, (e.column ?? 1) - 1);
    out.push({ file: e.configFile, range: { startLine: line, startCharacter: col, endLine: line, endCharacter: col + 1 }, message: safeText(e.message, 300), level, code: 'config-error' });
  }
  for (const f of fileFindings) {
    if (!wanted(f.configFile)) continue;
    const level = levelOf(f.ruleId, FINDING_LEVEL[f.severity] ?? 'off', settings);
    if (level === 'off') continue;
    out.push({ file: f.configFile, range: { startLine: 0, startCharacter: 0, endLine: 0, endCharacter: 1 }, message: safeText(f.message, 300), level, code: f.ruleId });
  }
  return out;
}
