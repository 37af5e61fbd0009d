import { promises as fsp } from 'node:fs';
import { defaultFileHashes } from '../launch/hash';
import type { FileStat, FileSystemPort } from './index';

/**
 * {@link FileSystemPort} on `node:fs`. `readFile` opens the file once and reads at most `maxBytes + 1`
 * bytes, so a 10 GiB file costs no more than the cap.
 */
export const nodeFileSystem: FileSystemPort = {
  async readFile(path: string, maxBytes: number): Promise<Uint8Array> {
    const fh = await fsp.open(path, 'r');
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      const limit = maxBytes + 1;
      while (total < limit) {
        const buf = Buffer.allocUnsafe(Math.min(64 * 1024, limit - total));
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
      }
      return Buffer.concat(chunks, total);
    } finally {
      await fh.close();
    }
  },
  async stat(path: string): Promise<FileStat> {
    const s = await fsp.stat(path);
    return { isFile: s.isFile(), isDirectory: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs, ino: s.ino, dev: s.dev, ctimeMs: s.ctimeMs };
  },
  realpath: (path: string) => fsp.realpath(path),
  readdir: (path: string) => fsp.readdir(path),
  hashFile: (path: string) => defaultFileHashes.hash(path),
};
