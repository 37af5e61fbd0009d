import { basename, dirname, resolve } from 'node:path';
import { setNewest } from '../boundedMap';
import { checkAcrossConfigs, checkLaunchSpec } from '../checks/launch';
import { skeleton } from '../checks/text';
import { discoverConfigFiles, readConfigFile, type DiscoverOptions } from '../config';
import { maxConfigBytes } from '../config/parse';
import { platformDirs, type PlatformDirs } from '../config/paths';
import { fingerprintServer, pinMemoOf, unresolvedVariableFindings } from '../fingerprint/fingerprint';
import { applyPolicy, emptyPolicySet, policySeverities, withPolicySeverities, type PolicySet } from '../policy';
import type { Severity } from '../types';
import type { ClosureCache } from '../launch/closure';
import { FsPass } from '../launch/pass';
import { workspaceBoundSpecs } from '../launch/workspaceBound';
import { fileStamp, settledAt, type FileStat, type FileSystemPort } from '../ports';
import { missingPathError, syncFileSystem } from '../ports/nodeFs';
import { recordKey } from '../trust/store';
import type { TrustStoreData } from '../trust/types';
import { withoutGuardFlag } from '../veto/flags';
import type { ConfigError, ConfigLocation, Finding, ParsedConfig, ServerSpec } from '../types';
import { evaluateServer, guardRemovedFinding, indexApproved, type ApprovedIndex, type ServerReport } from './evaluate';

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
  /** Per-file size cap in bytes (default: the parser's per-host default, 1 MiB for workspace files). */
  maxFileBytes?: number;
  /** How many files are read at once (default 16). */
  concurrency?: number;
  /** The organization policy in force (default: none). It overrides the store's decisions; see `applyPolicy`. */
  policy?: PolicySet;
  /** Closures and file hashes kept between checks (default: one per process). See `ClosureCache`. */
  closureCache?: ClosureCache;
  /** Whether launches' code closures are pinned (default true; see `FingerprintOptions.codeClosure`). */
  codeClosure?: boolean;
}

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
 * (the extension's watcher and the benchmark's "one-file re-check" use this). Referenced-file hashes are
 * cached by path and {@link fileStamp} (device, inode, size, mtime, ctime), and the approved-spec index by store snapshot.
 * Not safe for concurrent calls on one instance; await each call.
 */
export class Scanner {
  private readonly byFile = new Map<string, FileEntry>();
  private locations: ConfigLocation[] = [];
  private readonly fs: FileSystemPort;
  private approvedCache = new WeakMap<TrustStoreData, ApprovedIndex>();
  private policySet: PolicySet = emptyPolicySet();
  private severities = new Map<string, Severity>();

  /** The open workspace folders: a pass takes them as present (see `passFileSystem`). */
  private readonly openFolders: ReadonlySet<string>;

  constructor(private readonly opts: ScanOptions) {
    this.fs = cachingFileSystem(opts.fs ?? syncFileSystem);
    this.openFolders = new Set(opts.workspaceFolders.map((f) => resolve(f)));
    this.policy = opts.policy ?? emptyPolicySet();
  }

  /** The organization policy in force for the next evaluation (call {@link reevaluate} to apply it now). */
  get policy(): PolicySet {
    return this.policySet;
  }

  set policy(set: PolicySet) {
    this.policySet = set;
    this.severities = policySeverities(set);
  }

  /** Discovers and reads every config file, then evaluates all servers against `store`. */
  async scanAll(store: TrustStoreData): Promise<ScanReport> {
    const pass = this.newPass();
    const parsed = await this.discoverAndRead(pass);
    this.locations = parsed.map((p) => p.location);
    this.byFile.clear();
    await mapLimit(parsed, this.opts.concurrency ?? 16, async (p) => {
      this.byFile.set(fileKey(p.location), await this.evaluateFile(p, store, pass));
    });
    return this.report();
  }

  /**
   * Discovers, reads and parses every config file exactly as {@link scanAll} does (the same file system and pass),
   * and evaluates nothing: what a scan costs before fingerprints, checks and the store. Keeps nothing.
   * @returns the parsed files in discovery order.
   */
  async readAll(): Promise<ParsedConfig[]> {
    return this.discoverAndRead(this.newPass());
  }

