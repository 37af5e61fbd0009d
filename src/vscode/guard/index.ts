/**
 * The extension side of the guard proxy: commands that wrap a stdio server entry in
 * `mcp-trust-guard run` (Guard), unwrap it (Unguard), or wrap every approved stdio server (Guard All), each with
 * a modal consent that shows the exact new command line, and the stable launcher they point at.
 *
 * Command ids (contributed in package.json by the extension's author, category "MCP Trust Guard"):
 * `mcpTrustGuard.guardServer` ("Guard Server (run through the guard proxy)"), `mcpTrustGuard.unguardServer`
 * ("Unguard Server"), `mcpTrustGuard.guardAll` ("Guard All Stdio Servers").
 * Handlers take nothing (a QuickPick asks) or an object with `configFile` and `pointer` (a tree node).
 */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { commandLine, guardEntryEdits, GuardEditError, isGuarded, unguardEntryEdits, type GuardLauncher } from '../../core/edit/guard';
import type { Logger } from '../../core/ports';
import { Scanner, type ServerReport } from '../../core/scan';
import { recordKey, TrustStore } from '../../core/trust';
import { installLauncher } from './launcher';

export { installLauncher, type LauncherRecord } from './launcher';

/** What the guard commands need from the extension. */
export interface GuardDeps {
  logger: Logger;
  /** Absolute path of the trust store in use. */
  storePath: () => string;
  /**
   * Re-reads config files and the store; resolves when `findServer` sees the new state. With `ownEdit` (a config
   * file the guard has just saved), resolves true only when the bytes on disk are that save (no other writer
   * came in between); the guard's own edit then prompts nobody.
   */
  rescan: (ownEdit?: string) => Promise<boolean>;
  /** The current report of one server entry. */
  findServer: (configFile: string, pointer: string) => ServerReport | undefined;
  /** Records the user's approval of the server as it is now. */
  approve: (report: ServerReport) => Promise<void>;
  /** Called right before the guard saves its own edit of a config file (so that the edit prompts nobody). */
  beforeOwnSave?: (configFile: string) => void;
}

/** Ids of the guard commands. */
export const GUARD_COMMANDS = {
  guardServer: 'mcpTrustGuard.guardServer',
  unguardServer: 'mcpTrustGuard.unguardServer',
  guardAll: 'mcpTrustGuard.guardAll',
} as const;

interface Target {
  configFile: string;
  pointer: string;
}

function asTarget(arg: unknown): Target | undefined {
  if (arg && typeof arg === 'object') {
    const a = arg as Record<string, unknown>;
    if (typeof a.configFile === 'string' && typeof a.pointer === 'string') return { configFile: a.configFile, pointer: a.pointer };
  }
  return undefined;
}

/** Every server of the open workspace and the user, scanned afresh (for the QuickPick). */
async function allServers(deps: GuardDeps): Promise<ServerReport[]> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  const data = (await new TrustStore(deps.storePath()).read()).data;
  return (await new Scanner({ workspaceFolders: folders, home: os.homedir(), includeUser: true }).scanAll(data)).servers;
}

async function pick(deps: GuardDeps, guarded: boolean, title: string): Promise<Target | undefined> {
  const servers = (await allServers(deps)).filter((s) => s.spec.transport === 'stdio' && !!isGuarded(s.spec.raw) === guarded);
  if (!servers.length) {
    void vscode.window.showInformationMessage(guarded ? 'No guarded MCP server found.' : 'No unguarded stdio MCP server found.');
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    servers.map((s) => ({ label: s.spec.name, description: `${s.spec.host} · ${s.state}`, detail: s.spec.configFile, target: { configFile: s.spec.configFile, pointer: s.spec.pointer } })),
    { title, matchOnDetail: true },
  );
  return chosen?.target;
}

