/**
 * The prompts: after every snapshot, servers that became new or changed (and were not asked about in that
 * exact state yet) are put to the user. A changed server gets a modal warning naming the changed fields; a new
 * one a notification naming server, host, file and command line. Several at once get one summary prompt with
 * Review (then one prompt each). All buttons are keyboard-reachable (VS Code message buttons).
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/ports';
import { GUARD_REMOVED_RULE, type ServerReport } from '../../core/scan';
import { recordKey } from '../../core/trust';
import { CommandId } from '../commands/ids';
import { changeLine, hostName, launchLine, safeText, shownChanges } from '../text';
import type { GuardActions } from './actions';
import type { GuardService, GuardSnapshot } from './guardService';

/** Most changes named in one modal. */
const MAX_CHANGES_SHOWN = 12;
/** Most servers named in one summary. */
const MAX_SERVERS_SHOWN = 15;

/** A warning (workspace files: attacker-writable) or information notification with buttons. */
function notify(warn: boolean, text: string, ...items: string[]): Thenable<string | undefined> {
  return warn ? vscode.window.showWarningMessage(text, ...items) : vscode.window.showInformationMessage(text, ...items);
}

/** The identity of a state worth one prompt: the server, its state and its fingerprint. */
function promptSignature(s: ServerReport): string {
  return `${recordKey(s.spec.configFile, s.spec.pointer)}\0${s.state}\0${s.fingerprint.fingerprint}`;
}