  private async discoverAndRead(pass: Pass): Promise<ParsedConfig[]> {
    const locations = await discoverConfigFiles(this.opts, pass.fs);
    return mapLimit(locations, this.opts.concurrency ?? 16, (loc) => readConfigFile(loc, pass.fs, this.maxBytes));
  }

  /**
   * Re-reads one config file (already known, or a new path with its location) and re-evaluates its servers.
   * @returns that file's server reports, with cross-config findings against every file known. Call
   *   {@link report} for the whole picture (other files' cross-config findings may have moved too).
   */
  async recheckFile(location: ConfigLocation, store: TrustStoreData): Promise<ServerReport[]> {
    const pass = this.newPass();
    const parsed = await readConfigFile(location, pass.fs, this.maxBytes);
    if (!this.locations.some((l) => fileKey(l) === fileKey(location))) this.locations.push(location);
    const entry = await this.evaluateFile(parsed, store, pass);
    this.byFile.set(fileKey(location), entry);
    // Only servers sharing a name (or a confusable skeleton) with this file's servers can have cross-config
    // findings about them.
    const names = new Set(skeletonsOf(entry));
    const related: ServerSpec[] = [];
    for (const e of this.byFile.values()) {
      const k = skeletonsOf(e);
      for (let i = 0; i < k.length; i++) if (names.has(k[i])) related.push(e.servers[i].spec);
    }
    const cross = checkAcrossConfigs(related);
    return entry.servers.map((s) => withCross(s, cross, this.severities));
  }

  /** Forgets a config file (deleted on disk): its servers leave the report. */
  removeFile(path: string): void {
    for (const l of this.locations) if (l.path === path) this.byFile.delete(fileKey(l));
    this.locations = this.locations.filter((l) => l.path !== path);
  }

  /** Re-evaluates every cached server against a changed store, without reading any config file again. */
  async reevaluate(store: TrustStoreData): Promise<ScanReport> {
    const pass = this.newPass();
    const entries = [...this.byFile];
    const done = await mapLimit(entries, this.opts.concurrency ?? 16, ([, entry]) => this.evaluateFile(entry.parsed, store, pass));
    entries.forEach(([path], i) => this.byFile.set(path, done[i]));
    return this.report();
  }

  /** The config locations found by the last {@link scanAll} (plus any added by {@link recheckFile}). */
  get knownLocations(): readonly ConfigLocation[] {
    return this.locations;
  }

  /** The whole report of what is known now, in discovery order, with cross-config findings. O(servers). */
  report(): ScanReport {
    const servers: ServerReport[] = [];
    const errors: ConfigError[] = [];
    const findings: FileFinding[] = [];
    const files: ParsedConfig[] = [];
    const seen = new Set<string>();
    for (const loc of this.locations) {
      const e = this.byFile.get(fileKey(loc));
      if (!e) continue;
      files.push(e.parsed);
      // A file several hosts read is parsed once per host; its syntax errors are reported once.
      for (const err of e.parsed.errors) {
        const k = `${err.configFile}\0${err.line}\0${err.column}\0${err.message}`;
        if (!seen.has(k)) errors.push(err);
        seen.add(k);
      }
      findings.push(...e.findings);
      servers.push(...e.servers);
    }
    const cross = checkAcrossConfigs(servers.map((s) => s.spec));
    return { servers: servers.map((s) => withCross(s, cross, this.severities)), errors, findings, files };
  }

  /** The per-file cap; undefined lets the parser apply its per-host default (1 MiB; more for `~/.claude.json`). */
  private get maxBytes(): number | undefined {
    return this.opts.maxFileBytes;
  }

  private approvedIndex(store: TrustStoreData): ApprovedIndex {
    let idx = this.approvedCache.get(store);
    if (!idx) {
      idx = indexApproved(store);
      this.approvedCache.set(store, idx);
    }
    return idx;
  }

  /** What one pass (a scan, a re-check, a re-evaluation) reads through: see {@link passFileSystem} and `FsPass`. */
  private newPass(): Pass {
    return { fs: passFileSystem(this.fs, this.openFolders), closures: new FsPass(), dirs: platformDirs(this.opts.home, process.platform, this.opts.env ?? process.env) };
  }

