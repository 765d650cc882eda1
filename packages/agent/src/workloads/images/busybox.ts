/**
 * A minimal root filesystem built from Debian's busybox-static: /bin/busybox, a symbolic link
 * for each of its applets (`busybox --list-full`), /etc/passwd, /etc/group, /etc/hosts and the
 * usual empty directories. Deterministic for one busybox binary (sorted entries, fixed mtime,
 * no owner names, gzip without a timestamp), so its sha256 is stable and can be published.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { ImageError } from './errors';

export const BUSYBOX = '/bin/busybox';
const MTIME = new Date('2000-01-01T00:00:00Z');

const DIRS: [string, number][] = [
  ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o555], ['root', 0o700], ['run', 0o755],
  ['sbin', 0o755], ['sys', 0o555], ['tmp', 0o1777], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755],
  ['var', 0o755], ['var/tmp', 0o1777],
];

const FILES: [string, string][] = [
  ['etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'],
  ['etc/group', 'root:x:0:\nnogroup:x:65534:\n'],
  ['etc/hosts', '127.0.0.1 localhost\n::1 localhost\n'],
];

/** Writes the busybox rootfs as a tar.gz to `outFile` (atomically); its sha256 and size. */
export async function buildBusyboxImage(outFile: string, busybox = BUSYBOX): Promise<{ sha256: string; bytes: number }> {
  if (!existsSync(busybox)) throw new ImageError('invalid', `${busybox} is missing: install Debian's busybox-static (scripts/install-system-packages.sh)`);
  const stage = mkdtempSync(path.join(os.tmpdir(), 'tfgrid-busybox-'));
  const tmpOut = `${outFile}.${process.pid}.tmp`;
  try {
    const names = new Set<string>();
    for (const [d, mode] of DIRS) {
      mkdirSync(path.join(stage, d), { recursive: true });
      chmodSync(path.join(stage, d), mode);
      names.add(d);
    }
    copyFileSync(busybox, path.join(stage, 'bin/busybox'));
    chmodSync(path.join(stage, 'bin/busybox'), 0o755);
    names.add('bin/busybox');
    for (const [f, text] of FILES) {
      writeFileSync(path.join(stage, f), text);
      chmodSync(path.join(stage, f), 0o644);
      names.add(f);
    }
    for (const applet of applets(busybox)) {
      if (names.has(applet) || !DIRS.some(([d]) => path.dirname(applet) === d)) continue;
      symlinkSync('/bin/busybox', path.join(stage, applet));
      names.add(applet);
    }
    mkdirSync(path.dirname(outFile), { recursive: true });
    await create({ file: tmpOut, cwd: stage, gzip: { level: 9 }, portable: true, mtime: MTIME, noDirRecurse: true }, [...names].sort());
    renameSync(tmpOut, outFile);
  } finally {
    rmSync(stage, { recursive: true, force: true });
    rmSync(tmpOut, { force: true });
  }
  const bytes = readFileSync(outFile);
  return { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: statSync(outFile).size };
}

/** Root-relative paths of busybox's applets (`bin/sh`, `usr/bin/env`, …). */
function applets(busybox: string): string[] {
  const out = execFileSync(busybox, ['--list-full'], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  return out.split('\n').map((l) => l.trim()).filter((l) => /^[a-z/]+\/[^/\s]+$/.test(l) && !l.includes('..'));
}
