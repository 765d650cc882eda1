/**
 * Writes the entries of a checked tar into a root filesystem directory, one at a time, never
 * following a symbolic link on the way: every parent is lstat'ed and must be a real directory,
 * files are opened O_NOFOLLOW|O_EXCL after whatever stood there is removed. Symbolic link targets
 * are written as they are (`/bin/busybox` stays absolute: it resolves inside the container).
 * node-tar's own extractor rewrites such targets, so only its parser is used here.
 */
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  createReadStream,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { ImageError } from './errors';
import { ancestors, entryPath, shown } from './entry-path';

const asRoot = process.getuid?.() === 0;

/** Extracts `file` into `rootfs`; entries `skip` says no to are left out (whiteouts). */
export function extractInto(file: string, rootfs: string, what: string, skip: (p: string) => boolean): Promise<void> {
  const dirModes: { dir: string; mode: number; mtime?: Date }[] = [];
  return new Promise((resolve, reject) => {
    const input = createReadStream(file);
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      input.destroy();
      reject(e instanceof ImageError ? e : new ImageError('malformed', `${what} cannot be unpacked: ${(e as Error).message}`));
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (failed) return void entry.resume();
        try {
          const p = entryPath(entry.path, what);
          if (p === '' || skip(p)) return void entry.resume();
          write(entry, p);
        } catch (e) {
          entry.resume();
          fail(e);
        }
      },
    });
    const write = (entry: ReadEntry, p: string): void => {
      const abs = path.join(rootfs, p);
      parents(rootfs, p, what);
      const type = String(entry.type);
      const isDir = type === 'Directory' || type === 'GNUDumpDir';
      const mode = (entry.mode ?? (isDir ? 0o755 : 0o644)) & 0o7777;
      const existing = lstatSync(abs, { throwIfNoEntry: false });
      if (isDir) {
        if (existing && !existing.isDirectory()) rmSync(abs, { force: true });
        if (!existing?.isDirectory()) mkdirSync(abs, { mode: 0o700 });
        own(abs, entry, false);
        dirModes.push({ dir: abs, mode, ...(entry.mtime ? { mtime: entry.mtime } : {}) });
        return void entry.resume();
      }
      if (existing) rmSync(abs, { recursive: true, force: true });
      if (type === 'SymbolicLink') {
        symlinkSync(String(entry.linkpath), abs);
        own(abs, entry, true);
        return void entry.resume();
      }
      if (type === 'Link') {
        const target = entryPath(String(entry.linkpath), what);
        parents(rootfs, target, what);
        const st = lstatSync(path.join(rootfs, target), { throwIfNoEntry: false });
        if (!st || st.isDirectory())
          throw new ImageError('malformed', `${what} has a hard link ${shown(p)} to ${shown(target)}, which is not a file of the image`);
        linkSync(path.join(rootfs, target), abs);
        return void entry.resume();
      }
      // A regular file (the scan let nothing else through).
      const fd = openSync(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      entry.on('data', (chunk: Buffer) => {
        if (failed) return;
        try {
          for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
        } catch (e) {
          fail(e);
        }
      });
      entry.on('end', () => {
        try {
          if (!failed) {
            if (asRoot && typeof entry.uid === 'number' && typeof entry.gid === 'number') fchownSync(fd, entry.uid, entry.gid);
            fchmodSync(fd, mode); // after chown, which clears set-id bits
            if (entry.mtime) futimesSync(fd, entry.mtime, entry.mtime);
          }
        } catch (e) {
          fail(e);
        } finally {
          closeSync(fd);
        }
      });
    };
    parser.on('error', fail);
    input.on('error', fail);
    parser.on('end', () => {
      if (failed) return;
      try {
        // Directory modes last (deepest first), so a read-only directory does not stop its own entries.
        for (const d of dirModes.reverse()) {
          chmodSync(d.dir, d.mode);
          if (d.mtime) utimesSync(d.dir, d.mtime, d.mtime);
        }
        resolve();
      } catch (e) {
        fail(e);
      }
    });
    input.pipe(parser);
  });
}

/** Makes the parents of `p` real directories (missing ones created); a symbolic link or a file among them refuses. */
function parents(rootfs: string, p: string, what: string): void {
  for (const a of ancestors(p)) {
    const abs = path.join(rootfs, a);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) mkdirSync(abs, { mode: 0o755 });
    else if (st.isSymbolicLink()) throw new ImageError('escapes-root', `${what} writes ${shown(p)} through the symbolic link ${shown(a)}`);
    else if (!st.isDirectory()) throw new ImageError('malformed', `${what} puts ${shown(p)} under ${shown(a)}, which is not a directory`);
  }
}

function own(abs: string, entry: ReadEntry, link: boolean): void {
  if (!asRoot || typeof entry.uid !== 'number' || typeof entry.gid !== 'number') return;
  (link ? lchownSync : chownSync)(abs, entry.uid, entry.gid);
}
