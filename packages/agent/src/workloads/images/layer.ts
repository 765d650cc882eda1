/**
 * One plain tar applied to a root filesystem directory, in two passes over the file. The scan
 * checks every entry first (paths, link targets, types, counts) so nothing is written from an
 * archive that breaks a rule; the extraction (extract.ts) also refuses to write through a symbolic
 * link already on disk (one of a lower layer). OCI layers bring whiteouts: `.wh.<name>` deletes
 * `<name>` of the layers below, `.wh..wh..opq` empties its directory of them; both are applied
 * between the passes, so they touch only lower layers, as the OCI image spec says.
 */
import { createReadStream, lstatSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Parser, type ReadEntry } from 'tar';
import { ImageError } from './errors';
import { ancestors, entryPath, shown, symlinkTarget } from './entry-path';
import { extractInto } from './extract';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Entries an image may still have (shared by all its layers). */
export interface EntryBudget {
  entriesLeft: number;
  readonly maxEntries: number;
}

export interface LayerScan {
  /** Root-relative paths to delete from the layers below. */
  whiteouts: string[];
  /** Root-relative directories to empty of the layers below. */
  opaques: string[];
  /** Root-relative paths of the layer's top-level entries (to recognise an OCI layout). */
  names: Set<string>;
  /** `.wh.` entries are whiteouts (OCI layers), not files. */
  whiteoutsApply: boolean;
}

const FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);
const DIR_TYPES = new Set(['Directory', 'GNUDumpDir']);

/** Pass 1: every entry checked; the first broken rule rejects with the reason. */
export function scanLayer(file: string, what: string, budget: EntryBudget, opts: { whiteouts: boolean }): Promise<LayerScan> {
  const scan: LayerScan = { whiteouts: [], opaques: [], names: new Set(), whiteoutsApply: opts.whiteouts };
  const symlinks = new Set<string>();
  return new Promise((resolve, reject) => {
    const input = createReadStream(file);
    let done = false;
    const stop = (e: Error): void => {
      if (done) return;
      done = true;
      input.destroy();
      reject(e);
    };
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        entry.resume();
        if (done) return;
        try {
          check(entry);
        } catch (e) {
          stop(e as Error);
        }
      },
    });
    const check = (entry: ReadEntry): void => {
      if (--budget.entriesLeft < 0)
        throw new ImageError('too-large', `the image has more than this node's limit of ${budget.maxEntries} entries`);
      const p = entryPath(entry.path, what);
      const through = ancestors(p).find((a) => symlinks.has(a));
      if (through !== undefined)
        throw new ImageError('escapes-root', `${what} writes ${shown(p)} through the symbolic link ${shown(through)}`);
      if (p !== '') scan.names.add(p.split('/')[0]!);
      const base = path.posix.basename(p);
      if (opts.whiteouts && base.startsWith(WHITEOUT)) {
        const dir = path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p);
        if (base === OPAQUE) scan.opaques.push(dir);
        else scan.whiteouts.push(dir ? `${dir}/${base.slice(WHITEOUT.length)}` : base.slice(WHITEOUT.length));
        return;
      }
      const type = String(entry.type);
      if (type === 'SymbolicLink') {
        const target = String(entry.linkpath ?? '');
        if (target === '' || target.includes('\0'))
          throw new ImageError('malformed', `${what} has a symbolic link ${shown(p)} without a valid target`);
        if (symlinkTarget(p, target) === undefined)
          throw new ImageError(
            'escapes-root',
            `${what} has a symbolic link ${shown(p)} → ${shown(target)} that points outside the image's root`,
          );
        symlinks.add(p);
        return;
      }
      symlinks.delete(p); // replaced by a file or directory later in the archive
      if (type === 'Link') {
        const target = String(entry.linkpath ?? '');
        if (target.startsWith('/'))
          throw new ImageError('escapes-root', `${what} has a hard link ${shown(p)} to the absolute path ${shown(target)}`);
        const t = entryPath(target, what);
        if (t === '') throw new ImageError('malformed', `${what} has a hard link ${shown(p)} to the root directory`);
        const via = ancestors(t).find((a) => symlinks.has(a));
        if (via !== undefined)
          throw new ImageError('escapes-root', `${what} has a hard link ${shown(p)} through the symbolic link ${shown(via)}`);
        return;
      }
      if (type === 'CharacterDevice' || type === 'BlockDevice' || type === 'FIFO') {
        throw new ImageError(
          'malformed',
          `${what} holds a device node or FIFO, ${shown(p)}: images may not carry devices (the runtime provides /dev)`,
        );
      }
      if (p === '' && !DIR_TYPES.has(type)) throw new ImageError('malformed', `${what} has a root entry that is not a directory`);
      if (!FILE_TYPES.has(type) && !DIR_TYPES.has(type))
        throw new ImageError('malformed', `${what} has an entry ${shown(p)} of unsupported type ${type}`);
    };
    parser.on('error', (e: Error) => stop(new ImageError('malformed', `${what} is not a valid tar archive: ${e.message}`)));
    parser.on('end', () => {
      if (done) return;
      done = true;
      resolve(scan);
    });
    input.on('error', (e) => stop(e));
    input.pipe(parser);
  });
}

/** Pass 2: whiteouts of the scan applied to `rootfs`, then the entries extracted into it. */
export async function applyLayer(file: string, rootfs: string, scan: LayerScan, what: string): Promise<void> {
  for (const w of scan.whiteouts) removeBelow(rootfs, w, false, what);
  for (const o of scan.opaques) removeBelow(rootfs, o, true, what);
  await extractInto(file, rootfs, what, (p) => scan.whiteoutsApply && path.posix.basename(p).startsWith(WHITEOUT));
}

/** Deletes `rel` (or, `contents`, what is inside it) under the root, never following a link on the way. */
function removeBelow(rootfs: string, rel: string, contents: boolean, what: string): void {
  for (const a of ancestors(rel)) {
    const st = lstatSync(path.join(rootfs, a), { throwIfNoEntry: false });
    if (!st) return; // nothing below to hide
    if (st.isSymbolicLink())
      throw new ImageError('escapes-root', `${what} has a whiteout ${shown(rel)} through the symbolic link ${shown(a)}`);
  }
  const target = path.join(rootfs, rel);
  const st = lstatSync(target, { throwIfNoEntry: false });
  if (!st) return;
  if (!contents) return rmSync(target, { recursive: true, force: true });
  if (!st.isDirectory()) return;
  for (const name of readdirSync(target)) rmSync(path.join(target, name), { recursive: true, force: true });
}
