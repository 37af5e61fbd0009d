/**
 * The extension's state: one {@link Scanner} per window over the workspace folders and the user's files, the
 * shared trust store, the file watchers that keep both current, the quarantined entries, and the last probe
 * of each server. Views (tree, diagnostics, CodeLens, status bar) and prompts subscribe to
 * {@link GuardService.onDidChange} and render the {@link GuardSnapshot}; they never read files themselves.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configCandidates, configPatterns, type DiscoverOptions } from '../../core/config';
import { listQuarantined, type QuarantinedEntry } from '../../core/edit/quarantine';
import type { Logger } from '../../core/ports';
import { Scanner, type MetadataReport, type ScanReport, type ServerReport } from '../../core/scan';
import { defaultStorePath, recordKey, TrustStore, type TrustStoreData } from '../../core/trust';
import type { ConfigLocation, HostId } from '../../core/types';
import type { GuardSettings } from '../settings';
import { Debouncer } from './debounce';

/** Identifies one server entry: the shape of every command argument that acts on a server. */
export interface ServerKey {
  /** Absolute path of the config file. */
  configFile: string;
  /** RFC 6901 JSON Pointer of the entry. */
  pointer: string;
}

/** A quarantined (blocked) entry of a known config file. */
export interface QuarantinedServer extends QuarantinedEntry {
  configFile: string;
  host: HostId;
  scope: ConfigLocation['scope'];
  workspaceFolder?: string;
}

/** The last probe of a server in this window. */
export interface ProbeRecord {
  metadata: MetadataReport;
  /** The launch-spec fingerprint the probe ran with. */
  fingerprint: string;
  at: Date;
}

/** Everything the views show, as of one moment. */
export interface GuardSnapshot {
  report: ScanReport;
  quarantined: QuarantinedServer[];
  /** Last probe per `recordKey(configFile, pointer)`. */
  probes: ReadonlyMap<string, ProbeRecord>;
  /** The trust store file in use. */
  storePath: string;
  /** Why the trust store was unusable (treated as "nothing approved"), if it was. */
  storeProblem?: string;
  /** Whether the workspace is trusted (`vscode.workspace.isTrusted`). */
  trusted: boolean;
  /** Wall time of the scan that produced this snapshot, ms. */
  scanMs: number;
  /** Why this snapshot was made: `start`, `files`, `store`, `refresh`, `settings`, `decision`, `probe`. */
  cause: string;
}

/** Debounce of watcher events, ms: a burst becomes one review. */
export const WATCH_QUIET_MS = 150;
/** Longest wait for a burst to settle, ms. */
export const WATCH_MAX_MS = 1_000;
/** Largest config file read again to list quarantined entries, bytes. */
const MAX_QUARANTINE_SCAN_BYTES = 4 * 1024 * 1024;

/** The `--user-data-dir` of this VS Code window: `<dir>/User/globalStorage/<extension id>` → `<dir>`. */
export function userDataDirOf(globalStorage: vscode.Uri): string | undefined {
  if (globalStorage.scheme !== 'file') return undefined;
  const p = globalStorage.fsPath;
  const user = path.dirname(path.dirname(p));
  return path.basename(user) === 'User' ? path.dirname(user) : undefined;
}

/**
 * Owns the scanner, trust store and watchers of one window. Every operation on the scanner is serialized on
 * one queue (the scanner is not re-entrant). Never throws from event handlers: failures are logged.
 */
