import type { Watched } from '../launch/closure';
import type { FsPass } from '../launch/pass';
import type { FileSystemPort } from '../ports';

/**
 * What one pin computation asked of the file system, so that the pin can be reused while all of it is as it was:
 * a file system port that notes every path it is asked about (`stat`, `readFile`, `hashFile`, `readdir`, and what
 * `realpath` answered), plus the watched paths of the code closures the pin includes. Made per computation.
 */
export class PinRecorder {
  private readonly paths = new Set<string>();
  /** Paths `realpath` was asked for, with what the port answered (`\0CODE` for an error, as `FsPass.realpathOf`). */
  private readonly reals = new Map<string, string>();
  private readonly closures: (readonly Watched[])[] = [];
  private complete = true;
  /** `inner`, noting what it is asked. */
  readonly fs: FileSystemPort;

  constructor(inner: FileSystemPort) {
    const note = (path: string) => void this.paths.add(path);
    this.fs = {
      stat: (path) => (note(path), inner.stat(path)),
      readFile: (path, maxBytes) => (note(path), inner.readFile(path, maxBytes)),
      readdir: (path) => (note(path), inner.readdir(path)),
      realpath: (path) =>
        inner.realpath(path).then(
          (real) => (this.reals.set(path, real), real),
          (e: NodeJS.ErrnoException) => {
            this.reals.set(path, `\0${e.code ?? 'EINVAL'}`);
            throw e;
          },
        ),
      ...(inner.hashFile ? { hashFile: (path: string) => (note(path), inner.hashFile!(path)) } : {}),
    };
  }

  /** Adds what a code closure was computed from (`ClosureCache.watchedOf`); undefined makes the pin not reusable. */
  closure(watched: readonly Watched[] | undefined): void {
    if (watched) this.closures.push(watched);
    else this.complete = false;
  }

  /**
   * What the pin was computed from, in `pass`'s terms: each noted path's `FsPass.state` and each `realpath` answer
   * as `FsPass.realpathOf` gives it now. Undefined when the pin must not be reused: a closure it cannot vouch for,
   * a state that had not settled (`UNSETTLED`), or a `realpath` answer that differs from the pass's own (a path
   * that moved while the pin was computed; an error code counts as the same error).
   */
  seal(pass: FsPass): PinBasis | undefined {
    if (!this.complete) return undefined;
    const watched: Watched[] = [];
    for (const path of this.paths) watched.push({ path, state: pass.state(path) });
    for (const c of this.closures) watched.push(...c);
    const reals: [string, string][] = [];
    for (const [path, answered] of this.reals) {
      const now = pass.realpathOf(path);
      if (answered.startsWith('\0') ? !now.startsWith('\0') : now !== answered) return undefined;
      reals.push([path, now]);
    }
    // An unsettled state never matches (`FsPass.unchanged`): such a pin would be recomputed anyway.
    if (!pass.unchanged(watched)) return undefined;
    return { watched, reals };
  }
}

/** The file system facts a kept pin was computed from (see {@link PinRecorder.seal}). */
export interface PinBasis {
  watched: readonly Watched[];
  reals: readonly (readonly [path: string, real: string])[];
}

/**
 * Pins kept between passes (scans, re-checks, re-evaluations), each under a key that holds everything else its
 * computation read (the whole entry, the roots, the hosts' directories): a pin is reused when every path it was
 * computed from has the same `FsPass.state` — device, inode, size, mtime and ctime, settled before it was read —
 * and every `realpath` resolves as it did, the rule `ClosureCache` follows for closures. Holds at most `max`
 * pins (the oldest dropped first). Only for a pass on the local disk (`node:fs`), whose states `FsPass` takes.
 */
export class PinMemo<T> {
  private readonly pins = new Map<string, { value: T; basis: PinBasis }>();
  /** How many times {@link get} returned a kept pin. */
  hits = 0;

  constructor(private readonly max = 20_000) {}

  /** Number of pins held. */
  get size(): number {
    return this.pins.size;
  }

  /** The pin kept under `key`, if everything it was computed from is as it was in `pass`. */
  get(key: string, pass: FsPass): T | undefined {
    const hit = this.pins.get(key);
    if (!hit || !pass.unchanged(hit.basis.watched)) return undefined;
    for (const [path, real] of hit.basis.reals) if (pass.realpathOf(path) !== real) return undefined;
    this.hits++;
    return hit.value;
  }

  /** Keeps `value` under `key`, computed from `basis`. */
  set(key: string, value: T, basis: PinBasis): void {
    this.pins.delete(key);
    if (this.pins.size >= this.max) this.pins.delete(this.pins.keys().next().value as string);
    this.pins.set(key, { value, basis });
  }

  /** Drops the pin under `key` (its computation found something it cannot vouch for). */
  delete(key: string): void {
    this.pins.delete(key);
  }
}