/** Puts new and changed servers to the user, once per (server, state, fingerprint). */
export class ReviewPrompter implements vscode.Disposable {
  private readonly prompted = new Set<string>();
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly service: GuardService,
    private readonly actions: GuardActions,
    private readonly logger: Logger,
  ) {
    this.sub = service.onDidChange((snap) => this.onSnapshot(snap));
  }

  dispose(): void {
    this.sub.dispose();
  }

  private onSnapshot(snap: GuardSnapshot): void {
    const pending = snap.report.servers.filter((s) => s.state === 'new' || s.state === 'changed');
    const live = new Set(pending.map(promptSignature));
    // A server that left that state (approved, reverted, deleted) may be prompted again when it comes back.
    for (const sig of this.prompted) if (!live.has(sig)) this.prompted.delete(sig);
    const fresh = pending.filter((s) => !this.prompted.has(promptSignature(s)));
    if (!fresh.length) return;
    for (const s of fresh) this.prompted.add(promptSignature(s));
    const changed = fresh.filter((s) => s.state === 'changed');
    const added = fresh.filter((s) => s.state === 'new');
    this.logger.info(`review: ${changed.length} changed, ${added.length} new server(s) to prompt for (${snap.cause})`);
    if (changed.length) this.run(changed.length === 1 ? this.promptChanged(changed[0]) : this.summarizeChanged(changed));
    if (added.length) this.run(added.length === 1 ? this.promptNew(added[0]) : this.summarizeNew(added));
  }

  private run(p: Promise<void>): void {
    p.catch((e) => this.logger.error(`prompt failed: ${(e as Error)?.stack ?? String(e)}`));
  }

  private where(s: ServerReport): string {
    return `${hostName(s.spec.host)}, ${this.actions.displayFile(s.spec.configFile, s.spec.workspaceFolder)}`;
  }

  /** Still in the state it was prompted for? (The user may have decided elsewhere meanwhile.) */
  private stillPending(s: ServerReport): ServerReport | undefined {
    const now = this.service.find({ configFile: s.spec.configFile, pointer: s.spec.pointer });
    return now && now.state === s.state && now.fingerprint.fingerprint === s.fingerprint.fingerprint ? now : undefined;
  }

  /** The modal for one changed server: Show Diff, Approve Change, Block. */
  async promptChanged(s: ServerReport): Promise<void> {
    const name = safeText(s.spec.name, 60);
    const changes = shownChanges(s).slice(0, MAX_CHANGES_SHOWN).map((c) => `• ${changeLine(c)}`);
    if (s.changes.length > MAX_CHANGES_SHOWN) changes.push(`• … and ${s.changes.length - MAX_CHANGES_SHOWN} more`);
    const fields = [...new Set(s.changes.map((c) => c.pointer.split('/')[1] ?? c.pointer))].map((f) => safeText(f, 30)).join(', ');
    const stripped = s.findings.some((f) => f.ruleId === GUARD_REMOVED_RULE);
    const detail = [
      ...(stripped ? [`The guard proxy was removed from this entry: ${hostName(s.spec.host)} would launch it directly, without the guard's checks.`, ''] : []),
      `${this.where(s)}`,
      `Now runs: ${launchLine(s.spec, 200)}`,
      '',
      'Changed since you approved it:',
      ...(changes.length ? changes : ['• the entry\'s bytes (strict mode)']),
      '',
      `${hostName(s.spec.host)} may launch it as it is now. Block moves it out of the file's servers.`,
    ].join('\n');
    const answer = await vscode.window.showWarningMessage(
      `MCP server "${name}" changed since you approved it${fields ? ` (${fields})` : ''}`,
      { modal: true, detail },
      'Show Diff',
      'Approve Change',
      'Block',
    );
    const key = { configFile: s.spec.configFile, pointer: s.spec.pointer };
    this.logger.info(`prompt "changed ${safeText(s.spec.name)}": ${answer ?? 'dismissed'}`);
    if (answer === 'Show Diff') await this.actions.showDiff(key);
    else if (answer === 'Approve Change') await this.actions.approve(key);
    else if (answer === 'Block') await this.actions.block(key);
  }

  /** The notification for one new server: Approve, Deny, Review. */
  async promptNew(s: ServerReport): Promise<void> {
    const name = safeText(s.spec.name, 60);
    const text = `New MCP server "${name}" (${this.where(s)}) runs: ${launchLine(s.spec, 120)}`;
    const answer = await notify(s.spec.scope === 'workspace', text, 'Approve', 'Deny', 'Review');
    const key = { configFile: s.spec.configFile, pointer: s.spec.pointer };
    this.logger.info(`prompt "new ${safeText(s.spec.name)}": ${answer ?? 'dismissed'}`);
    if (!this.stillPending(s) && answer) {
      void vscode.window.showInformationMessage(`MCP Trust Guard: "${name}" changed meanwhile; review it again.`);
      return;
    }
    if (answer === 'Approve') await this.actions.approve(key);
    else if (answer === 'Deny') await this.actions.deny(key);
    else if (answer === 'Review') await this.actions.reveal(key);
  }

  private listing(list: readonly ServerReport[]): string {
    const lines = list.slice(0, MAX_SERVERS_SHOWN).map((s) => `• ${safeText(s.spec.name, 60)} (${this.where(s)}): ${launchLine(s.spec, 100)}`);
    if (list.length > MAX_SERVERS_SHOWN) lines.push(`• … and ${list.length - MAX_SERVERS_SHOWN} more`);
    return lines.join('\n');
  }

  /** One modal for several changed servers: Review (one modal each) or Show Servers. */
  async summarizeChanged(list: readonly ServerReport[]): Promise<void> {
    const answer = await vscode.window.showWarningMessage(
      `${list.length} MCP servers changed since you approved them`,
      { modal: true, detail: this.listing(list) },
      'Review',
      'Show Servers',
    );
    this.logger.info(`prompt "${list.length} changed": ${answer ?? 'dismissed'}`);
    if (answer === 'Show Servers') await vscode.commands.executeCommand(CommandId.ShowServers);
    if (answer !== 'Review') return;
    for (const s of list) {
      const now = this.stillPending(s);
      if (now) await this.promptChanged(now);
    }
  }

  /** One notification for several new servers: Review (one notification each) or Show Servers. */
  async summarizeNew(list: readonly ServerReport[]): Promise<void> {
    const names = list.slice(0, 6).map((s) => `"${safeText(s.spec.name, 40)}" (${hostName(s.spec.host)})`);
    const more = list.length > 6 ? ` and ${list.length - 6} more` : '';
    const ws = list.some((s) => s.spec.scope === 'workspace');
    const answer = await notify(ws, `${list.length} new MCP servers: ${names.join(', ')}${more}`, 'Review', 'Show Servers');
    this.logger.info(`prompt "${list.length} new": ${answer ?? 'dismissed'}`);
    if (answer === 'Show Servers') await vscode.commands.executeCommand(CommandId.ShowServers);
    if (answer !== 'Review') return;
    for (const s of list) {
      const now = this.stillPending(s);
      if (now) await this.promptNew(now);
    }
  }
}
