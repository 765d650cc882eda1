/**
 * A minimal root filesystem built from Debian's busybox-static: /bin/busybox, a symbolic link
 * for each of its applets (`busybox --list-full`), /etc/passwd, /etc/group, /etc/hosts and the
 * usual empty directories, /tmp sticky and world-writable. Deterministic for one busybox binary
 * (sorted entries, owner root, fixed mtime, gzip without a timestamp), so its sha256 is stable.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '@tfgrid/client';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { ImageError } from './errors';

export const BUSYBOX = '/bin/busybox';
const MTIME = new Date('2000-01-01T00:00:00Z');

const DIRS: [string, number][] = [
  ['bin', 0o755],
  ['dev', 0o755],
  ['etc', 0o755],
  ['home', 0o755],
  ['proc', 0o555],
  ['root', 0o700],
  ['run', 0o755],
  ['sbin', 0o755],
  ['sys', 0o555],
  ['tmp', 0o1777],
  ['usr', 0o755],
  ['usr/bin', 0o755],
  ['usr/sbin', 0o755],
  ['var', 0o755],
  ['var/tmp', 0o1777],
];

const FILES: [string, string][] = [
  ['etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'],
  ['etc/group', 'root:x:0:\nnogroup:x:65534:\n'],
  ['etc/hosts', '127.0.0.1 localhost\n::1 localhost\n'],
];

interface Member {
  path: string;
  type: 'Directory' | 'File' | 'SymbolicLink';
  mode: number;
  body?: Buffer;
  linkpath?: string;
}

/** Writes the busybox rootfs as a tar.gz to `outFile` (atomically); its sha256 and size. */
export async function buildBusyboxImage(outFile: string, busybox = BUSYBOX): Promise<{ sha256: string; bytes: number }> {
  if (!existsSync(busybox))
    throw new ImageError('invalid', `${busybox} is missing: install Debian's busybox-static (scripts/install-system-packages.sh)`);
  const members = new Map<string, Member>();
  for (const [d, mode] of DIRS) members.set(d, { path: `${d}/`, type: 'Directory', mode });
  members.set('bin/busybox', { path: 'bin/busybox', type: 'File', mode: 0o755, body: readFileSync(busybox) });
  for (const [f, text] of FILES) members.set(f, { path: f, type: 'File', mode: 0o644, body: Buffer.from(text) });
  for (const applet of applets(busybox)) {
    if (members.has(applet) || !DIRS.some(([d]) => path.dirname(applet) === d)) continue;
    members.set(applet, { path: applet, type: 'SymbolicLink', mode: 0o777, linkpath: '/bin/busybox' });
  }
  const sorted = [...members.keys()].sort().map((k) => members.get(k)!);
  const tar = Buffer.concat([...sorted.flatMap(block), Buffer.alloc(1024)]);
  // gzip from zlib writes no timestamp or name: the same tar gives the same bytes.
  const bytes = gzipSync(tar, { level: 9 });
  mkdirSync(path.dirname(outFile), { recursive: true });
  writeFileAtomic(outFile, bytes, { mode: 0o644 });
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** One member as ustar blocks: header (node-tar's encoder), body, padding. Owner root, fixed mtime. */
function block(m: Member): Buffer[] {
  const size = m.body?.length ?? 0;
  const h = new Header({
    path: m.path,
    type: m.type,
    mode: m.mode,
    uid: 0,
    gid: 0,
    uname: 'root',
    gname: 'root',
    size,
    mtime: MTIME,
    ...(m.linkpath ? { linkpath: m.linkpath } : {}),
  });
  if (h.encode()) throw new Error(`busybox image: ${m.path} needs a pax header`);
  return [h.block!, ...(m.body ? [m.body, Buffer.alloc((512 - (size % 512)) % 512)] : [])];
}

/** Root-relative paths of busybox's applets (`bin/sh`, `usr/bin/env`, …). */
function applets(busybox: string): string[] {
  const out = execFileSync(busybox, ['--list-full'], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[a-z/]+\/[^/\s]+$/.test(l) && !l.includes('..'));
}
