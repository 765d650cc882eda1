/** What is mounted where, read from /proc/self/mountinfo (the agent's own mount namespace). */
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface MountEntry {
  /** The mount point, absolute, with mountinfo's octal escapes decoded. */
  mountpoint: string;
  /** The mounted source (`/dev/loop3` for a loop mount). */
  source: string;
  fstype: string;
  readOnly: boolean;
  /** The filesystem's own options (an overlay's `lowerdir=…` among them). */
  superOptions: string;
}

/** Every mount, in mount order (a later entry on the same point covers an earlier one). */
export function mounts(): MountEntry[] {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    // id parent maj:min root mountpoint options [optional...] - fstype source super-options
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const l = left.split(' ');
    const r = right.split(' ');
    if (l.length < 6 || r.length < 2) continue;
    out.push({
      mountpoint: unescape(l[4]!),
      source: unescape(r[1]!),
      fstype: r[0]!,
      readOnly: l[5]!.split(',').includes('ro'),
      superOptions: unescape(r[2] ?? ''),
    });
  }
  return out;
}

/** The topmost mount at `dir`, or undefined when nothing is mounted exactly there. */
export function mountAt(dir: string): MountEntry | undefined {
  const p = canonical(dir);
  return mounts()
    .filter((m) => m.mountpoint === p)
    .at(-1);
}

export function isMountpoint(dir: string): boolean {
  return mountAt(dir) !== undefined;
}

/**
 * True when `device` is mounted in a mount namespace other than ours — a running container's
 * copy of a volume's mount. Reads one mountinfo per namespace found in /proc.
 */
export function mountedElsewhere(device: string): boolean {
  const seen = new Set<string>();
  try {
    seen.add(readlinkSync('/proc/self/ns/mnt'));
  } catch {
    return false;
  }
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let info: string;
    try {
      const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (seen.has(ns)) continue;
      seen.add(ns);
      info = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (info.split('\n').some((l) => l.split(' - ')[1]?.split(' ')[1] === device)) return true;
  }
  return false;
}

/** The file behind a loop device (`/dev/loop3`), or undefined when it is not an attached loop device. */
export function loopBackingFile(device: string): string | undefined {
  const name = path.basename(device);
  if (!/^loop\d+$/.test(name)) return undefined;
  const f = `/sys/block/${name}/loop/backing_file`;
  if (!existsSync(f)) return undefined;
  return readFileSync(f, 'utf8')
    .trim()
    .replace(/ \(deleted\)$/, '');
}

/** Absolute path with symlinks resolved where it exists (mountinfo shows resolved paths). */
export function canonical(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}
