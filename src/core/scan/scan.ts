import { checkAcrossConfigs, checkLaunchSpec } from '../checks/launch';
import { discoverConfigFiles, readConfigFile, type DiscoverOptions } from '../config';
import { fingerprintServer } from '../fingerprint/fingerprint';
import type { FileSystemPort } from '../ports';
import { nodeFileSystem } from '../ports/nodeFs';
import type { TrustStoreData } from '../trust/types';
import type { ConfigError, ConfigLocation, Finding, ParsedConfig } from '../types';
import { evaluateServer, indexApproved, type ServerReport } from './evaluate';

/** A file-level finding that belongs to no single server. */
export interface FileFinding extends Finding {
  configFile: string;
}

/** The result of a scan. Servers are in discovery order (file by file, then source order). */
export interface ScanReport {
  servers: ServerReport[];
  errors: ConfigError[];
  findings: FileFinding[];
  /** Every config file read, parsed. */
  files: ParsedConfig[];
}

/** Options of {@link scanConfigs} and {@link Scanner}. */
export interface ScanOptions extends DiscoverOptions {
  /** Any byte change of an entry counts as a change (Cursor ≥ 1.3 behaviour). Default false. */
  strict?: boolean;
  fs?: FileSystemPort;
  /** Per-file size cap in bytes (default 1 MiB). */
  maxFileBytes?: number;
  /** How many files are read at once (default 16). */
  concurrency?: number;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Whether `pointer` is `base` or lies below it (RFC 6901 prefix on token boundaries). */
function under(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(base + '/');
}

/**
 * A scanner that keeps what it read, so that one changed file is re-checked without reading the others
 * (the extension's watcher and the benchmark's "one-file re-check" use this).
 * Not safe for concurrent calls on one instance; await each call.
 */
export class Scanner {
  private readonly byFile = new Map<string, { parsed: ParsedConfig; servers: ServerReport[]; findings: FileFinding[] }>();
  private locations: ConfigLocation[] = [];

  constructor(private readonly opts: ScanOptions) {}

  /** Discovers and reads every config file, then evaluates all servers against `store`. */
  async scanAll(store: TrustStoreData): Promise<ScanReport> {
    const fs = this.opts.fs ?? nodeFileSystem;
    this.locations = await discoverConfigFiles(this.opts, fs);
    this.byFile.clear();
    const parsed = await mapLimit(this.locations, this.opts.concurrency ?? 16, (loc) =>
      readConfigFile(loc, fs, this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES),
    );
    const approved = indexApproved(store);
    await mapLimit(parsed, this.opts.concurrency ?? 16, async (p) => {
      this.byFile.set(p.location.path, await this.evaluateFile(p, store, approved));
    });
    return this.report();
  }

  /**
   * Re-reads one config file (already known, or a new path with its location) and re-evaluates its servers.
   * @returns the whole report, with cross-config findings recomputed.
   */
  async recheckFile(location: ConfigLocation, store: TrustStoreData): Promise<ScanReport> {
    const fs = this.opts.fs ?? nodeFileSystem;
    const parsed = await readConfigFile(location, fs, this.opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!this.locations.some((l) => l.path === location.path)) this.locations.push(location);
    this.byFile.set(location.path, await this.evaluateFile(parsed, store, indexApproved(store)));
    return this.report();
  }

  /** Re-evaluates every cached server against a changed store, without reading any file again. */
  async reevaluate(store: TrustStoreData): Promise<ScanReport> {
    const approved = indexApproved(store);
    for (const [path, entry] of this.byFile) this.byFile.set(path, await this.evaluateFile(entry.parsed, store, approved));
    return this.report();
  }

  /** The config locations found by the last {@link scanAll} (plus any added by {@link recheckFile}). */
  get knownLocations(): readonly ConfigLocation[] {
    return this.locations;
  }

  private async evaluateFile(parsed: ParsedConfig, store: TrustStoreData, approved: ReturnType<typeof indexApproved>) {
    const roots = this.opts.workspaceFolders;
    const servers: ServerReport[] = [];
    for (const spec of parsed.servers) {
      const fp = await fingerprintServer(spec, { home: this.opts.home, roots: spec.workspaceFolder ? [spec.workspaceFolder, ...roots] : roots, fs: this.opts.fs });
      const r = evaluateServer(spec, fp, store, { strict: this.opts.strict ?? false, approved });
      r.findings.push(...checkLaunchSpec(spec));
      servers.push(r);
    }
    const findings: FileFinding[] = [];
    for (const f of parsed.findings) {
      const owner = servers.find((s) => under(f.pointer, s.spec.pointer));
      if (owner) owner.findings.push({ ...f, pointer: f.pointer.slice(owner.spec.pointer.length) });
      else findings.push({ ...f, configFile: parsed.location.path });
    }
    return { parsed, servers, findings };
  }

  private report(): ScanReport {
    const servers: ServerReport[] = [];
    const errors: ConfigError[] = [];
    const findings: FileFinding[] = [];
    const files: ParsedConfig[] = [];
    for (const loc of this.locations) {
      const e = this.byFile.get(loc.path);
      if (!e) continue;
      files.push(e.parsed);
      errors.push(...e.parsed.errors);
      findings.push(...e.findings);
      for (const s of e.servers) servers.push({ ...s, findings: [...s.findings] });
    }
    const cross = checkAcrossConfigs(servers.map((s) => s.spec));
    for (const s of servers) {
      const extra = cross.get(s.spec);
      if (extra) s.findings.push(...extra);
      if (s.sameAs && s.state === 'new') {
        s.findings.push({
          ruleId: 'renamed-approved-spec',
          severity: 'medium',
          message: `new server "${s.spec.name}" carries the launch spec approved as "${s.sameAs.name}" in ${s.sameAs.configFile}; approval does not follow a rename`,
          pointer: '',
        });
      }
    }
    return { servers, errors, findings, files };
  }
}

/** One-shot scan: discovers, reads and evaluates every config file. See {@link Scanner}. */
export async function scanConfigs(opts: ScanOptions, store: TrustStoreData): Promise<ScanReport> {
  return new Scanner(opts).scanAll(store);
}
