/** CRU: logical CPUs, from /proc/cpuinfo, else /sys/devices/system/cpu/online. */
import { at, readLine, readText } from './fs';

export function logicalCpus(root: string): number {
  const info = readText(at(root, '/proc/cpuinfo'));
  const n = info ? info.split('\n').filter((l) => /^processor\s*:/.test(l)).length : 0;
  if (n > 0) return n;
  const online = readLine(at(root, '/sys/devices/system/cpu/online'));
  return online ? countRange(online) : 0;
}

/** Counts a kernel CPU list such as `0-3,6,8-9`. */
export function countRange(list: string): number {
  let n = 0;
  for (const part of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) continue;
    n += b === undefined ? 1 : Number.isInteger(b) && b >= a! ? b - a! + 1 : 0;
  }
  return n;
}

/** The CPU's model name (first processor), or undefined. */
export function cpuModel(root: string): string | undefined {
  const m = /^model name\s*:\s*(.+)$/m.exec(readText(at(root, '/proc/cpuinfo')) ?? '');
  return m?.[1]?.trim();
}

/** True when the CPU flags carry `hypervisor` (the kernel runs as a guest). */
export function hypervisorFlag(root: string): boolean {
  const m = /^flags\s*:(.*)$/m.exec(readText(at(root, '/proc/cpuinfo')) ?? '');
  return !!m && m[1]!.split(/\s+/).includes('hypervisor');
}