/** Applies jsonc-parser edits to the config file through the editor (open editors stay in sync) and saves it. */
async function applyToFile(deps: GuardDeps, configFile: string, compute: (text: string) => { offset: number; length: number; content: string }[]): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(configFile));
  const edits = compute(doc.getText());
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  if (!(await vscode.workspace.applyEdit(we))) throw new Error(`the editor refused the edit of ${configFile}`);
  deps.beforeOwnSave?.(configFile);
  if (!(await doc.save())) throw new Error(`${configFile} could not be saved`);
}

/** Approves the rewritten entry and carries the tool pins of the previous approval over (same server, same tools). */
async function approveRewritten(deps: GuardDeps, t: Target, before: ServerReport, expectGuarded: boolean): Promise<void> {
  const oldMetadata = before.state === 'approved' ? before.record?.metadata : undefined;
  if (!(await deps.rescan(t.configFile))) throw new Error(`${t.configFile} changed on disk while the guard edited it (another writer); nothing was approved`);
  const after = deps.findServer(t.configFile, t.pointer);
  if (!after || !!isGuarded(after.spec.raw) !== expectGuarded) throw new Error(`the entry at ${t.pointer} is not as written after the edit; nothing was approved`);
  await deps.approve(after);
  if (oldMetadata === undefined) return;
  const store = new TrustStore(deps.storePath(), { logger: deps.logger });
  await store.update((d) => {
    const rec = d.records[recordKey(after.spec.configFile, after.spec.pointer)];
    if (rec && rec.decision === 'approved' && rec.fingerprint === after.fingerprint.fingerprint && rec.metadata === undefined) rec.metadata = oldMetadata;
  });
  await deps.rescan();
}

async function guardOne(deps: GuardDeps, launcher: Promise<GuardLauncher>, arg: unknown): Promise<void> {
  const t = asTarget(arg) ?? (await pick(deps, false, 'Guard which MCP server?'));
  if (!t) return;
  const report = deps.findServer(t.configFile, t.pointer);
  if (!report) return void vscode.window.showErrorMessage(`No MCP server at ${t.pointer} in ${t.configFile}.`);
  if (isGuarded(report.spec.raw)) return void vscode.window.showInformationMessage(`"${report.spec.name}" is guarded already.`);
  if (report.spec.transport !== 'stdio') {
    return void vscode.window.showErrorMessage(`"${report.spec.name}" is a remote server; MCP Trust Guard guards stdio servers only (a remote entry would need its URL and headers on a command line).`);
  }
  const l = await launcher;
  const args = [...l.args, 'run', '--config', t.configFile, '--name', report.spec.name, '--', report.spec.command ?? '', ...(report.spec.args ?? [])];
  const line = commandLine(l.command, args);
  const extra = report.state === 'approved' ? '' : `\n\nThis server is ${report.state.toUpperCase()}: guarding it also approves its launch spec as shown.`;
  const ok = await vscode.window.showWarningMessage(
    `Guard "${report.spec.name}"?`,
    { modal: true, detail: `${t.configFile} will launch it through the guard proxy:\n\n${line}${extra}\n\nThe guard refuses any other launch and withholds new or changed tools until you approve them.` },
    'Guard',
  );
  if (ok !== 'Guard') return;
  try {
    await applyToFile(deps, t.configFile, (text) => guardEntryEdits(text, t.pointer, l, t.configFile));
    await approveRewritten(deps, t, report, true);
    deps.logger.info(`guarded "${report.spec.name}" in ${t.configFile}`);
  } catch (e) {
    deps.logger.error(`guarding "${report.spec.name}" failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(e instanceof GuardEditError ? e.message : `Guarding "${report.spec.name}" failed: ${(e as Error).message}`);
  }
}

async function unguardOne(deps: GuardDeps, arg: unknown): Promise<void> {
  const t = asTarget(arg) ?? (await pick(deps, true, 'Unguard which MCP server?'));
  if (!t) return;
  const report = deps.findServer(t.configFile, t.pointer);
  const g = report && isGuarded(report.spec.raw);
  if (!report || !g || g.command === undefined) return void vscode.window.showErrorMessage(`The entry at ${t.pointer} in ${t.configFile} is not a guarded stdio server.`);
  const ok = await vscode.window.showWarningMessage(
    `Unguard "${report.spec.name}"?`,
    { modal: true, detail: `${t.configFile} will launch it directly again, without the guard proxy:\n\n${commandLine(g.command, g.args)}\n\nThis approves that launch spec.` },
    'Unguard',
  );
  if (ok !== 'Unguard') return;
  try {
    await applyToFile(deps, t.configFile, (text) => unguardEntryEdits(text, t.pointer));
    await approveRewritten(deps, t, report, false);
    deps.logger.info(`unguarded "${report.spec.name}" in ${t.configFile}`);
  } catch (e) {
    deps.logger.error(`unguarding "${report.spec.name}" failed: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`Unguarding "${report.spec.name}" failed: ${(e as Error).message}`);
  }
}

