/**
 * Disks from /sys/block: whole devices only, skipping loop, ram, zram, device-mapper/md layers,
 * optical, removable and USB-attached devices. SSD or HDD by measured random-read latency where
 * the device can be read (`/dev/<name>` under the root), else by the kernel's rotational flag.
 */
import { medianRandomReadMs, SSD_MAX_MEDIAN_MS } from './disk-latency';
import { at, list, readLine, resolved } from './fs';

export type DiskKind = 'ssd' | 'hdd';

export interface Disk {
  name: string;
  /** Bytes. */
  size: number;
  kind: DiskKind;
  /** How `kind` was decided. */
  classifiedBy: 'latency' | 'rotational-flag';
  /** Median random 4 KiB read latency, when measured. */
  readLatencyMs?: number;
  model?: string;
}

export interface SkippedDisk {
  name: string;
  reason: string;
}

const VIRTUAL = /^(loop|ram|zram|dm-|md|sr|fd|nbd)\d*/;

export function scanDisks(root: string): { disks: Disk[]; skipped: SkippedDisk[] } {
  const disks: Disk[] = [];
  const skipped: SkippedDisk[] = [];
  for (const name of list(at(root, '/sys/block'))) {
    const dir = at(root, `/sys/block/${name}`);
    const why = skipReason(name, dir);
    if (why) {
      skipped.push({ name, reason: why });
      continue;
    }
    const sectors = Number(readLine(`${dir}/size`) ?? '0');
    if (!Number.isFinite(sectors) || sectors <= 0) {
      skipped.push({ name, reason: 'empty' });
      continue;
    }
    const rotational = readLine(`${dir}/queue/rotational`);
    const model = readLine(`${dir}/device/model`);
    const size = sectors * 512; // /sys/block/*/size counts 512-byte sectors whatever the device's block size
    const latency = medianRandomReadMs(at(root, `/dev/${name}`), size);
    disks.push({
      name,
      size,
      ...(latency !== undefined
        ? { kind: latency < SSD_MAX_MEDIAN_MS ? 'ssd' : 'hdd', classifiedBy: 'latency', readLatencyMs: Math.round(latency * 1000) / 1000 }
        : { kind: rotational === '1' ? 'hdd' : 'ssd', classifiedBy: 'rotational-flag' }),
      ...(model ? { model } : {}),
    });
  }
  return { disks, skipped };
}

function skipReason(name: string, dir: string): string | undefined {
  const v = VIRTUAL.exec(name);
  if (v) return `virtual (${v[1]})`;
  if (readLine(`${dir}/removable`) === '1') return 'removable';
  if (/\/usb\d*\//.test(resolved(dir)) || /\/usb\d*\//.test(resolved(`${dir}/device`))) return 'usb';
  return undefined;
}
