/**
 * Problems-panel diagnostics in MCP config files (VS Code API `languages.createDiagnosticCollection`) and their
 * quick fixes (`languages.registerCodeActionsProvider`: Approve, Show Diff, Block). What is published, where
 * and how severe is planned by `./problemPlan` (only what needs an action; workspace files unless the
 * `mcpTrustGuard.problems.userLevel` setting is on; per-rule overrides); no file is read here.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import { CommandId } from '../commands/ids';
import type { GuardService, GuardSnapshot } from '../services/guardService';
import type { ProblemLevel, ProblemSettings } from './problemPlan';
import { planProblems } from './problemPlan';
import { serverKeyOf } from '../services/serverKey';

/** `source` of every diagnostic. */
export const DIAGNOSTIC_SOURCE = 'MCP Trust Guard';

const LEVEL: Record<Exclude<ProblemLevel, 'off'>, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

/** The server a diagnostic is about, for its quick fixes. */
interface Target {
  configFile: string;
  pointer: string;
  resolvedIn?: string;
  state: string;
}

/** Publishes the diagnostics of every snapshot and offers their quick fixes. */
export class DiagnosticsPublisher implements vscode.Disposable, vscode.CodeActionProvider {
  private readonly collection = vscode.languages.createDiagnosticCollection('mcpTrustGuard');
  private readonly subs: vscode.Disposable[] = [];
  private readonly targets = new WeakMap<vscode.Diagnostic, Target>();
  private last = -1;

  constructor(
    private readonly service: GuardService,
    private readonly settings: () => ProblemSettings,
    private readonly logger: Logger,
  ) {
    this.subs.push(
      service.onDidChange((snap) => this.publish(snap)),
      vscode.languages.registerCodeActionsProvider([{ scheme: 'file', pattern: '**/*.json' }, { scheme: 'file', pattern: '**/*.code-workspace' }], this, {
        providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
      }),
    );
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
    this.collection.dispose();
  }

  /** Publishes again with the current settings (after a settings change). */
  refresh(): void {
    if (this.service.snapshot) this.publish(this.service.snapshot);
  }

  private publish(snap: GuardSnapshot): void {
    const userFiles = new Set(snap.report.files.filter((f) => f.location.scope === 'user').map((f) => f.location.path));
    const plan = planProblems(snap.report.servers, snap.report.errors, snap.report.findings, userFiles, this.settings());
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of plan) {
      const d = new vscode.Diagnostic(new vscode.Range(p.range.startLine, p.range.startCharacter, p.range.endLine, p.range.endCharacter), p.message, LEVEL[p.level]);
      d.source = DIAGNOSTIC_SOURCE;
      d.code = p.code;
      if (p.server) this.targets.set(d, p.server);
      const list = byFile.get(p.file);
      if (list) list.push(d);
      else byFile.set(p.file, [d]);
    }
    this.collection.clear();
    for (const [file, list] of byFile) this.collection.set(vscode.Uri.file(file), list);
    if (plan.length !== this.last) {
      this.last = plan.length;
      this.logger.info(`problems: ${plan.length} in ${byFile.size} file(s)`);
    }
  }

  /** Quick fixes of this extension's diagnostics under the cursor: Show Diff, Approve, Block. */
  provideCodeActions(_doc: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const out: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const d of context.diagnostics) {
      const t = d.source === DIAGNOSTIC_SOURCE ? this.targets.get(d) : undefined;
      if (!t) continue;
      const seenKey = `${t.pointer}#${t.resolvedIn ?? ''}`;
      if (seen.has(seenKey)) continue;
      seen.add(seenKey);
      const arg = serverKeyOf(t);
      const action = (title: string, command: string, preferred = false) => {
        const a = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
        a.command = { title, command, arguments: [arg] };
        a.diagnostics = [d];
        a.isPreferred = preferred;
        return a;
      };
      if (t.state === 'changed' || t.state === 'denied') out.push(action('MCP Trust Guard: Show Diff', CommandId.ShowDiff, true));
      if (t.state === 'new' || t.state === 'changed' || t.state === 'denied') out.push(action('MCP Trust Guard: Approve (starts nothing)', CommandId.Approve));
      out.push(action('MCP Trust Guard: Block', CommandId.Block));
    }
    return out;
  }
}