async function guardAll(deps: GuardDeps, launcher: Promise<GuardLauncher>): Promise<void> {
  await deps.rescan();
  const todo = (await allServers(deps))
    .filter((s) => s.spec.transport === 'stdio' && s.state === 'approved' && !isGuarded(s.spec.raw))
    .map((s) => deps.findServer(s.spec.configFile, s.spec.pointer) ?? s);
  if (!todo.length) return void vscode.window.showInformationMessage('No approved, unguarded stdio MCP server to guard.');
  const l = await launcher;
  const lines = todo.map((s) => `• ${s.spec.name} (${s.spec.configFile}):\n  ${commandLine(l.command, [...l.args, 'run', '--config', s.spec.configFile, '--name', s.spec.name, '--', s.spec.command ?? '', ...(s.spec.args ?? [])])}`);
  const ok = await vscode.window.showWarningMessage(`Guard ${todo.length} approved stdio server(s)?`, { modal: true, detail: lines.join('\n\n').slice(0, 8_000) }, 'Guard All');
  if (ok !== 'Guard All') return;
  let done = 0;
  for (const s of todo) {
    const t = { configFile: s.spec.configFile, pointer: s.spec.pointer };
    try {
      await applyToFile(deps, t.configFile, (text) => guardEntryEdits(text, t.pointer, l, t.configFile));
      await approveRewritten(deps, t, s, true);
      done++;
    } catch (e) {
      deps.logger.error(`guarding "${s.spec.name}" failed: ${(e as Error).message}`);
    }
  }
  void vscode.window.showInformationMessage(`Guarded ${done} of ${todo.length} server(s).`);
}

/**
 * Registers `mcpTrustGuard.guardServer`, `mcpTrustGuard.unguardServer` and `mcpTrustGuard.guardAll`, and
 * (re)writes the stable launcher into `<globalStorage>/bin` for the CLI bundled with this extension
 * (`dist/cli.js`). Every disposable goes to `context.subscriptions`. Never throws; failures are logged.
 */
export function registerGuardCommands(context: vscode.ExtensionContext, deps: GuardDeps): void {
  const launcher = installLauncher(context.globalStorageUri.fsPath, context.asAbsolutePath('dist/cli.js'), { store: deps.storePath() });
  launcher.then(
    (l) => deps.logger.info(`guard launcher ready: ${l.command}`),
    (e: unknown) => deps.logger.error(`cannot write the guard launcher: ${(e as Error).message}`),
  );
  const run = (name: string, f: () => Promise<void>) =>
    f().catch((e: unknown) => {
      deps.logger.error(`${name} failed: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`${name} failed: ${(e as Error).message}`);
    });
  context.subscriptions.push(
    vscode.commands.registerCommand(GUARD_COMMANDS.guardServer, (arg?: unknown) => run('Guard server', () => guardOne(deps, launcher, arg))),
    vscode.commands.registerCommand(GUARD_COMMANDS.unguardServer, (arg?: unknown) => run('Unguard server', () => unguardOne(deps, arg))),
    vscode.commands.registerCommand(GUARD_COMMANDS.guardAll, () => run('Guard all', () => guardAll(deps, launcher))),
  );
}
