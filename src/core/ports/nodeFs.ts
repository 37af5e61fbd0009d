import { promises as fsp } from 'node:fs';
import { defaultFileHashes } from '../launch/hash';
import { readRegular } from './regularFile';
import type { FileStat, FileSystemPort } from './index';

/**
 * {@link FileSystemPort} on `node:fs`. `readFile` opens the file once and reads at most `maxBytes + 1`
 * bytes, so a 10 GiB file costs no more than the cap; it reads only a regular file and never waits on a FIFO
 * (`readRegular`: `EISDIR`/`ENOTFILE` otherwise).
 */
export const nodeFileSystem: FileSystemPort = {
  readFile: (path: string, maxBytes: number): Promise<Uint8Array> => readRegular(path, maxBytes),
  async stat(path: string): Promise<FileStat> {
    const s = await fsp.stat(path);
    return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev, ctimeMs: s.ctimeMs };
  },
  realpath: (path: string) => fsp.realpath(path),
  readdir: (path: string) => fsp.readdir(path),
  hashFile: (path: string) => defaultFileHashes.hash(path),
};