  /**
   * The servers of a parsed file, each entry carrying a switch the guard set (`store.hostFlags`) taken as the file
   * will be without it (`withoutGuardFlag`): the guard's own veto never changes what is pinned.
   */
  private async withoutGuardFlags(parsed: ParsedConfig, store: TrustStoreData, pass: Pass): Promise<readonly ServerSpec[]> {
    const flags = store.hostFlags;
    if (!flags || !parsed.servers.some((s) => flags[recordKey(s.configFile, s.pointer)])) return parsed.servers;
    let text: string;
    try {
      text = new TextDecoder().decode(await pass.fs.readFile(parsed.location.path, this.maxBytes ?? maxConfigBytes(parsed.location)));
    } catch {
      return parsed.servers;
    }
    return parsed.servers.map((s) => withoutGuardFlag(s, flags[recordKey(s.configFile, s.pointer)], text, parsed.location));
  }

  /** Fingerprints and checks the servers of one parsed file, reading through `pass`. */
  private async evaluateFile(parsed: ParsedConfig, store: TrustStoreData, pass: Pass) {
    const roots = this.opts.workspaceFolders;
    const approved = this.approvedIndex(store);
    const servers: ServerReport[] = [];
    // A user-level entry that runs code from the open workspace is evaluated once per workspace folder.
    const specs: ServerSpec[] = [];
    for (const spec of await this.withoutGuardFlags(parsed, store, pass)) specs.push(...(await workspaceBoundSpecs(spec, roots, (p) => pass.fs.realpath(p))));
    for (const spec of specs) {
      const specJson = jsonOf(spec);
      const fp = await fingerprintServer(spec, {
        home: this.opts.home,
        env: this.opts.env,
        roots: spec.workspaceFolder ? [spec.workspaceFolder] : roots,
        fs: pass.fs,
        closureCache: this.opts.closureCache,
        closurePass: pass.closures,
        dirs: pass.dirs,
        codeClosure: this.opts.codeClosure,
        // Pins are checked against `node:fs` states: only kept when the scanner reads the local disk itself.
        pins: this.opts.fs ? undefined : pinMemoOf(this.opts.closureCache),
        specJson,
      });
      const r = evaluateServer(spec, fp, store, { strict: this.opts.strict ?? false, approved });
      const stripped = guardRemovedFinding(r, this.opts.home);
      if (stripped) r.findings.push(stripped);
      r.findings.push(...unresolvedVariableFindings(fp.gaps ?? []), ...(fp.findings ?? []), ...launchFindings(spec, specJson));
      if (r.sameAs && r.state === 'new') {
        r.findings.push({
          ruleId: 'renamed-approved-spec',
          severity: 'medium',
          message: `new server "${spec.name}" carries the launch spec approved as "${r.sameAs.name}" in ${r.sameAs.configFile}; approval does not follow a rename`,
          pointer: '',
        });
      }
      servers.push(r);
    }
    const findings: FileFinding[] = [];
    for (const f of parsed.findings) {
      const owner = servers.find((s) => under(f.pointer, s.spec.pointer));
      // An entry evaluated per workspace folder has one report per folder; each gets the finding.
      if (!owner) {
        findings.push({ ...f, configFile: parsed.location.path });
        continue;
      }
      for (const o of servers) if (o.spec.pointer === owner.spec.pointer) o.findings.push({ ...f, pointer: f.pointer.slice(o.spec.pointer.length) });
    }
    const decided = servers.map((s) => {
      const d = applyPolicy(s, this.policySet, this.opts.home);
      return { ...d, findings: withPolicySeverities(d.findings, this.severities) };
    });
    return { parsed, servers: decided, findings: withPolicySeverities(findings, this.severities) };
  }
}

/** `JSON.stringify(spec)`, or undefined for an entry that has no JSON text. */
function jsonOf(spec: ServerSpec): string | undefined {
  try {
    return JSON.stringify(spec);
  } catch {
    return undefined;
  }
}

/** {@link checkLaunchSpec}'s findings by the checked entry's JSON text, oldest first (see {@link launchFindings}). */
const checkedEntries = new Map<string, readonly Finding[]>();
const CHECKED_ENTRIES = 20_000;

/**
 * {@link checkLaunchSpec} of `spec`, kept for the process by the entry's JSON text (`specJson`: every field it
 * checks, so equal texts get equal findings) for the last {@link CHECKED_ENTRIES} entries: a scan of unchanged
 * files checks each entry once. Without `specJson`, checked every time.
 */
