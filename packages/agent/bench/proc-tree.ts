/**
 * CPU of a process and of every process under it, read from /proc: how the gateway benchmark
 * counts a data plane whose processes the bench did not start itself (the gateway's HAProxy master
 * and workers are children of the process hosting the Gateway; their pids are found, not assumed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readStat } from '../src/core';
import { CLK_TCK } from './measure';

export interface ProcSample {
  pid: number;
  ppid: number;
  /** The kernel's name for it (/proc/<pid>/comm, at most 15 characters). */
  comm: string;
  /** Clock ticks since boot when it started: with the pid, what tells it from a later process given the same pid. */
  start: number;
  /**
   * utime + stime + cutime + cstime in ticks: the reaped children's share is included, so a worker
   * that exits between two samples (a reload) is still counted, through its parent.
   */
  ticks: number;
}

/** One process's figures, or undefined when it is gone (or its stat is unreadable). */
export function sampleStat(pid: number): ProcSample | undefined {
  const s = readStat(pid);
  return s && { pid, ppid: s.ppid, comm: s.comm, start: s.startTime, ticks: s.cpuTicks };
}

/** Every process now running: read once, so a tree walk sees one moment. */
export function allProcesses(): ProcSample[] {
  const out: ProcSample[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = sampleStat(Number(d));
    if (p) out.push(p);
  }
  return out;
}

/** `root` and all its descendants (by parent pid), root first; empty when root is gone. */
export function processTree(root: number, all: ProcSample[] = allProcesses()): ProcSample[] {
  const children = new Map<number, ProcSample[]>();
  for (const p of all) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const top = all.find((p) => p.pid === root);
  if (!top) return [];
  const out: ProcSample[] = [];
  const queue = [top];
  while (queue.length) {
    const p = queue.shift()!;
    out.push(p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return out;
}

const key = (p: ProcSample): string => `${p.pid}@${p.start}`;

/**
 * CPU µs a tree used between two samples of it. A process present only in `after` started in
 * between (all of it counts); one present only in `before` ended in between, its time is in its
 * parent's cutime (when the parent is in the tree and reaped it), so subtracting its `before` share
 * is right.
 */
export function treeCpuUs(before: ProcSample[], after: ProcSample[]): number {
  const sum = (l: ProcSample[]): number => l.reduce((t, p) => t + p.ticks, 0);
  return ((sum(after) - sum(before)) / CLK_TCK) * 1e6;
}

/**
 * Each process of either sample, once, with the CPU µs it used in between (`comm pid` and µs):
 * what the bench says it counted. One that ended in between shows what it used before it ended
 * as negative (that time is in its parent's figure now).
 */
export function treeParts(before: ProcSample[], after: ProcSample[]): { name: string; us: number }[] {
  const parts = new Map<string, { name: string; ticks: number }>();
  for (const p of after) parts.set(key(p), { name: `${p.comm} ${p.pid}`, ticks: p.ticks });
  for (const p of before) {
    const q = parts.get(key(p));
    if (q) q.ticks -= p.ticks;
    else parts.set(key(p), { name: `${p.comm} ${p.pid}`, ticks: -p.ticks });
  }
  return [...parts.values()].map((p) => ({ name: p.name, us: (p.ticks / CLK_TCK) * 1e6 }));
}

/** Busy and total ticks of all CPUs since boot (/proc/stat's first line): the whole machine's use. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest is already inside user).
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = v[3]! + v[4]!;
  return { busy: total - idle, total };
}
