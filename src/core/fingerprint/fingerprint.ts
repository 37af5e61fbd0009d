import { dirname, join } from 'node:path';
import { DEFAULT_MAX_CONFIG_BYTES } from '../config/parse';
import { platformDirs, type PlatformDirs } from '../config/paths';
import { HOSTS, type MergedIo } from '../hosts';
import type { FileSystemPort } from '../ports';
import { nodeFileSystem } from '../ports/nodeFs';
import { defaultClosureCache, type ClosureCache } from '../launch/closure';
import type { FsPass } from '../launch/pass';
import type { DuplicateKey, Finding, ReferencedFile, ServerSpec } from '../types';
import { launcherShadows } from '../edit/guardForm';
import { canonicalJson, canonicalJsonOfParsed, sha256Hex } from './canonical';
import { pinCommand, type CommandPin } from './command';
import { PinMemo, PinRecorder } from './pinMemo';
import { findReferencedFiles, INCOMPLETE_PIN_RULE, pinLaunchClosure, type ReferenceGap } from './references';

/**
 * The launch-spec pin of one server.
 * - `specHash`: SHA-256 of the RFC 8785 canonical JSON of {@link pinnedSpec} (the whole entry, every field,
 *   variables as written, plus all values of duplicate keys). Unchanged by whitespace, comments, key order.
 * - `sourceHash`: SHA-256 of the entry's source text; any byte change moves it (Cursor ≥ 1.3 "strict" behaviour).
 * - `files`: the referenced workspace files and their hashes.
 * - `command`: for a guarded entry with a bare command, the absolute path the proxy will spawn (`pinCommand`).
 * - `fingerprint`: SHA-256 of the canonical JSON of `{specHash, files: [[via, ref, sha256]…]}` (plus
 *   `command: [name, path]` when there is one): what approval binds to.
 */
export interface SpecFingerprint {
  fingerprint: string;
  specHash: string;
  sourceHash: string;
  files: ReferencedFile[];
  /** The binary a guarded entry's proxy spawns (see {@link CommandPin}); absent for any other entry. */
  command?: CommandPin;
  /** Paths the launch may read that could not be followed (an unresolved variable); each is a high finding. */
  gaps?: ReferenceGap[];
  /**
   * What the host merges into this launch from outside the entry (VS Code `inputs` and `sandbox`, a
   * `.code-workspace`'s `folders`, Claude Code settings `env`, Gemini CLI `.env`; see `HostAdapter.collectMerged`),
   * by source id. Covered by `specHash`; absent when the host merges nothing in.
   */
  merged?: Record<string, unknown>;
  /**
   * What the pin does not cover (high `incomplete-pin`) and workspace copies of packages (high
   * `workspace-package`), see `pinLaunchClosure`. The caller adds them to the server's findings.
   */
  findings?: Finding[];
}

/**
 * What the spec hash covers: `{ entry }`, plus `duplicateKeys` when the entry has any — so both values of a
 * duplicated key are pinned whichever one a host picks.
 */
export function pinnedSpec(spec: Pick<ServerSpec, 'raw' | 'duplicateKeys'>): { entry: unknown; duplicateKeys?: DuplicateKey[] } {
  return spec.duplicateKeys.length ? { entry: spec.raw, duplicateKeys: spec.duplicateKeys } : { entry: spec.raw };
}

/**
 * `canonicalJson(merged ? { ...pinnedSpec(spec), merged } : pinnedSpec(spec))`, the text {@link SpecFingerprint}'s
 * `specHash` hashes, written out around the entry's own canonical text (kept per parsed entry, see
 * `canonicalJsonOfParsed`): RFC 8785 sorts the keys "duplicateKeys" < "entry" < "merged". Same bytes.
 */
export function pinnedSpecJson(spec: Pick<ServerSpec, 'raw' | 'duplicateKeys'>, merged?: Record<string, unknown>): string {
  // An entry JSON has no text for (undefined, a function) is left out of the object as the generic serializer leaves it.
  if (spec.raw === undefined || typeof spec.raw === 'function' || typeof spec.raw === 'symbol') return canonicalJson(merged ? { ...pinnedSpec(spec), merged } : pinnedSpec(spec));
  const duplicates = spec.duplicateKeys.length ? `"duplicateKeys":${canonicalJson(spec.duplicateKeys)},` : '';
  return `{${duplicates}"entry":${canonicalJsonOfParsed(spec.raw)}${merged ? `,"merged":${canonicalJson(merged)}` : ''}}`;
}