function launchFindings(spec: ServerSpec, specJson: string | undefined): readonly Finding[] {
  if (specJson === undefined) return checkLaunchSpec(spec);
  let found = checkedEntries.get(specJson);
  if (!found) {
    found = checkLaunchSpec(spec);
    setNewest(checkedEntries, specJson, found, CHECKED_ENTRIES);
  }
  return found;
}

/** The file system views of one pass: config and referenced files, and the closures' stats. */
interface Pass {
  fs: FileSystemPort;
  closures: FsPass;
  /** The hosts' directories, read from the environment once per pass. */
  dirs: PlatformDirs;
}

/** What the scanner keeps of one config file as one host reads it. */
interface FileEntry {
  parsed: ParsedConfig;
  servers: ServerReport[];
  findings: FileFinding[];
  /** The confusable skeletons of its servers' names, in `servers` order; computed when first needed. */
  skeletons?: string[];
}

/** The confusable skeletons of a file's server names (a re-check compares them with every known file's). */
function skeletonsOf(e: FileEntry): string[] {
  return (e.skeletons ??= e.servers.map((s) => skeleton(s.spec.name)));
}

/** The cache key of a config file as one host reads it (several hosts may read one path: `.mcp.json`). */
function fileKey(l: ConfigLocation): string {
  return `${l.host}\0${l.path}`;
}

/**
 * The one entry a set of reports stands for when they are the same entry (same file and pointer, resolved in the
 * same workspace) as read by several hosts: the first that is not approved (so a caller that acts on it fails closed), else the first.
 * @returns undefined when the reports are not all one entry (or there are none).
 */
export function sameEntry(reports: readonly ServerReport[]): ServerReport | undefined {
  const one = (r: ServerReport) => r.spec.configFile === reports[0].spec.configFile && r.spec.pointer === reports[0].spec.pointer && r.spec.resolvedIn === reports[0].spec.resolvedIn;
  if (!reports.length || !reports.every(one)) return undefined;
  return reports.find((r) => r.state !== 'approved') ?? reports[0];
}

/** `s` with its cross-config findings appended (a new object only when there are some). */
function withCross(s: ServerReport, cross: Map<ServerSpec, Finding[]>, severities: ReadonlyMap<string, Severity>): ServerReport {
  const extra = cross.get(s.spec);
  return extra ? { ...s, findings: [...s.findings, ...withPolicySeverities(extra, severities)] } : s;
}

/**
 * Wraps a file system so that `readFile` of an unchanged file is served from memory. Unchanged means the same
 * {@link fileStamp} (device, inode, size, mtime, ctime) as when last read, the key the watchers use: a same-size
 * rewrite with the mtime put back, in place or renamed over, is read again. The stamp is taken before the read
 * and kept only when {@link settledAt} says the file had not changed just before (a write in the same clock tick
 * could leave the stamp as it was). Only files up to 1 MiB are kept, at most 4,096 of them.
 */
function cachingFileSystem(inner: FileSystemPort): FileSystemPort {
  const cache = new Map<string, { stamp: string; max: number; bytes: Uint8Array }>();
  return {
    ...inner,
    async readFile(path, maxBytes) {
      const since = Date.now();
      const st = await inner.stat(path);
      const stamp = fileStamp(st);
      const hit = cache.get(path);
      if (hit && hit.stamp === stamp && hit.max === maxBytes) return hit.bytes;
      const bytes = await inner.readFile(path, maxBytes);
      if (hit) cache.delete(path);
      if (st.size <= 1024 * 1024 && settledAt(st, since)) {
        setNewest(cache, path, { stamp, max: maxBytes, bytes }, 4096);
      }
      return bytes;
    },
  };
}

/**
 * The file system of one pass (a scan, a re-check, a re-evaluation): each `stat`, `realpath`, `readFile` and
 * `readdir` of a path is asked of `inner` once and its answer (or rejection) reused for the rest of the pass. The
 * servers of a file share their merged sources (the config file's `inputs`, `.claude/settings.json`, `.env`) and
 * often their scripts, so without it every server repeats the same system calls, most of them failing with ENOENT.
 * Most lookups are of files that do not exist (every host's config names, a runtime's implicit script candidates):
 * a path whose folder listing (read once per folder and pass) holds no name equal to its own, ignoring ASCII case
 * for file systems that do, is answered ENOENT without a system call, and so is a path below a folder answered so
 * (folders are asked top down from the third level, so a missing folder costs no failing call either); a
 * non-ASCII name, or a folder that cannot be listed (or holds over 10,000 entries), is always asked. The open
 * workspace folders (`open`) are taken as present: their parent (often a folder of many projects) is not listed to
 * find them. Being taken as present only means being asked. A pass sees each file as it was when first asked; a
 * change during the pass is the watcher's next event. Never kept across passes.
 */
