/**
 * CodeLens above each server entry of a known config file (VS Code API `languages.registerCodeLensProvider`):
 * `Approved ✓`, or `Approve · Deny · Show Diff` (new/changed/denied), and `Blocked · Restore` above a
 * quarantined entry. Positions come from the scan; lenses are refreshed on every snapshot.
 */
import * as vscode from 'vscode';
import { CommandId } from '../commands/ids';
import type { GuardService } from '../services/guardService';
import { serverKeyOf } from '../services/serverKey';

/** Files the provider is asked about (it answers only for config files the scan knows). */
export const CODELENS_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.json' },
  { scheme: 'file', pattern: '**/*.code-workspace' },
];

/** The CodeLens provider. */
export class ServerCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(private readonly service: GuardService) {
    this.sub = service.onDidChange(() => this.emitter.fire());
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const snap = this.service.snapshot;
    if (!snap) return [];
    const file = doc.uri.fsPath;
    const out: vscode.CodeLens[] = [];
    for (const s of snap.report.servers) {
      if (s.spec.configFile !== file) continue;
      const line = Math.min(Math.max(0, s.spec.range.line - 1), Math.max(0, doc.lineCount - 1));
      const range = new vscode.Range(line, 0, line, 0);
      const arg = serverKeyOf(s.spec);
      const lens = (title: string, command: string, tooltip?: string) => new vscode.CodeLens(range, { title, command, tooltip, arguments: command ? [arg] : undefined });
      if (s.state === 'approved') {
        out.push(lens('Approved ✓', '', 'MCP Trust Guard: this launch spec is approved'));
      } else {
        const label = s.state === 'changed' ? '$(warning) Changed' : s.state === 'denied' ? '$(circle-slash) Denied' : '$(question) New';
        out.push(lens(label, '', 'MCP Trust Guard'), lens('Approve', CommandId.Approve), lens('Deny', CommandId.Deny), lens('Show Diff', CommandId.ShowDiff));
      }
    }
    for (const q of snap.quarantined) {
      if (q.configFile !== file) continue;
      const p = doc.positionAt(q.offset);
      const range = new vscode.Range(p.line, 0, p.line, 0);
      out.push(
        new vscode.CodeLens(range, { title: '$(lock) Blocked', command: '' }),
        new vscode.CodeLens(range, { title: 'Restore', command: CommandId.Restore, arguments: [{ configFile: q.configFile, pointer: q.pointer }] }),
      );
    }
    return out;
  }
}
