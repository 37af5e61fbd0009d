import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScanReport } from '../../core/scan';
import type { Severity } from '../../core/types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };

const STATE_RULES: Record<string, { level: 'error' | 'warning'; text: string }> = {
  'server-new': { level: 'warning', text: 'MCP server not yet approved' },
  'server-changed': { level: 'error', text: 'MCP server launch spec changed since approval' },
  'server-denied': { level: 'error', text: 'MCP server denied by the user' },
  'server-blocked-by-policy': { level: 'error', text: 'MCP server blocked by the organization policy' },
  'config-error': { level: 'error', text: 'MCP config file could not be read or parsed' },
};

/**
 * Renders a scan as SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for GitHub code
 * scanning: one result per finding, per server needing review, and per config error, located at the entry's
 * line in its config file. `version` is this tool's version. A file under `srcRoot` (the scanned repository) is
 * named relative to it with `uriBaseId` `SRCROOT`, as code scanning wants; others by absolute `file:` URI.
 */
export function renderSarif(r: ScanReport, version: string, srcRoot?: string): Record<string, unknown> {
  const results: Record<string, unknown>[] = [];
  const ruleIds = new Set<string>();
  const artifact = (file: string) => {
    const rel = srcRoot ? relative(srcRoot, file) : '';
    if (!srcRoot || !rel || rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(file).href };
    return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: 'SRCROOT' };
  };
  const loc = (file: string, line?: number, column?: number) => [
    { physicalLocation: { artifactLocation: artifact(file), region: { startLine: line ?? 1, startColumn: column ?? 1 } } },
  ];
  for (const s of r.servers) {
    const where = loc(s.spec.configFile, s.spec.range.line, s.spec.range.column);
    if (s.state !== 'approved') {
      const ruleId = s.policy?.outcome === 'denied' ? 'server-blocked-by-policy' : `server-${s.state}`;
      ruleIds.add(ruleId);
      const detail = s.policy ? `; ${s.policy.message}` : s.changes.length ? `; changed: ${s.changes.map((c) => c.pointer).join(', ')}` : '';
      const props = s.policy ? { properties: { policyRule: s.policy.rule, policyFile: s.policy.file } } : {};
      results.push({ ruleId, level: STATE_RULES[ruleId].level, message: { text: `${STATE_RULES[ruleId].text}: "${s.spec.name}"${detail}` }, locations: where, ...props });
    }
    for (const f of s.findings) {
      ruleIds.add(f.ruleId);
      results.push({ ruleId: f.ruleId, level: LEVEL[f.severity], message: { text: `${s.spec.name}: ${f.message}` }, locations: where, properties: { pointer: s.spec.pointer + f.pointer, severity: f.severity } });
    }
  }
  for (const f of r.findings) {
    ruleIds.add(f.ruleId);
    results.push({ ruleId: f.ruleId, level: LEVEL[f.severity], message: { text: f.message }, locations: loc(f.configFile), properties: { pointer: f.pointer, severity: f.severity } });
  }
  for (const e of r.errors) {
    ruleIds.add('config-error');
    results.push({ ruleId: 'config-error', level: 'error', message: { text: e.message }, locations: loc(e.configFile, e.line, e.column) });
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mcp-trust-guard',
            version,
            informationUri: 'https://github.com/mcp-trust-guard/mcp-trust-guard',
            rules: [...ruleIds].sort().map((id) => ({ id, shortDescription: { text: STATE_RULES[id]?.text ?? id } })),
          },
        },
        results,
        ...(srcRoot ? { originalUriBaseIds: { SRCROOT: { uri: pathToFileURL(srcRoot).href.replace(/\/?$/, '/') } } } : {}),
      },
    ],
  };
}