/**
 * Combines a spec hash, referenced files and the resolved command of a guarded entry into the fingerprint. Files
 * are identified by how the spec reaches them (`via`, `ref`), not by absolute path, so the same repo checked out
 * elsewhere has the same fingerprint; the resolved command is a path of this machine (what runs here).
 */
export function combineFingerprint(specHash: string, files: readonly ReferencedFile[], command?: CommandPin): string {
  // `canonicalHash({ command: [name, path]?, files: files.map((f) => [f.via, f.ref, f.sha256]), specHash })`, written
  // out: RFC 8785 sorts the keys ("command" < "files" < "specHash") and serializes strings as JSON.stringify does.
  // Every server of every scan comes here with its closure's files, and the generic serializer cost more than the
  // rest of the fingerprint.
  const str = (v: string | null | undefined) => (v === null || v === undefined ? 'null' : JSON.stringify(v));
  let text = command ? `{"command":[${str(command.name)},${str(command.path)}],"files":[` : '{"files":[';
  for (let i = 0; i < files.length; i++) text += `${i ? ',' : ''}[${str(files[i].via)},${str(files[i].ref)},${str(files[i].sha256)}]`;
  return sha256Hex(`${text}],"specHash":${str(specHash)}}`);
}

/** Options of {@link fingerprintServer}. */
export interface FingerprintOptions {
  /** The user's home (for `${userHome}` and `~`). */
  home: string;
  /**
   * The environment a host gives the launch (before the entry's `envFile`/`env`): its `PATH` decides what a guarded
   * entry's bare command resolves to (`pinCommand`), and it locates the hosts' user files for merged sources
   * (`CODEX_HOME`, …). Default: this process's.
   */
  env?: NodeJS.ProcessEnv;
  /** Workspace roots whose files are pinned. Default: the spec's `workspaceFolder`. */
  roots?: string[];
  fs?: FileSystemPort;
  /** Where closures and file hashes are cached between checks (default: one per process). */
  closureCache?: ClosureCache;
  /** The pass the closure is computed in (a scan shares one across its servers; default: one per call). */
  closurePass?: FsPass;
  /**
   * The hosts' directories, as `platformDirs(home, process.platform, env)` gives them (default: computed on each
   * call). A scan computes them once per pass: they read the environment, which costs a system call per variable.
   */
  dirs?: PlatformDirs;
  /**
   * Whether the code closure is pinned (default true). Only benchmarks turn it off, to measure its cost; an entry
   * point never does (the pin would no longer cover what runs).
   */
  codeClosure?: boolean;
  /**
   * Pins kept between passes (see {@link PinMemo}), used with `closurePass`: only for a file system port on the local
   * disk (`fs` absent or a view of `node:fs`), since the states it is checked against are `FsPass`'s.
   */
  pins?: PinMemo<PinParts>;
  /** `JSON.stringify(spec)` when the caller made it already (the key `pins` are kept under holds it). */
  specJson?: string;
}

/**
 * Fingerprints one server's launch spec (see {@link SpecFingerprint}). Reads the referenced files through `fs`.
 * With `pins` and `closurePass`, a pin computed before is reused while everything it was computed from is as it was
 * (see {@link PinMemo}); the command a guarded entry's proxy spawns is looked up on every call.
 * @throws TypeError only if `spec.raw` is not representable as JSON (cannot happen for parsed configs).
 */
export async function fingerprintServer(spec: ServerSpec, opts: FingerprintOptions): Promise<SpecFingerprint> {
  const dirs = opts.dirs ?? platformDirs(opts.home, process.platform, opts.env ?? process.env);
  const pass = opts.closurePass;
  const memo = pass ? opts.pins : undefined;
  const key = memo ? pinKey(spec, opts, dirs) : undefined;
  let parts = key !== undefined ? memo!.get(key, pass!) : undefined;
  if (!parts) {
    const recorder = key !== undefined ? new PinRecorder(opts.fs ?? nodeFileSystem, pass!) : undefined;
    parts = await pinParts(spec, { ...opts, fs: recorder?.fs ?? opts.fs }, dirs, recorder);
    if (key !== undefined) {
      const basis = recorder!.seal(pass!);
      if (basis) memo!.set(key, parts, basis);
      else memo!.delete(key);
    }
  }
  const command = pinCommand(spec, { env: opts.env, home: opts.home });
  let fingerprint = parts.combined?.name === command?.name && parts.combined?.path === command?.path ? parts.combined?.fingerprint : undefined;
  if (fingerprint === undefined) {
    fingerprint = combineFingerprint(parts.specHash, parts.files, command);
    parts.combined = { name: command?.name, path: command?.path, fingerprint };
  }
  const { specHash, sourceHash, merged } = parts;
  return { fingerprint, specHash, sourceHash, files: parts.files.slice(), gaps: parts.gaps.slice(), findings: parts.findings.slice(), ...(merged ? { merged } : {}), ...(command ? { command } : {}) };
}