export class GuardService implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<GuardSnapshot>();
  /** Fires after every re-scan or re-evaluation. */
  readonly onDidChange = this.emitter.event;
  private scanner!: Scanner;
  private store!: TrustStore;
  private storeData: TrustStoreData = { version: 1, records: Object.create(null) };
  private storeProblem: string | undefined;
  private current: GuardSnapshot | undefined;
  private quarantined: QuarantinedServer[] = [];
  private readonly probes = new Map<string, ProbeRecord>();
  private watchers: vscode.Disposable[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private readonly debouncer: Debouncer<string>;
  private discover!: DiscoverOptions;
  /** Time of the last watcher event that started the pending burst (for latency logging). */
  private burstStarted: number | undefined;

  constructor(
    private readonly logger: Logger,
    private settings: GuardSettings,
    private readonly userDataDirs: string[],
  ) {
    this.debouncer = new Debouncer<string>({ quietMs: WATCH_QUIET_MS, maxMs: WATCH_MAX_MS }, (keys) => this.onFilesChanged(keys), (e) => this.logger.error(`watcher: ${String(e)}`));
    this.configure(settings);
  }

  /** The latest snapshot (undefined before the first scan finished). */
  get snapshot(): GuardSnapshot | undefined {
    return this.current;
  }

  /** The trust store in use. */
  get trustStore(): TrustStore {
    return this.store;
  }

  /** The settings in use. */
  get currentSettings(): GuardSettings {
    return this.settings;
  }

  /** (Re)builds scanner, store and watchers for `settings`; call {@link rescan} afterwards. */
  configure(settings: GuardSettings): void {
    this.settings = settings;
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    this.discover = { workspaceFolders: folders, home: os.homedir(), includeUser: true, userDataDirs: this.userDataDirs, hosts: settings.hosts };
    this.scanner = new Scanner({ ...this.discover, strict: settings.strict });
    this.store = new TrustStore(defaultStorePath(settings.storePath || undefined), { logger: this.logger });
    this.createWatchers();
  }

  /** The report of one server, or undefined. */
  find(key: ServerKey): ServerReport | undefined {
    return this.current?.report.servers.find((s) => s.spec.configFile === key.configFile && s.spec.pointer === key.pointer);
  }

  /** The quarantined entry under `key`, or undefined. */
  findQuarantined(key: ServerKey): QuarantinedServer | undefined {
    return this.quarantined.find((q) => q.configFile === key.configFile && q.pointer === key.pointer);
  }

  /** Remembers the last probe of a server and publishes a new snapshot. */
  setProbe(report: ServerReport, metadata: MetadataReport): void {
    this.probes.set(recordKey(report.spec.configFile, report.spec.pointer), { metadata, fingerprint: report.fingerprint.fingerprint, at: new Date() });
    if (this.current) this.publish({ ...this.current, probes: this.probes, cause: 'probe' });
  }

  /** The last probe of a server in this window, if any. */
  probeOf(key: ServerKey): ProbeRecord | undefined {
    return this.probes.get(recordKey(key.configFile, key.pointer));
  }

  /** Discovers and reads every config file and the store again. Resolves with the new snapshot. */
  rescan(cause = 'refresh'): Promise<GuardSnapshot> {
    return this.enqueue(async () => {
      const t0 = performance.now();
      await this.readStore();
      const report = await this.scanner.scanAll(this.storeData);
      await this.readQuarantine(report.files.map((f) => f.location));
      return this.publishReport(report, cause, performance.now() - t0);
    });
  }

  /** Re-reads the trust store (after a decision) and re-evaluates every server without reading configs. */
  reevaluate(cause = 'decision'): Promise<GuardSnapshot> {
    return this.enqueue(async () => {
      const t0 = performance.now();
      await this.readStore();
      const report = await this.scanner.reevaluate(this.storeData);
      return this.publishReport(report, cause, performance.now() - t0);
    });
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    this.emitter.dispose();
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readStore(): Promise<void> {
    try {
      const snap = await this.store.read();
      this.storeData = snap.data;
      if (snap.problem && snap.problem.message !== this.storeProblem) this.logger.warn(`trust store unusable (${snap.problem.message}); treated as "nothing approved"`);
      this.storeProblem = snap.problem?.message;
    } catch (e) {
      this.storeProblem = `cannot read ${this.store.path}: ${(e as Error).message}`;
      this.logger.error(this.storeProblem);
    }
  }

  /** Lists quarantined entries of the given files (their text is read again; big files are skipped). */
  private async readQuarantine(locations: readonly ConfigLocation[]): Promise<void> {
    const out: QuarantinedServer[] = [];
    for (const loc of locations) {
      try {
        const st = await fsp.stat(loc.path);
        if (!st.isFile() || st.size > MAX_QUARANTINE_SCAN_BYTES) continue;
        const text = await fsp.readFile(loc.path, 'utf8');
        if (!text.includes('mcpTrustGuard.quarantine')) continue;
        for (const q of listQuarantined(text.replace(/^\uFEFF/, ''))) {
          out.push({ ...q, configFile: loc.path, host: loc.host, scope: loc.scope, workspaceFolder: loc.workspaceFolder });
        }
      } catch {
        // missing or unreadable: the scan reports it
      }
    }
    this.quarantined = out;
  }

  private publishReport(report: ScanReport, cause: string, scanMs: number): GuardSnapshot {
    const snap: GuardSnapshot = {
      report,
      quarantined: this.quarantined,
      probes: this.probes,
      storePath: this.store.path,
      storeProblem: this.storeProblem,
      trusted: vscode.workspace.isTrusted,
      scanMs,
      cause,
    };
    this.publish(snap);
    const counts = { new: 0, changed: 0, denied: 0, approved: 0 };
    for (const s of report.servers) counts[s.state]++;
    const latency = this.burstStarted !== undefined && cause === 'files' ? `, ${Math.round(Date.now() - this.burstStarted)} ms after the first file event` : '';
    if (cause === 'files') this.burstStarted = undefined;
    this.logger.info(
      `${cause}: ${report.servers.length} server(s) in ${report.files.length} file(s) — ${counts.new} new, ${counts.changed} changed, ${counts.denied} denied, ${this.quarantined.length} quarantined; ${report.errors.length} file error(s); ${Math.round(scanMs)} ms${latency}`,
    );
    return snap;
  }

  private publish(snap: GuardSnapshot): void {
    this.current = snap;
    this.emitter.fire(snap);
  }

  /** Handles one debounced burst of watcher events (paths of config files and/or the store). */
  private async onFilesChanged(paths: Set<string>): Promise<void> {
    await this.enqueue(async () => {
      const t0 = performance.now();
      const storeChanged = paths.delete(this.store.path);
      await this.readStore();
      let report: ScanReport;
      const known = new Map(configCandidates(this.discover).map((l) => [l.path, l]));
      for (const l of this.scanner.knownLocations) known.set(l.path, l);
      const fixed = [...paths].map((p) => known.get(p));
      if (paths.size > 8 || fixed.some((l) => !l)) {
        // A pattern-named file (a .code-workspace, a profile) or a big burst: discover again.
        report = await this.scanner.scanAll(this.storeData);
      } else {
        for (const loc of fixed as ConfigLocation[]) {
          const exists = await fsp.stat(loc.path).then(
            (s) => !s.isDirectory(),
            () => false,
          );
          if (exists) await this.scanner.recheckFile(loc, this.storeData);
          else this.scanner.removeFile(loc.path);
        }
        report = storeChanged ? await this.scanner.reevaluate(this.storeData) : this.scanner.report();
      }
      await this.readQuarantine(report.files.map((f) => f.location));
      this.publishReport(report, paths.size ? 'files' : 'store', performance.now() - t0);
    });
  }

  private onEvent(uri: vscode.Uri): void {
    if (uri.scheme !== 'file') return;
    this.burstStarted ??= Date.now();
    this.debouncer.add(uri.fsPath);
  }

  /**
   * One watcher per workspace folder (a brace pattern of every config path inside it), one per user-level
   * directory (files outside the workspace: `RelativePattern(Uri.file(dir), name)`), one per pattern (VS Code
   * profiles, `*.code-workspace`), and one on the trust store file.
   */
  private createWatchers(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const byBase = new Map<string, Set<string>>();
    const add = (base: string, glob: string) => {
      let set = byBase.get(base);
      if (!set) byBase.set(base, (set = new Set()));
      set.add(glob);
    };
    for (const loc of configCandidates(this.discover)) {
      if (loc.scope === 'workspace' && loc.workspaceFolder) add(loc.workspaceFolder, path.relative(loc.workspaceFolder, loc.path).split(path.sep).join('/'));
      else add(path.dirname(loc.path), path.basename(loc.path));
    }
    add(path.dirname(this.store.path), path.basename(this.store.path));
    // Brace groups do not nest in VS Code globs: patterns (which may have braces) get watchers of their own.
    const specs: [string, string][] = [...byBase].map(([base, globs]) => {
      const list = [...globs];
      return [base, list.length === 1 ? list[0] : `{${list.join(',')}}`];
    });
    for (const p of configPatterns(this.discover)) specs.push([p.base, p.glob]);
    for (const [base, glob] of specs) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(base), glob));
      w.onDidCreate((u) => this.onEvent(u));
      w.onDidChange((u) => this.onEvent(u));
      w.onDidDelete((u) => this.onEvent(u));
      this.watchers.push(w);
    }
    this.logger.info(`watching ${specs.length} pattern(s) for MCP config files and the trust store ${this.store.path}`);
  }
}
