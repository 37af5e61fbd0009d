/**
 * What the user can do to a server, shared by the prompts, the tree's context menu, the CodeLens and the
 * command palette: approve, deny, block (deny + quarantine + stop), restore, forget, probe, show the diff,
 * inspect the tools, reveal the entry. Every outcome is said plainly in the UI and logged.
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { applyEdits, type Edit } from 'jsonc-parser';
import { quarantineEdits, restoreEdits, QUARANTINE_KEY } from '../../core/edit/quarantine';
import { editorServerIds, isEditorHost } from '../../core/hosts';
import type { MetadataPins } from '../../core/pins';
import type { Logger } from '../../core/ports';
import type { ProbeOptions } from '../../core/probe';
import { evaluateMetadata, metadataNeedsReview, NotApprovedError, probeApproved, type MetadataReport, type ServerReport } from '../../core/scan';
import { forgetRecords, recordDecisions, recordKey } from '../../core/trust';
import { buildDiffPanelContent, buildDiffViewModel, buildInspectorViewModel, showDiffPanel, type InspectorViewProvider } from '../panels';
import { changeLine, displayPath, hostName, launchLine, safeText, shownChanges } from '../text';
import type { GuardService, ServerKey } from './guardService';

/** Built-in VS Code command that stops an MCP server; takes the server definition id (`mcp.config.<collection>.<name>`). */
export const VSCODE_STOP_SERVER = 'workbench.mcp.stopServer';

/** Max servers listed in one modal's detail. */
const MAX_LISTED = 20;

/** Whether `v` is a {@link ServerKey} (a command argument from the tree, a CodeLens or another extension). */
export function isServerKey(v: unknown): v is ServerKey {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.configFile === 'string' && typeof o.pointer === 'string' && o.configFile.length < 4096 && o.pointer.length < 4096;
}

/**
 * The server-definition ids this editor may run a config entry under (the editor host's adapter knows them:
 * `editorServerIds` in `src/core/hosts`), for `workbench.mcp.stopServer`. Other releases may differ, so the caller
 * treats a stop as best effort.
 */
