/** Small readers over a root path, so every hardware probe can run on a fixture tree. */
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** `root` joined with an absolute system path (`/proc/meminfo`). */
export const at = (root: string, p: string): string => path.join(root, p);

/** The file's text, or undefined when it is missing or unreadable (permissions, no such device). */
export function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The trimmed first line of a file, or undefined. */
export function readLine(file: string): string | undefined {
  const t = readText(file);
  return t === undefined ? undefined : t.split('\n')[0]!.trim();
}

export function readBytes(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

export function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** The resolved path (sysfs entries are symlinks into /sys/devices), or the path itself. */
export function resolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