/**
 * A pin without the guarded command's lookup (`pinCommand` reads `PATH` folders outside the file system port), as
 * {@link PinMemo} keeps it, with the last fingerprint combined from it and that command.
 */
export interface PinParts {
  specHash: string;
  sourceHash: string;
  files: ReferencedFile[];
  gaps: ReferenceGap[];
  findings: Finding[];
  merged?: Record<string, unknown>;
  combined?: { name?: string; path?: string | null; fingerprint: string };
}

const pinMemos = new WeakMap<ClosureCache, PinMemo<PinParts>>();
/**
 * The pins kept beside a closure cache (the process-wide one by default): a scanner that keeps closures between
 * passes keeps the pins that include them too.
 */
export function pinMemoOf(cache: ClosureCache = defaultClosureCache): PinMemo<PinParts> {
  let m = pinMemos.get(cache);
  if (!m) pinMemos.set(cache, (m = new PinMemo<PinParts>()));
  return m;
}

/** Ids of the hosts' directories seen (as one string: the directories and the environment they were computed from). */
const dirsIds = new Map<string, number>();
/** The id of each {@link PlatformDirs} object (a pass makes one), from {@link dirsIds}. */
const dirsIdOf = new WeakMap<PlatformDirs, number>();

/**
 * The key a pin is kept under in a {@link PinMemo}: everything `pinParts` reads besides the file system — the whole
 * entry (its source text, the values parsed from it, where it is), the home, the roots, whether closures are
 * pinned and the hosts' directories with the environment they were computed from (by an id per distinct one, so
 * the key stays short). Undefined when the entry has no JSON text (a value a parser made that `JSON.stringify`
 * refuses): such a pin is not kept.
 */
function pinKey(spec: ServerSpec, opts: FingerprintOptions, dirs: PlatformDirs): string | undefined {
  let id = dirsIdOf.get(dirs);
  if (id === undefined) {
    const text = JSON.stringify({ ...dirs, path: dirs.path.sep });
    id = dirsIds.get(text);
    if (id === undefined) {
      if (dirsIds.size >= 1_000) dirsIds.clear(); // ids are never reused: older keys just stop matching
      dirsIds.set(text, (id = nextDirsId++));
    }
    dirsIdOf.set(dirs, id);
  }
  let entry = opts.specJson;
  if (entry === undefined) {
    try {
      entry = JSON.stringify(spec);
    } catch {
      return undefined;
    }
  }
  return `${JSON.stringify([id, opts.home, opts.roots ?? null, opts.codeClosure !== false])}${entry}`;
}
let nextDirsId = 0;

/** {@link fingerprintServer} but the guarded command's lookup, reading through `opts.fs` (and `recorder`'s closures). */
async function pinParts(spec: ServerSpec, opts: FingerprintOptions, dirs: PlatformDirs, recorder?: PinRecorder): Promise<PinParts> {
  const fs = opts.fs ?? nodeFileSystem;
  // Every host that launches this entry merges its own sources in (one approval covers the entry for all of them).
  const collected: Record<string, unknown> = {};
  const hosts = [spec.host, ...(spec.alsoReadBy ?? [])];
  const io = mergedIo(fs, dirs, () => hosts.flatMap((h) => HOSTS[h].mergedFiles?.(spec, dirs) ?? []).concat(spec.configFile));
  for (const h of hosts) {
    const adapter = HOSTS[h];
    if (adapter.collectMerged) Object.assign(collected, await adapter.collectMerged(h === spec.host ? spec : { ...spec, host: h }, io));
  }
  const merged = Object.keys(collected).length ? collected : undefined;
  // Without merged sources the pin is exactly the entry's (existing approvals stay valid).
  const specHash = sha256Hex(pinnedSpecJson(spec, merged));
  const sourceHash = sha256Hex(spec.sourceText);
  const gaps: ReferenceGap[] = [];
  const unreadable: { ref: string; why: string }[] = [];
  const ropts = { fs, home: opts.home, roots: opts.roots, gaps, unreadable };
  const named = await findReferencedFiles(spec, ropts);
  const cache = opts.closureCache ?? defaultClosureCache;
  const closure =
    opts.codeClosure === false
      ? { files: [], findings: [] }
      : await pinLaunchClosure(spec, named, { ...ropts, cache, pass: opts.closurePass, onClosure: recorder && ((c) => recorder.closure(c && cache.watchedOf(c))) });
  unreadable.push(...io.unreadable);
  const findings: Finding[] = unreadable.map((u) => ({ ruleId: INCOMPLETE_PIN_RULE, severity: 'high', message: `not pinned: ${u.ref} cannot be read (${u.why})`, pointer: '' }));
  for (const f of io.undeclared) {
    findings.push({ ruleId: INCOMPLETE_PIN_RULE, severity: 'high', message: `not watched: ${f} is merged into this launch but is not one of its host's merged-source files, so a change of it is seen only by the next full scan`, pointer: '' });
  }
  findings.push(...closure.findings);
  // Pinned only when present, so a guarded entry's fingerprint is unchanged while no such file exists.
  const shadows = await launcherShadows(spec, fs, opts.home);
  findings.push(...shadows.findings);
  const files = [...named, ...closure.files, ...shadows.files].sort((a, b) => (a.via === b.via ? (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0) : a.via < b.via ? -1 : 1));
  return { specHash, sourceHash, files, gaps, findings, ...(merged ? { merged } : {}) };
}