export function vscodeServerIds(report: ServerReport): string[] {
  return editorServerIds(report.spec, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
}

/** The section (`mcpServers`, `servers`, `mcp.servers`, …) an entry lives in, for messages. */
function sectionOf(pointer: string): string {
  const t = pointer.split('/').slice(1, -1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return t.length > 2 ? `${t[t.length - 1]} (${t.slice(0, -1).join('.')})` : t.join('.');
}

/** The user-facing operations on servers. */
export class GuardActions {
  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly service: GuardService,
    private readonly logger: Logger,
    private readonly inspector: InspectorViewProvider,
  ) {}

  /** A config file for display. */
  displayFile(file: string, workspaceFolder?: string): string {
    return displayPath(file, workspaceFolder, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
  }

  /**
   * The server a command acts on: `arg` when it is a {@link ServerKey}, else one picked by the user among the
   * servers that `filter` accepts. Undefined when cancelled or none.
   */
  async resolve(arg: unknown, title: string, filter: (s: ServerReport) => boolean = () => true): Promise<ServerKey | undefined> {
    if (isServerKey(arg)) return { configFile: arg.configFile, pointer: arg.pointer };
    const servers = (this.service.snapshot?.report.servers ?? []).filter(filter);
    if (!servers.length) {
      void vscode.window.showInformationMessage(`MCP Trust Guard: no server to ${title.toLowerCase()}.`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      servers.map((s) => ({
        label: safeText(s.spec.name, 60),
        description: `${s.state} · ${hostName(s.spec.host)} · ${this.displayFile(s.spec.configFile, s.spec.workspaceFolder)}`,
        detail: launchLine(s.spec, 100),
        key: { configFile: s.spec.configFile, pointer: s.spec.pointer },
      })),
      { title: `MCP Trust Guard: ${title}`, matchOnDescription: true },
    );
    return pick?.key;
  }

  private need(key: ServerKey): ServerReport | undefined {
    const r = this.service.find(key);
    if (!r) void vscode.window.showWarningMessage(`MCP Trust Guard: no server at ${safeText(key.pointer, 80)} in ${safeText(key.configFile, 120)} (the file changed?).`);
    return r;
  }

  /**
   * Approves the server's current launch spec in the trust store; then probes it and pins its tools when
   * `probeOnApprove` is on and probing is allowed (see {@link probe}).
   */
  async approve(key: ServerKey, opts: { probe?: boolean } = {}): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    await recordDecisions(this.service.trustStore, [r], 'approved', new Date());
    this.logger.info(`approved "${safeText(r.spec.name)}" in ${r.spec.configFile} (fingerprint ${r.fingerprint.fingerprint})`);
    await this.service.reevaluate('decision');
    if (opts.probe ?? this.service.currentSettings.probeOnApprove) await this.probe(key, { afterApproval: true });
  }

  /** Approves every new or changed server after a modal confirmation that lists each one. */
  async approveAll(): Promise<void> {
    const todo = (this.service.snapshot?.report.servers ?? []).filter((s) => s.state === 'new' || s.state === 'changed');
    if (!todo.length) {
      void vscode.window.showInformationMessage('MCP Trust Guard: no new or changed server to approve.');
      return;
    }
    const lines = todo.slice(0, MAX_LISTED).map((s) => `• ${safeText(s.spec.name, 60)} (${s.state}, ${hostName(s.spec.host)}, ${this.displayFile(s.spec.configFile, s.spec.workspaceFolder)}): ${launchLine(s.spec, 100)}`);
    if (todo.length > MAX_LISTED) lines.push(`… and ${todo.length - MAX_LISTED} more`);
    const ok = `Approve ${todo.length} Server${todo.length > 1 ? 's' : ''}`;
    const answer = await vscode.window.showWarningMessage(`Approve ${todo.length} MCP server${todo.length > 1 ? 's' : ''}?`, { modal: true, detail: lines.join('\n') }, ok);
    if (answer !== ok) return;
    await recordDecisions(this.service.trustStore, todo, 'approved', new Date());
    this.logger.info(`approved ${todo.length} server(s): ${todo.map((s) => safeText(s.spec.name, 60)).join(', ')}`);
    await this.service.reevaluate('decision');
    if (this.service.currentSettings.probeOnApprove) {
      for (const s of todo) await this.probe({ configFile: s.spec.configFile, pointer: s.spec.pointer }, { afterApproval: true });
    }
  }

  /** Records a denial. The entry stays in the file (the host may still launch it): the message says so. */
  async deny(key: ServerKey): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    await recordDecisions(this.service.trustStore, [r], 'denied', new Date());
    this.logger.info(`denied "${safeText(r.spec.name)}" in ${r.spec.configFile}`);
    await this.service.reevaluate('decision');
    const answer = await vscode.window.showInformationMessage(
      `Denied "${safeText(r.spec.name, 60)}". ${hostName(r.spec.host)} may still launch it from ${this.displayFile(r.spec.configFile, r.spec.workspaceFolder)}; Block moves it out of the file's servers.`,
      'Block',
    );
    if (answer === 'Block') await this.block(key);
  }

  /**
   * Blocks a server: records the denial; with the user's consent (modal) moves the entry into
   * `"mcpTrustGuard.quarantine"` in the same file; for VS Code entries asks VS Code to stop it
   * (`workbench.mcp.stopServer`). Tells the user what was and was not possible.
   */
  async block(key: ServerKey): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    const name = safeText(r.spec.name, 60);
    const host = hostName(r.spec.host);
    const file = this.displayFile(r.spec.configFile, r.spec.workspaceFolder);
    await recordDecisions(this.service.trustStore, [r], 'denied', new Date());
    this.logger.info(`blocked "${safeText(r.spec.name)}" in ${r.spec.configFile}: denial recorded`);
    const done: string[] = ['the denial is recorded in the trust store'];
    const notDone: string[] = [];
    const move = 'Move to Quarantine';
    const answer = await vscode.window.showWarningMessage(
      `Move "${name}" out of ${sectionOf(r.spec.pointer)} in ${file}?`,
      {
        modal: true,
        detail: `${host} launches what is listed in ${sectionOf(r.spec.pointer)}. The entry is kept, unchanged, under "${QUARANTINE_KEY}" in the same file, where no host reads it; Restore puts it back.\n\nNow runs: ${launchLine(r.spec, 200)}`,
      },
      move,
    );
    if (answer === move) {
      try {
        await this.editFile(r.spec.configFile, (text) => quarantineEdits(text, r.spec.pointer));
        done.push(`the entry was moved out of ${sectionOf(r.spec.pointer)} into "${QUARANTINE_KEY}", so ${host} will not launch it`);
        this.logger.info(`quarantined ${r.spec.pointer} in ${r.spec.configFile}`);
      } catch (e) {
        notDone.push(`the entry could not be moved (${safeText((e as Error).message, 200)}): ${host} may still launch it`);
        this.logger.error(`quarantine of ${r.spec.pointer} in ${r.spec.configFile} failed: ${(e as Error).message}`);
      }
    } else {
      notDone.push(`the entry stays in ${file}: ${host} may still launch it`);
    }
    if (isEditorHost(r.spec.host) || vscodeServerIds(r).length) {
      const stop = await this.stopInVscode(r);
      (stop.ok ? done : notDone).push(stop.message);
    } else {
      notDone.push(`MCP Trust Guard cannot stop a server that ${host} (another application) is running; restart it there`);
    }
    await this.service.rescan('decision');
    const msg = `Blocked "${name}": ${done.join('; ')}.${notDone.length ? ` Not done: ${notDone.join('; ')}.` : ''}`;
    this.logger.info(msg);
    void vscode.window.showInformationMessage(msg);
  }

  /** Asks VS Code to stop the server if it runs (best effort: the command is silent about unknown ids). */
  private async stopInVscode(r: ServerReport): Promise<{ ok: boolean; message: string }> {
    const ids = vscodeServerIds(r);
    const all = await vscode.commands.getCommands(true);
    if (!all.includes(VSCODE_STOP_SERVER)) {
      return { ok: false, message: `this editor (${vscode.env.appName}) has no ${VSCODE_STOP_SERVER} command, so a running instance was not stopped` };
    }
    if (!ids.length) return { ok: false, message: `no VS Code server id is known for this entry, so a running instance was not stopped` };
    for (const id of ids) {
      try {
        await vscode.commands.executeCommand(VSCODE_STOP_SERVER, id);
        this.logger.info(`${VSCODE_STOP_SERVER} ${id}: done`);
      } catch (e) {
        this.logger.warn(`${VSCODE_STOP_SERVER} ${id} failed: ${(e as Error).message}`);
      }
    }
    return { ok: true, message: `VS Code was asked to stop it if running (${VSCODE_STOP_SERVER} ${ids.join(', ')})` };
  }

  /** Moves a quarantined entry back into its section; its trust record (denied) stays. */
  async restore(key: ServerKey): Promise<void> {
    const q = this.service.findQuarantined(key);
    if (!q) {
      void vscode.window.showWarningMessage(`MCP Trust Guard: nothing is quarantined under ${safeText(key.pointer, 80)}.`);
      return;
    }
    try {
      await this.editFile(key.configFile, (text) => restoreEdits(text, key.pointer));
    } catch (e) {
      void vscode.window.showErrorMessage(`MCP Trust Guard: could not restore "${safeText(q.name, 60)}": ${safeText((e as Error).message, 200)}`);
      return;
    }
    this.logger.info(`restored ${key.pointer} in ${key.configFile}`);
    await this.service.rescan('decision');
    const state = this.service.find(key)?.state;
    void vscode.window.showInformationMessage(
      `Restored "${safeText(q.name, 60)}" to ${sectionOf(key.pointer)} in ${this.displayFile(key.configFile, q.workspaceFolder)}${state === 'denied' ? '; it stays denied until you approve it' : ''}.`,
    );
  }

  /** Removes the server's trust record: it is new again (and is prompted for). */
  async forget(key: ServerKey): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    const n = await forgetRecords(this.service.trustStore, [key]);
    this.logger.info(`forgot "${safeText(r.spec.name)}" in ${r.spec.configFile} (${n} record(s))`);
    await this.service.reevaluate('decision');
  }

  /**
   * Probes an approved server (through `probeApproved`, the only gate that launches a server) with a
   * cancellable progress notification, evaluates its tool metadata against the pins, and pins it when nothing
   * needs review; otherwise asks (modal). Never probes a workspace server in Restricted Mode.
   */
  async probe(key: ServerKey, opts: { afterApproval?: boolean } = {}): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    const name = safeText(r.spec.name, 60);
    if (r.state !== 'approved') {
      void vscode.window.showWarningMessage(`MCP Trust Guard: "${name}" is ${r.state}; only an approved server is launched to read its tools.`);
      return;
    }
    if (r.spec.scope === 'workspace' && !vscode.workspace.isTrusted) {
      this.logger.info(`not probing "${safeText(r.spec.name)}": workspace server in Restricted Mode`);
      if (!opts.afterApproval) void vscode.window.showInformationMessage(`MCP Trust Guard does not launch workspace servers in Restricted Mode: "${name}" was not probed.`);
      return;
    }
    const s = this.service.currentSettings;
    let result;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `MCP Trust Guard: reading the tools of "${name}"…`, cancellable: true },
        async (_progress, token) => {
          const ac = new AbortController();
          const sub = token.onCancellationRequested(() => ac.abort());
          try {
            const po: ProbeOptions = { timeoutMs: s.probeTimeoutMs, env: process.env, home: os.homedir(), logger: this.logger, signal: ac.signal };
            if (s.clientInfo) po.clientInfo = s.clientInfo;
            return await probeApproved(r, po);
          } finally {
            sub.dispose();
          }
        },
      );
    } catch (e) {
      const msg = e instanceof NotApprovedError ? e.message : `probe failed: ${(e as Error).message}`;
      this.logger.warn(`"${safeText(r.spec.name)}": ${msg}`);
      void vscode.window.showWarningMessage(`MCP Trust Guard: ${safeText(msg, 200)}`);
      return;
    }
    const pins = r.record?.metadata as MetadataPins | undefined;
    const others = (this.service.snapshot?.report.servers ?? [])
      .filter((o) => o !== r)
      .map((o) => ({ name: o.spec.name, toolNames: Object.keys(((o.record?.metadata as MetadataPins | undefined)?.tools ?? {}) as object) }));
    const m = evaluateMetadata(pins, result, r.spec.name, others);
    this.service.setProbe(r, m);
    if (!m.probe.ok) {
      this.logger.warn(`probe of "${safeText(r.spec.name)}" failed: ${m.probe.error ?? 'unknown error'}`);
      void vscode.window.showWarningMessage(`MCP Trust Guard: could not read the tools of "${name}": ${safeText(m.probe.error ?? 'unknown error', 200)}. Its tools are not pinned.`);
      return;
    }
    const findings = m.items.flatMap((i) => i.findings);
    const serious = findings.some((f) => f.severity === 'high' || f.severity === 'medium');
    const needs = pins ? metadataNeedsReview(m) : serious;
    const tools = m.items.filter((i) => i.kind === 'tool' && i.state !== 'removed').length;
    this.logger.info(`probed "${safeText(r.spec.name)}" in ${Math.round(m.probe.ms)} ms: ${tools} tool(s), ${findings.length} finding(s), review needed: ${needs}`);
    if (!needs) {
      await this.pin(r, m);
      return;
    }
    await this.promptMetadata(r, m);
  }

  /** Writes `m.current` as the server's tool pins, if its record still approves this launch spec. */
  async pin(r: ServerReport, m: MetadataReport): Promise<void> {
    await this.service.trustStore.update((data) => {
      const rec = data.records[recordKey(r.spec.configFile, r.spec.pointer)];
      if (rec && rec.decision === 'approved' && rec.fingerprint === r.fingerprint.fingerprint) rec.metadata = m.current;
    });
    this.logger.info(`pinned the tool metadata of "${safeText(r.spec.name)}"`);
    await this.service.reevaluate('decision');
  }

  /** The modal for tool metadata that changed or has findings: Inspect Tools, Approve Tools, Block. */
  private async promptMetadata(r: ServerReport, m: MetadataReport): Promise<void> {
    const name = safeText(r.spec.name, 60);
    const count = (st: string) => m.items.filter((i) => i.state === st).length;
    const lines: string[] = [];
    for (const i of m.items) {
      if (i.state === 'pinned' && !i.findings.length) continue;
      const fields = i.changedFields.length ? ` (${i.changedFields.map((f) => safeText(f, 40)).join(', ')})` : '';
      lines.push(`${i.kind} ${safeText(i.key, 60)}: ${i.state}${fields}`);
      for (const f of i.findings.slice(0, 3)) lines.push(`    ${f.severity}: ${safeText(f.message, 160)}`);
      if (lines.length > 40) break;
    }
    const inspect = 'Inspect Tools';
    const approve = 'Approve Tools';
    const block = 'Block';
    const answer = await vscode.window.showWarningMessage(
      `The tools of MCP server "${name}" need review: ${count('new')} new, ${count('changed')} changed, ${count('removed')} removed`,
      { modal: true, detail: lines.join('\n') },
      inspect,
      approve,
      block,
    );
    if (answer === approve) await this.pin(r, m);
    else if (answer === block) await this.block({ configFile: r.spec.configFile, pointer: r.spec.pointer });
    else if (answer === inspect) await this.inspect({ configFile: r.spec.configFile, pointer: r.spec.pointer });
  }

  /**
   * Opens the diff panel (approved vs current launch spec, and the last probe's tool diff). While open it
   * follows the server through {@link GuardService.onDidChange}: after Approve, Block, Restore or an edit it
   * shows the new state, or says the server is blocked or gone from its file.
   */
  async showDiff(key: ServerKey): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    const model = buildDiffViewModel(r, this.service.probeOf(key)?.metadata);
    let last = model.server;
    const source = {
      key: recordKey(key.configFile, key.pointer),
      onDidChange: this.service.onDidChange,
      // the panel follows the server: approved, blocked, restored, edited, or gone from its file
      content: () => {
        const content = buildDiffPanelContent(
          this.service.find(key),
          this.service.findQuarantined(key) ? QUARANTINE_KEY : undefined,
          last,
          this.service.probeOf(key)?.metadata,
        );
        if (content.kind === 'diff') last = content.model.server;
        return content;
      },
    };
    showDiffPanel(this.context, model, { approve: () => this.approve(key), block: () => this.block(key) }, source);
    this.logger.info(`diff panel shown for "${safeText(r.spec.name)}" (${r.state}; ${r.changes.length} change(s)): ${shownChanges(r).slice(0, 5).map((c) => changeLine(c, 60)).join('; ')}`);
  }

  /** Shows the server's tools, prompts and resources (last probe, else pins) in the tool inspector. */
  async inspect(key: ServerKey): Promise<void> {
    const r = this.need(key);
    if (!r) return;
    this.inspector.show(buildInspectorViewModel(r, this.service.probeOf(key)?.metadata));
    this.logger.info(`tool inspector shown for "${safeText(r.spec.name)}"`);
  }

  /** Opens the config file with the server's entry (or its quarantined copy) selected. */
  async reveal(key: ServerKey): Promise<void> {
    const r = this.service.find(key);
    const q = r ? undefined : this.service.findQuarantined(key);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(key.configFile));
    let range: vscode.Range | undefined;
    if (r) {
      const start = new vscode.Position(Math.max(0, r.spec.range.line - 1), Math.max(0, r.spec.range.column - 1));
      range = new vscode.Range(start, start);
    } else if (q) {
      range = new vscode.Range(doc.positionAt(q.offset), doc.positionAt(q.offset + q.length));
    }
    await vscode.window.showTextDocument(doc, { selection: range, preview: false });
  }

  /**
   * Applies the jsonc-parser edits computed on the document's current text (open editors and unsaved changes
   * included) as one workspace edit, and saves the file.
   * @throws when the edits cannot be computed (QuarantineError), applied or saved.
   */
  private async editFile(file: string, compute: (text: string) => Edit[]): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const text = doc.getText();
    const edits = compute(text);
    applyEdits(text, edits); // throws early on overlapping edits
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
    if (!(await vscode.workspace.applyEdit(we))) throw new Error('VS Code did not apply the edit');
    if (!(await doc.save())) throw new Error('VS Code did not save the file');
  }
}