function passFileSystem(inner: FileSystemPort, open: ReadonlySet<string> = new Set()): FileSystemPort {
  const stats = new Map<string, Promise<FileStat>>();
  const reals = new Map<string, Promise<string>>();
  const lists = new Map<string, Promise<string[]>>();
  const folded = new Map<string, Promise<Set<string> | undefined>>();
  const gone = new Map<string, Promise<boolean>>();
  const once = <T>(memo: Map<string, Promise<T>>, key: string, ask: () => Promise<T>): Promise<T> => {
    let p = memo.get(key);
    if (!p) memo.set(key, (p = ask()));
    return p;
  };
  const readdir = (path: string) => lists.get(path) ?? once(lists, path, () => inner.readdir(path));
  /** The lower-cased names of a folder, or undefined when it cannot be listed or is too large to be worth it. */
  const names = (dir: string) => once(folded, dir, () => readdir(dir).then((l) => (l.length > 10_000 ? undefined : new Set(l.map((n) => n.toLowerCase()))), () => undefined));
  /** Whether `path` is known missing from its folder's listing, the folder's own presence asked first (memoized). */
  const absent = (path: string): Promise<boolean> => {
    const name = basename(path);
    const dir = dirname(path);
    // Folders within two levels of the root (`/tmp`, `/home/u`, `C:\Users`) are taken as present: large, shared,
    // and listing them would cost a one-file re-check more than it saves.
    if (!name || dir === path || !/^[\x20-\x7e]+$/.test(name) || name === '.' || name === '..' || open.has(path) || depth(path) < 3) return Promise.resolve(false);
    // Top down: a missing folder is answered from its parent's listing, never by a failing readdir of its own.
    return gone.get(path) ?? once(gone, path, async () => (await absent(dir)) || ((await names(dir))?.has(name.toLowerCase()) === false));
  };
  /** `ask(path)`, or ENOENT without asking when the folder listing says `path` is missing (see {@link absent}). */
  const unlessAbsent = async <T>(path: string, what: string, ask: (path: string) => Promise<T>): Promise<T> => {
    if (await absent(path)) throw missingPathError(what, path);
    return ask(path);
  };
  // The memo is looked up before anything is allocated: most calls of a pass are repeats (the servers of a file
  // ask for the same merged sources and scripts).
  const orMissing = <T>(memo: Map<string, Promise<T>>, path: string, what: string, ask: (path: string) => Promise<T>): Promise<T> => {
    let p = memo.get(path);
    if (!p) memo.set(path, (p = unlessAbsent(path, what, ask)));
    return p;
  };
  const stat = (path: string) => inner.stat(path);
  const realpath = (path: string) => inner.realpath(path);
  /** Reads by cap, then path (one cap in practice: a config file's). */
  const readsByCap = new Map<number, { memo: Map<string, Promise<Uint8Array>>; read: (path: string) => Promise<Uint8Array> }>();
  return {
    stat: (path) => orMissing(stats, path, 'stat', stat),
    realpath: (path) => orMissing(reals, path, 'realpath', realpath),
    readFile: (path, maxBytes) => {
      let reads = readsByCap.get(maxBytes);
      if (!reads) readsByCap.set(maxBytes, (reads = { memo: new Map(), read: (p) => inner.readFile(p, maxBytes) }));
      return orMissing(reads.memo, path, 'open', reads.read);
    },
    readdir,
  };
}

/** How many names a path has below its root (`/a/b` → 2). */
function depth(path: string): number {
  let n = 0;
  for (let d = path; dirname(d) !== d; d = dirname(d)) n++;
  return n;
}

/** One-shot scan: discovers, reads and evaluates every config file. See {@link Scanner}. */
export async function scanConfigs(opts: ScanOptions, store: TrustStoreData): Promise<ScanReport> {
  return new Scanner(opts).scanAll(store);
}
