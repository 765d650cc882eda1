/**
 * SSD or HDD by measurement: the median time of random 4 KiB reads spread over the whole
 * device. A spinning disk needs a seek per read (milliseconds); flash answers in well under one.
 * Virtual disks often carry a wrong rotational flag, so the measurement decides where it can.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Below this median a device is taken for solid state (HDD random reads cost 4–15 ms). */
export const SSD_MAX_MEDIAN_MS = 2;
const BLOCK = 4096;

/**
 * Median latency in ms of `samples` random aligned reads, or undefined when the device cannot be
 * read (no such node under the root, not root, ...). Offsets are spread over `sizeBytes` so that
 * the page cache almost never holds them.
 */
export function medianRandomReadMs(devicePath: string, sizeBytes: number, samples = 24): number | undefined {
  let fd: number;
  try {
    fd = openSync(devicePath, 'r');
  } catch {
    return undefined;
  }
  try {
    const blocks = Math.floor(sizeBytes / BLOCK);
    if (blocks < 2) return undefined;
    const buf = Buffer.allocUnsafe(BLOCK);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const offset = Math.floor(Math.random() * blocks) * BLOCK;
      const t0 = process.hrtime.bigint();
      readSync(fd, buf, 0, BLOCK, offset);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
