/**
 * Entry point of the MCP Trust Guard VS Code extension (bundled to `dist/extension.js`).
 *
 * `activate()` only wires (no logic of its own): it builds the {@link GuardService} (scanner, trust store,
 * watchers), the prompts, the server tree, the tool inspector, diagnostics, CodeLens, status bar and commands,
 * pushes every disposable to `context.subscriptions`, and starts the first scan without waiting for it (a
 * change made while the editor was closed is caught then).
 *
 * Activation (package.json `activationEvents`): on start-up finished, and when a workspace contains
 * `.vscode/mcp.json`, `.cursor/mcp.json` or `.mcp.json`. Runs in Restricted Mode too
 * (`capabilities.untrustedWorkspaces.supported: true`): it watches and prompts there, but never launches a
 * workspace-defined server.
 *
 * Log lines tests rely on: `activated in <ms> ms (host: <appName>, trusted: <bool>)`, and once the commands are
 * registered `commands registered: <id> <id> …` (every `mcpTrustGuard.*` id from `vscode.commands.getCommands`,
 * so the e2e test can compare them with package.json without a test-only command).
 */
import * as vscode from 'vscode';
import { COMMAND_PREFIX } from './commands/ids';
import { registerCommands } from './commands';
import { ServerCodeLensProvider, CODELENS_SELECTOR } from './editor/codeLens';
import { DiagnosticsPublisher } from './editor/diagnostics';
import { GuardStatusBar } from './editor/statusBar';
import { registerGuardCommands } from './guard';
import { createExtensionLogger } from './log';
import { recordDecisions } from '../core/trust';
import { InspectorViewProvider } from './panels';
import { GuardActions } from './services/actions';
import { GuardService, userDataDirOf } from './services/guardService';
import { PendingReviewPrompter } from './services/pendingPrompter';
import { ReviewPrompter } from './services/reviewPrompter';
import { VetoService } from './services/vetoService';
import { readSettings, rereadUserSettings, SETTINGS_SECTION } from './settings';
import { ServerTreeProvider } from './tree/serverTree';

export { CommandId } from './commands/ids';

/**
 * Called by the host on the first activation event. Logs the activation line with the wall-clock time spent
 * inside this function. Never throws: a failing first scan is logged.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = createExtensionLogger();
  context.subscriptions.push(log);

  const userDataDir = userDataDirOf(context.globalStorageUri);
  const service = new GuardService(log, readSettings(), userDataDir ? [userDataDir] : []);
  const inspector = new InspectorViewProvider(context);
  const vetoes = new VetoService(service, log, userDataDir, () => readSettings().hostVetoes, rereadUserSettings);
  const actions = new GuardActions(context, service, log, inspector, vetoes);
  const tree = new ServerTreeProvider(service, vetoes);
  const diagnostics = new DiagnosticsPublisher(service, () => service.currentSettings.problems, log);
  context.subscriptions.push(
    service,
    vetoes,
    inspector,
    tree,
    new ReviewPrompter(service, actions, log),
    new PendingReviewPrompter(context, service, actions, log),
    tree.attach(),
    diagnostics,
    new GuardStatusBar(service, vetoes),
  );
  const lenses = new ServerCodeLensProvider(service);
  context.subscriptions.push(lenses, vscode.languages.registerCodeLensProvider(CODELENS_SELECTOR, lenses));
  context.subscriptions.push(...registerCommands({ service, actions, log }));
  registerGuardCommands(context, {
    logger: log,
    installLauncherOnPath: () => readSettings().installLauncherOnPath,
    beforeOwnSave: (file) => service.origins.expectOwnSave(file),
    storePath: () => service.trustStore.path,
    rescan: async (ownEdit) => {
      const snap = await service.rescan('guard', ownEdit);
      return ownEdit === undefined || snap.origins?.get(ownEdit) === 'self';
    },
    findServer: (key) => service.find(key),
    approve: async (report) => {
      await recordDecisions(service.trustStore, [report], 'approved', new Date());
      await service.reevaluate('decision');
    },
  });
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      if (!['hosts', 'strict', 'storePath'].some((k) => e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`))) {
        // Problems or probe settings: no rescan needed
        service.configure(readSettings(), { keepScanner: true });
        diagnostics.refresh();
        return;
      }
      service.configure(readSettings());
      void service.rescan('settings').catch((err) => log.error(`rescan failed: ${String(err)}`));
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      service.configure(readSettings());
      void service.rescan('folders').catch((err) => log.error(`rescan failed: ${String(err)}`));
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // the tools Restricted Mode held back are read now
      void service
        .reevaluate('trust')
        .then(() => actions.readAfterTrust())
        .catch((err) => log.error(`after trust: ${String(err)}`));
    }),
  );

  const ms = Math.round(performance.now() - started);
  log.info(`activated in ${ms} ms (host: ${vscode.env.appName}, trusted: ${vscode.workspace.isTrusted})`);
  void service.rescan('start').catch((err) => log.error(`first scan failed: ${(err as Error)?.stack ?? String(err)}`));
  void vscode.commands.getCommands(true).then((all) => {
    log.info(`commands registered: ${all.filter((c) => c.startsWith(COMMAND_PREFIX)).sort().join(' ')}`);
  });
}

/** Called by the host on shutdown. Everything is released through `context.subscriptions`. */
export function deactivate(): void {}
