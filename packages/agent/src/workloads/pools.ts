/**
 * Storage pools: the directories volumes may live in. A pool's kind is the kind of the disk
 * backing it: the directory's st_dev → /sys/dev/block/<major:minor> → the whole disk (partitions
 * and device-mapper/md layers followed to their disk), then the kind the hardware measurement gave
 * that disk (latency), else its rotational flag, else unknown. Placement tries SSD pools first,
 * then unknown, then HDD, config order within a kind.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, statfsSync } from 'node:fs';
import path from 'node:path';
import type { Disk } from '../hardware/disks';

export type PoolKind = 'ssd' | 'hdd' | 'unknown';

/** A configured pool: a directory, or a directory with its kind fixed by the caller. */
export type PoolSpec = string | { path: string; kind?: PoolKind };

export interface Pool {
  path: string;
  kind: PoolKind;
  /** The disk backing it, when found. */
  disk?: string;
}

const RANK: Record<PoolKind, number> = { ssd: 0, unknown: 1, hdd: 2 };

export class StoragePools {
  readonly #pools: Pool[];

  constructor(specs: PoolSpec[], disks: Disk[] = []) {
    const pools = specs.map((s) => {
      const p = path.resolve(typeof s === 'string' ? s : s.path);
      const fixed = typeof s === 'string' ? undefined : s.kind;
      const disk = diskOf(p);
      const kind = fixed ?? (disk ? kindOf(disk, disks) : 'unknown');
      return { path: p, kind, ...(disk ? { disk } : {}) };
    });
    // A stable sort keeps config order within a kind.
    this.#pools = pools
      .map((p, i) => ({ p, i }))
      .sort((a, b) => RANK[a.p.kind] - RANK[b.p.kind] || a.i - b.i)
      .map((x) => x.p);
  }

  /** In placement order. */
  list(): Pool[] {
    return [...this.#pools];
  }

  /**
   * Which resource disk space on these pools counts as: SRU when any pool is on an SSD, HRU when
   * every pool is on an HDD, else (kinds unknown: overlay, tmpfs, no sysfs) `unknown`'s answer —
   * the caller's, from what the node has (SRU if it has any).
   */
  resource(unknown: 'sru' | 'hru' = 'sru'): 'sru' | 'hru' {
    if (this.#pools.some((p) => p.kind === 'ssd')) return 'sru';
    if (this.#pools.length > 0 && this.#pools.every((p) => p.kind === 'hdd')) return 'hru';
    return unknown;
  }

  /** Bytes an unprivileged writer may still use on the pool's filesystem. */
  static free(dir: string): number {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  }
}

/** The whole disk (name in /sys/block) behind a directory, or undefined (tmpfs, overlay, no sysfs). */
export function diskOf(dir: string): string | undefined {
  // A directory not created yet (the data directory on first boot) lives where its nearest existing ancestor does.
  let dev: number | undefined;
  for (let d = path.resolve(dir); dev === undefined; d = path.dirname(d)) {
    try {
      dev = statSync(d).dev;
    } catch {
      if (d === path.dirname(d)) return undefined;
    }
  }
  // Linux's dev_t encoding (glibc's gnu_dev_major/minor), as Node reports it in st_dev.
  const major = ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff);
  const link = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(link)) return undefined;
  return wholeDisk(realpathSync(link));
}

function wholeDisk(sysPath: string, depth = 0): string | undefined {
  // A partition has a `partition` file and sits inside its disk's directory.
  const node = existsSync(`${sysPath}/partition`) ? path.dirname(sysPath) : sysPath;
  const name = path.basename(node);
  // dm-*/md*: follow the first underlying device.
  let slaves: string[] = [];
  try {
    slaves = readdirSync(`${node}/slaves`);
  } catch {
    // not a stacked device
  }
  if (slaves.length && depth < 8) return wholeDisk(realpathSync(`${node}/slaves/${slaves[0]}`), depth + 1);
  return name;
}

function kindOf(disk: string, disks: Disk[]): PoolKind {
  const measured = disks.find((d) => d.name === disk);
  if (measured) return measured.kind;
  try {
    const r = readFileSync(`/sys/block/${disk}/queue/rotational`, 'utf8').trim();
    return r === '1' ? 'hdd' : r === '0' ? 'ssd' : 'unknown';
  } catch {
    return 'unknown';
  }
}
