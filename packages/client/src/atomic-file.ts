/**
 * Crash-safe file writes for every package: a temporary file beside the target (`<file>.<pid>.tmp`,
 * with `mode` from the first byte), fsync, rename over the target, fsync of the directory (the
 * rename is durable only once the directory entry is on disk). A crash leaves the old content or
 * the new one, never a torn file; readers that list the directory can drop `*.tmp` leftovers.
 */
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** The file's permission bits, set on the temporary file before any byte is written (default 0600). */
  mode?: number;
  /** Fail if a temporary file of this process is already there instead of truncating it (secrets). */
  exclusive?: boolean;
}

export function writeFileAtomic(file: string, data: string | Uint8Array, o: AtomicWriteOptions = {}): void {
  const mode = o.mode ?? 0o600;
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, o.exclusive ? 'wx' : 'w', mode);
  try {
    fchmodSync(fd, mode); // the umask cannot narrow or the file's age widen what was asked for
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const dfd = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}
