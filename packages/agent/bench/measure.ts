/** What the agent benchmarks share: process samples from /proc, polling, workload states on disk, percentiles. */
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { sleep } from '../src';

export { sleep };

/** Kernel clock ticks per second (USER_HZ) on Linux. */
export const CLK_TCK = 100;
const MiB = 1024 ** 2;

export function sampleProc(pid: number): { rss: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
  // Fields after the command name (which may hold spaces): utime is field 14, stime 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rss, cpuTicks: Number(f[11]) + Number(f[12]) };
}

/** Every workload of the contract's state file is ok. */
export function workloadOk(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { states: { state: string }[] };
    return r.states.length > 0 && r.states.every((s) => s.state === 'ok');
  } catch {
    return false; // being replaced
  }
}

/** A TCP connect to host:port succeeds. */
export function answers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(200);
  }
}

const sorted = (a: number[]): number[] => [...a].sort((x, y) => x - y);
/** The nearest-rank `q` quantile of ascending `s` (non-empty). */
export const nearestRank = (s: number[], q: number): number => s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)]!;
export const median = (a: number[]): number => {
  const s = sorted(a);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
export const p95 = (a: number[]): number => nearestRank(sorted(a), 0.95);
export const mb = (b: number): string => (b / MiB).toFixed(1);