/**
 * Largest merged-source file read (bytes): a config file's default cap, so a pass that reads a config file for its
 * parse serves the same read to its merged sources. A larger one, or one that is not a regular file, is handed to
 * the adapter as missing and listed in `unreadable` (a high `incomplete-pin`: the host would read what the pin does
 * not cover).
 */
const MAX_MERGED_FILE_BYTES = DEFAULT_MAX_CONFIG_BYTES;

/**
 * The reads a host adapter's `collectMerged` may do, through the file system port (capped, never throwing).
 * `declared` is asked on the first text read (most launches merge nothing in). A text read of a
 * path not in `declared` (the adapter's `mergedFiles` and the config file) is still returned, and listed in `undeclared`.
 */
function mergedIo(fs: FileSystemPort, dirs: PlatformDirs, declared: () => string[]): MergedIo & { undeclared: string[]; unreadable: { ref: string; why: string }[] } {
  let allowed: Set<string> | undefined;
  const undeclared: string[] = [];
  const unreadable: { ref: string; why: string }[] = [];
  /** Lists `ref` as not pinned (once) and answers the adapter "missing". */
  const cannotRead = (ref: string, why: string): undefined => {
    if (!unreadable.some((u) => u.ref === ref)) unreadable.push({ ref, why });
    return undefined;
  };
  return {
    dirs,
    undeclared,
    unreadable,
    home: dirs.home,
    env: dirs.env,
    join: (...parts) => join(...parts),
    dirname: (path) => dirname(path),
    async realpath(path) {
      try {
        return await fs.realpath(path);
      } catch {
        return undefined;
      }
    },
    async readText(path) {
      allowed ??= new Set(declared().map((p) => dirs.path.normalize(p)));
      if (!allowed.has(dirs.path.normalize(path)) && !undeclared.includes(path)) undeclared.push(path);
      let st;
      try {
        st = await fs.stat(path);
      } catch {
        return undefined; // missing: pinned as missing, so its appearance is a change
      }
      if (!st.isFile) return cannotRead(path, 'it is not a regular file');
      if (st.size > MAX_MERGED_FILE_BYTES) return cannotRead(path, `it is ${st.size} bytes, over the ${MAX_MERGED_FILE_BYTES}-byte limit of a merged source`);
      try {
        const bytes = await fs.readFile(path, MAX_MERGED_FILE_BYTES); // at most the cap + 1 bytes: a file grown over it is seen
        if (bytes.byteLength > MAX_MERGED_FILE_BYTES) return cannotRead(path, `it grew over the ${MAX_MERGED_FILE_BYTES}-byte limit of a merged source while it was read`);
        return Buffer.from(bytes).toString('utf8');
      } catch (e) {
        return cannotRead(path, (e as Error).message);
      }
    },
  };
}

/** Rule id of the findings {@link unresolvedVariableFindings} makes. */
export const UNRESOLVED_VARIABLE_RULE = 'unresolved-variable';

/**
 * One high `unresolved-variable` finding per gap: the path the launch may read and which variable kept it from
 * being pinned (its content is not covered by the approval). Pure.
 */
export function unresolvedVariableFindings(gaps: readonly ReferenceGap[]): Finding[] {
  return gaps.map((g) => ({
    ruleId: UNRESOLVED_VARIABLE_RULE,
    severity: 'high',
    message: `the ${g.via === 'arg' ? 'argument' : g.via} ${JSON.stringify(g.ref.slice(0, 200))} may name a workspace file, but ${g.variable.reason}; what it points at is not pinned`,
    pointer: g.via === 'arg' ? '/args' : `/${g.via}`,
  }));
}
