/**
 * The one way the core opens a file whose content it reads from a workspace: only a regular file is read, and
 * opening never waits. A FIFO opened for reading blocks until a writer comes (and then serves whatever the writer
 * sends), a character device may never end: a repository that puts one where a manifest, a module or an ignore file
 * is expected must not stall a scan (in the extension host, four such opens take every libuv thread). So the file is
 * opened with `O_NONBLOCK` (POSIX `open(2)`: no wait for a FIFO's writer; no effect on a regular file) and the
 * opened handle is `fstat`ed — not the path before opening it, which the workspace could swap in between — and
 * anything but a regular file is refused with `EISDIR` (a directory) or `ENOTFILE`. On Windows `O_NONBLOCK` does
 * not exist (named pipes do not live in folders) and the `fstat` check alone applies.
 */
import { closeSync, constants, fstatSync, openSync, promises as fsp, readSync, type Stats } from 'node:fs';

/** `open(2)` flags of every read: read only, never wait. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** The error for a path that is not a regular file: `code` `EISDIR` for a directory, else `ENOTFILE`. */
export function notRegularFile(path: string, st: Pick<Stats, 'isDirectory'>): NodeJS.ErrnoException {
  const code = st.isDirectory() ? 'EISDIR' : 'ENOTFILE';
  return Object.assign(new Error(`${code}: ${path} is not a regular file`), { code });
}

/**
 * Opens a regular file for reading without waiting (see the file comment).
 * @returns the open handle and its `fstat`; the caller closes the handle.
 * @throws the `node:fs` error of `open` (`ENOENT`, `EACCES`, …), or {@link notRegularFile}'s.
 */
export async function openRegular(path: string): Promise<{ handle: fsp.FileHandle; stat: Stats }> {
  const handle = await fsp.open(path, READ_FLAGS);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegularFile(path, stat);
    return { handle, stat };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** {@link openRegular}, synchronously: the file descriptor and its `fstat`; the caller closes it. */
export function openRegularSync(path: string): { fd: number; stat: Stats } {
  const fd = openSync(path, READ_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegularFile(path, stat);
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The bytes of a regular file, at most `maxBytes + 1` of them (so a caller sees that a file is over its cap without
 * reading it all). Default cap: the whole file.
 * @throws as {@link openRegular}.
 */
export async function readRegular(path: string, maxBytes = Number.MAX_SAFE_INTEGER - 1): Promise<Buffer> {
  const { handle } = await openRegular(path);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const limit = maxBytes + 1;
    while (total < limit) {
      const buf = Buffer.allocUnsafe(Math.min(64 * 1024, limit - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
    }
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}

/** The UTF-8 text of a regular file (whole). @throws as {@link openRegular}. */
export async function readRegularText(path: string): Promise<string> {
  return (await readRegular(path)).toString('utf8');
}

/**
 * Up to `limit` bytes from the start of an open file (fewer when it ends first), synchronously. Callers that pass one
 * byte more than they expect see that the file grew since they looked.
 */
export function readUpToSync(fd: number, limit: number): Buffer {
  const buf = Buffer.allocUnsafe(limit);
  let n = 0;
  for (let r; n < limit && (r = readSync(fd, buf, n, limit - n, n)) > 0; ) n += r;
  return buf.subarray(0, n);
}

/** The bytes of a regular file (whole), synchronously. @throws as {@link openRegularSync}. */
export function readRegularSync(path: string): Buffer {
  const { fd, stat } = openRegularSync(path);
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.max(64 * 1024, Math.min(stat.size + 1, 16 * 1024 * 1024)));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
