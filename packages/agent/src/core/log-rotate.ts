/** One rotation of a workload's log: past `maxBytes` it is copied to `<file>.1` and truncated. */
import { copyFileSync, existsSync, statSync, truncateSync } from 'node:fs';

/** True when it rotated. Copy-truncate: the workload holds an O_APPEND descriptor, so it goes on at the new end. */
export function rotateLog(file: string, maxBytes: number): boolean {
  if (!existsSync(file) || statSync(file).size <= maxBytes) return false;
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  return true;
}
