/**
 * Problems-panel diagnostics in MCP config files (VS Code API `languages.createDiagnosticCollection`): one per
 * new, changed or denied server (on the entry's range), one per finding, and one per parse error (at its line
 * and column). Ranges come from the scan (`spec.range`, `sourceText`); no file is read here.
 */
import * as vscode from 'vscode';
import type { ServerReport } from '../../core/scan';
import type { Severity } from '../../core/types';
import type { GuardService, GuardSnapshot } from '../services/guardService';
import { changeLine, hostName, safeText, shownChanges } from '../text';

/** `source` of every diagnostic. */
export const DIAGNOSTIC_SOURCE = 'MCP Trust Guard';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  high: vscode.DiagnosticSeverity.Error,
  medium: vscode.DiagnosticSeverity.Warning,
  low: vscode.DiagnosticSeverity.Information,
  info: vscode.DiagnosticSeverity.Hint,
};

/** The range of a server entry's value: from `spec.range`'s line/column over its source text. */
export function entryRange(s: ServerReport): vscode.Range {
  const startLine = Math.max(0, s.spec.range.line - 1);
  const startCol = Math.max(0, s.spec.range.column - 1);
  const text = s.spec.sourceText ?? '';
  const lines = text.split('\n');
  const endLine = startLine + lines.length - 1;
  const endCol = lines.length === 1 ? startCol + text.length : lines[lines.length - 1].length;
  return new vscode.Range(startLine, startCol, endLine, endCol);
}

function diag(range: vscode.Range, message: string, severity: vscode.DiagnosticSeverity, code: string): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range, message, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = code;
  return d;
}

/** Publishes the diagnostics of every snapshot. */
export class DiagnosticsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('mcpTrustGuard');
  private readonly sub: vscode.Disposable;

  constructor(service: GuardService) {
    this.sub = service.onDidChange((snap) => this.publish(snap));
  }

  dispose(): void {
    this.sub.dispose();
    this.collection.dispose();
  }

  private publish(snap: GuardSnapshot): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const push = (file: string, d: vscode.Diagnostic) => {
      const list = byFile.get(file);
      if (list) list.push(d);
      else byFile.set(file, [d]);
    };
    for (const s of snap.report.servers) {
      const range = entryRange(s);
      const name = safeText(s.spec.name, 60);
      if (s.state === 'new') {
        push(s.spec.configFile, diag(range, `New MCP server "${name}" is not approved yet (${hostName(s.spec.host)} may launch it).`, vscode.DiagnosticSeverity.Warning, 'server-new'));
      } else if (s.state === 'changed') {
        const what = shownChanges(s).slice(0, 3).map((c) => changeLine(c, 40)).join('; ');
        push(s.spec.configFile, diag(range, `MCP server "${name}" changed since it was approved: ${what || 'source bytes (strict mode)'}.`, vscode.DiagnosticSeverity.Error, 'server-changed'));
      } else if (s.state === 'denied') {
        push(s.spec.configFile, diag(range, `MCP server "${name}" is denied; ${hostName(s.spec.host)} may still launch it. Block moves it out of the servers.`, vscode.DiagnosticSeverity.Warning, 'server-denied'));
      }
      for (const f of s.findings) push(s.spec.configFile, diag(range, `${name}: ${safeText(f.message, 300)}`, SEVERITY[f.severity], f.ruleId));
    }
    for (const e of snap.report.errors) {
      const line = Math.max(0, (e.line ?? 1) - 1);
      const col = Math.max(0, (e.column ?? 1) - 1);
      push(e.configFile, diag(new vscode.Range(line, col, line, col + 1), safeText(e.message, 300), vscode.DiagnosticSeverity.Error, 'config-error'));
    }
    for (const f of snap.report.findings) push(f.configFile, diag(new vscode.Range(0, 0, 0, 0), safeText(f.message, 300), SEVERITY[f.severity], f.ruleId));
    this.collection.clear();
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
  }
}
