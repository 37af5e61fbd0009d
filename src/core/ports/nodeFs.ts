import { closeSync, promises as fsp, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { defaultFileHashes } from '../launch/hash';
import { openRegularSync, readRegular, readUpToSync } from './regularFile';
import { codedError, type FileStat, type FileSystemPort } from './index';

/**
 * {@link FileSystemPort} on `node:fs`. `readFile` opens the file once and reads at most `maxBytes + 1`
 * bytes, so a 10 GiB file costs no more than the cap; it reads only a regular file and never waits on a FIFO
 * (`readRegular`: `EISDIR`/`ENOTFILE` otherwise).
 */
export const nodeFileSystem: FileSystemPort = {
  readFile: (path: string, maxBytes: number): Promise<Uint8Array> => readRegular(path, maxBytes),
  stat: async (path: string) => fileStatOf(await fsp.stat(path)),
  realpath: (path: string) => fsp.realpath(path),
  readdir: (path: string) => fsp.readdir(path),
  hashFile: (path: string) => defaultFileHashes.hash(path),
};

/** The {@link FileStat} of a `node:fs` stat. */
function fileStatOf(s: Stats): FileStat {
  return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev, ctimeMs: s.ctimeMs };
}

/** Largest file {@link syncFileSystem} reads synchronously; a larger one (or a cap above it) is read asynchronously. */
const SYNC_READ_BYTES = 1024 * 1024;
/** How long {@link syncFileSystem} works synchronously before it lets the event loop run (ms). */
const SYNC_SLICE_MS = 4;

let sliceStart = performance.now();

/**
 * Lets the event loop run (`setImmediate`) when more than {@link SYNC_SLICE_MS} passed since the last time it did,
 * so that a long pass of synchronous calls keeps the process (the extension host, the proxy's pipes) responsive.
 */
async function yieldIfDue(): Promise<void> {
  if (performance.now() - sliceStart < SYNC_SLICE_MS) return;
  await new Promise<void>((resolveYield) => setImmediate(resolveYield));
  sliceStart = performance.now();
}

/**
 * The error `node:fs` gives for a missing path (`code` `ENOENT`), made without capturing a stack: a scan answers
 * thousands of them (hosts' config names and runtimes' implicit script candidates are mostly missing), and a
 * captured stack costs more than the lookup it stands for.
 */
export function missingPathError(syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(codedError(`ENOENT: no such file or directory, ${syscall} '${path}'`, 'ENOENT'), { errno: -2, syscall, path });
}

function statOf(path: string, syscall: string): Stats {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) throw missingPathError(syscall, path);
  return s;
}

/**
 * {@link FileSystemPort} on synchronous `node:fs` calls, for a scan pass: on metadata and small files in the page
 * cache a `stat` costs a few µs and a 2 KiB read ~15 µs, against 30–60 µs and ~250 µs through `fs.promises` (a
 * thread-pool round trip per call, and an `Error` with a stack for every missing path, which this port makes
 * without one). Each call first lets the event loop run when more than 4 ms went by since it last did, so a scan
 * of thousands of files never holds the thread for long. Same answers as {@link nodeFileSystem}: `realpath` is the
 * native one (as `fs.promises.realpath`); `readFile` reads a regular file of at most 1 MiB, with a cap of at most
 * 1 MiB, synchronously (`openRegularSync`: opened without waiting, and anything but a regular file refused as
 * {@link nodeFileSystem} refuses it), a larger file or cap through {@link nodeFileSystem}.
 */
export const syncFileSystem: FileSystemPort = {
  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    await yieldIfDue();
    if (maxBytes > SYNC_READ_BYTES) return nodeFileSystem.readFile(path, maxBytes);
    statOf(path, 'open');
    const { fd, stat } = openRegularSync(path);
    let bytes: Buffer | undefined;
    try {
      if (stat.size <= SYNC_READ_BYTES) {
        // One byte more than the cap (or than the size, so a file that grew since is read on to the cap).
        const read = readUpToSync(fd, Math.min(maxBytes, stat.size) + 1);
        if (read.length <= stat.size || read.length > maxBytes) bytes = read;
      }
    } finally {
      closeSync(fd);
    }
    return bytes ?? nodeFileSystem.readFile(path, maxBytes);
  },
  async stat(path: string): Promise<FileStat> {
    await yieldIfDue();
    return fileStatOf(statOf(path, 'stat'));
  },
  async realpath(path: string): Promise<string> {
    await yieldIfDue();
    statOf(path, 'realpath');
    return realpathSync.native(path);
  },
  async readdir(path: string): Promise<string[]> {
    await yieldIfDue();
    return readdirSync(path);
  },
  hashFile: (path: string) => defaultFileHashes.hash(path),
};
