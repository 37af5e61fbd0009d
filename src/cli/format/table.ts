import { redactArgs, redactChanges, redactText, redactUrl } from '../../core/redact';
import type { ScanReport, ServerReport } from '../../core/scan';
import type { Severity } from '../../core/types';
import { changePointerText, clip, palette, safeText, showChangeValue, visibleLength } from './text';

/** One-line summary of what a server launches: the command line, or the URL; secrets masked (`core/redact`). */
export function launchLine(s: ServerReport): string {
  const { spec } = s;
  if (spec.transport === 'stdio') return [redactText(spec.command ?? '(no command)'), ...redactArgs(spec.args ?? []).map(String)].join(' ');
  return spec.url === undefined ? '(no url)' : redactUrl(spec.url);
}

/** ` in workspace <path>` for a user-level entry resolved per workspace (its decision is that workspace's), else empty. */
export function inWorkspace(s: ServerReport): string {
  return s.spec.resolvedIn === undefined ? '' : ` in workspace ${safeText(s.spec.resolvedIn)}`;
}

const STATE_LABEL: Record<ServerReport['state'], string> = {
  new: 'NEW',
  approved: 'approved',
  changed: 'CHANGED',
  denied: 'DENIED',
};

/**
 * Renders a scan as a readable table followed by the details that need attention (changes, findings at
 * medium or above, config errors with file:line:column). Every attacker-written string goes through `safeText`.
 */
export function renderTable(r: ScanReport, color: boolean, extra?: ReadonlyMap<ServerReport, string[]>): string {
  const c = palette(color);
  const sev = (s: Severity) => (s === 'high' ? c.red(s) : s === 'medium' ? c.yellow(s) : c.dim(s));
  const lines: string[] = [];
  const org = (s: ServerReport) => (s.policy ? ' (org)' : '');
  const rows = r.servers.map((s) => [
    s.state === 'approved' ? c.green(STATE_LABEL[s.state] + org(s)) + (s.cosmetic ? c.dim(' (cosmetic edit)') : '') : c.red(STATE_LABEL[s.state] + org(s)),
    s.spec.host,
    clip(safeText(s.spec.name), 32),
    s.spec.transport,
    clip(safeText(launchLine(s)), 60),
    `${s.spec.configFile}:${s.spec.range.line}${inWorkspace(s)}`,
  ]);
  const header = ['STATE', 'HOST', 'SERVER', 'TRANSPORT', 'LAUNCH', 'CONFIG'];
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((row) => visibleLength(row[i]))));
  const fmt = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - visibleLength(cell)))).join('  ');
  if (rows.length) {
    lines.push(c.bold(fmt(header)));
    for (const row of rows) lines.push(fmt(row));
  } else {
    lines.push('No MCP servers found.');
  }

  for (const s of r.servers) {
    const notable = s.findings.filter((f) => f.severity === 'high' || f.severity === 'medium');
    const more = extra?.get(s) ?? [];
    if (s.state === 'approved' && !notable.length && !more.length) continue;
    lines.push('', c.bold(`${safeText(s.spec.name)} (${s.spec.host}, ${s.spec.configFile}:${s.spec.range.line}${inWorkspace(s)}): ${STATE_LABEL[s.state]}`));
    if (s.policy) lines.push(`  ${s.policy.message}`);
    if (s.state === 'new') {
      lines.push(`  launches: ${clip(safeText(launchLine(s)), 200)}`);
      if (s.sameAs) lines.push(`  same launch spec as approved "${safeText(s.sameAs.name)}" in ${s.sameAs.configFile}`);
    }
    if (s.state === 'changed' && s.sameAs) lines.push(`  now carries the launch spec approved as "${safeText(s.sameAs.name)}" in ${s.sameAs.configFile}`);
    if (s.cosmetic && s.state !== 'approved') lines.push('  only a cosmetic edit (whitespace, comments, key order); strict mode counts it');
    for (const ch of redactChanges(s.changes, s.record?.spec, s.spec.raw)) lines.push(`  ${c.yellow('~')} ${changePointerText(ch.pointer)}: ${showChangeValue(ch.pointer, ch.before)} → ${showChangeValue(ch.pointer, ch.after)}`);
    for (const f of notable) lines.push(`  ${sev(f.severity)} ${f.ruleId}${f.pointer ? ` at ${safeText(f.pointer)}` : ''}: ${clip(safeText(f.message), 300)}`);
    lines.push(...more);
  }
  for (const f of r.findings) {
    lines.push('', `${sev(f.severity)} ${f.ruleId} in ${f.configFile}${f.pointer ? ` at ${safeText(f.pointer)}` : ''}: ${clip(safeText(f.message), 300)}`);
  }
  for (const e of r.errors) {
    const where = e.line ? `${e.configFile}:${e.line}:${e.column ?? 1}` : e.configFile;
    lines.push('', `${c.red('error')} ${where}: ${safeText(e.message)}`);
  }
  const count = (st: ServerReport['state']) => r.servers.filter((s) => s.state === st).length;
  const highs = r.servers.reduce((n, s) => n + s.findings.filter((f) => f.severity === 'high').length, 0) + r.findings.filter((f) => f.severity === 'high').length;
  lines.push(
    '',
    `${r.servers.length} server(s): ${count('approved')} approved, ${count('new')} new, ${count('changed')} changed, ${count('denied')} denied; ` +
      `${highs} high finding(s); ${r.errors.length} config error(s)`,
  );
  return lines.join('\n') + '\n';
}
