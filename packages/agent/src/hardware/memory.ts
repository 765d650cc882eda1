/** MRU: total memory in bytes, from /proc/meminfo's MemTotal (kB). */
import { at, readText } from './fs';

export function totalMemory(root: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(readText(at(root, '/proc/meminfo')) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}
