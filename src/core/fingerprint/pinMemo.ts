import type { Watched } from '../launch/closure';
import { setNewest } from '../boundedMap';
import { UNSETTLED, type FsPass } from '../launch/pass';
import { fileStamp, settledAt, type FileSystemPort } from '../ports';

/**
 * What one pin computation asked of the file system, so that the pin can be reused while all of it is as it was:
 * a file system port that notes every path it is asked about (`stat`, `readFile`, `hashFile`, `readdir`, and what
 * `realpath` answered), plus the watched paths of the code closures the pin includes. Made per computation.
 */
export class PinRecorder {
  private readonly paths = new Set<string>();
  /** Paths the port was asked to `stat`, with the state its answer gives (`FsPass.state`'s form): no second stat. */
  private readonly stated = new Map<string, string>();
  /**
   * Paths `realpath` was asked for, with what the port answered (`\0CODE` for an error, as `FsPass.realpathOf`
   * writes it: the scan's port resolves as `realpathSync.native`, and a missing path is `\0ENOENT` in both).
   */
  private readonly reals = new Map<string, string>();
  private readonly closures: (readonly Watched[])[] = [];
  private complete = true;
  /** `inner`, noting what it is asked. */
  readonly fs: FileSystemPort;

  /** @param pass the pass the pin is computed in (the reference of `settledAt` for the states of `stat` answers). */
  constructor(inner: FileSystemPort, pass: FsPass) {
    const note = (path: string) => void this.paths.add(path);
    this.fs = {
      stat: (path) => {
        note(path);
        return inner.stat(path).then(
          (st) => {
            this.stated.set(path, settledAt(st, pass.since) ? (st.isDirectory ? 'd:' : 'f:') + fileStamp(st) : UNSETTLED);
            return st;
          },
          (e: NodeJS.ErrnoException) => {
            this.stated.set(path, e.code === 'ENOENT' ? '-' : `!${e.code ?? 'EINVAL'}`);
            throw e;
          },
        );
      },
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
   * What the pin was computed from: each noted path's state (from the port's `stat` answer, or else `FsPass.state`
   * in `pass`, the pass it was computed in) and each `realpath` answer. A state taken at any time in the pass will do:
   * content read after it and changed before it would have changed after the pass began, so the state would not
   * have settled. Undefined when the pin must not be reused: a closure it cannot vouch for, or a state that had not
   * settled (`UNSETTLED`, which never matches).
   */
  seal(pass: FsPass): PinBasis | undefined {
    if (!this.complete) return undefined;
    const watched: Watched[] = [];
    for (const path of this.paths) {
      const state = this.stated.get(path) ?? pass.state(path);
      if (state === UNSETTLED) return undefined;
      watched.push({ path, state });
    }
    for (const c of this.closures) {
      for (const w of c) if (w.state === UNSETTLED) return undefined;
      watched.push(...c);
    }
    return { watched, reals: [...this.reals] };
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
    setNewest(this.pins, key, { value, basis }, this.max);
  }

  /** Drops the pin under `key` (its computation found something it cannot vouch for). */
  delete(key: string): void {
    this.pins.delete(key);
  }
}
