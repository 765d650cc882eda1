/**
 * /proc readers to recognise our own processes after an agent restart: a pid alone may have been
 * reused, so a process is ours only when its start time (field 22 of /proc/<pid>/stat) matches the
 * one recorded at spawn, or when its environment carries the workload's marker variable.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** R, S, D, T (stopped), t, Z (zombie), X... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks since boot: with the pid, identifies one process for the machine's uptime. */
  startTime: number;
  /** The kernel's name for it (at most 15 characters). */
  comm: string;
  /** utime + stime + cutime + cstime in clock ticks (its reaped children included). */
  cpuTicks: number;
}

/**
 * The environment variable every workload process carries (set last, so a deployer cannot override
 * it): `<instance>/<workload id>`, the instance derived from the agent's data directory so two agents
 * (or test runs) on one machine never take each other's processes for their own.
 */
export const MARKER_VAR = 'TFGRID_WORKLOAD_MARK';

export function readStat(pid: number): ProcStat | undefined {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
  const close = raw.lastIndexOf(')');
  const rest = raw.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): ppid 4, pgrp 5, utime 14, stime 15, cutime 16, cstime 17, starttime 22.
  const n = (field: number): number => Number(rest[field - 3]);
  return {
    pid,
    state: rest[0]!,
    ppid: n(4),
    pgrp: n(5),
    startTime: n(22),
    comm: raw.slice(raw.indexOf('(') + 1, close),
    cpuTicks: n(14) + n(15) + n(16) + n(17),
  };
}

/** Alive and not a zombie (a zombie whose parent died may linger where pid 1 does not reap). */
export function isAlive(pid: number, startTime?: number): boolean {
  const s = readStat(pid);
  if (!s || s.state === 'Z' || s.state === 'X') return false;
  return startTime === undefined || s.startTime === startTime;
}

export function hasMarker(pid: number, mark: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return `\0${env}`.includes(`\0${MARKER_VAR}=${mark}\0`);
  } catch {
    return false; // gone, or not ours to read
  }
}

/** Live processes whose environment carries the marker (also those that left the process group). */
export function findMarked(mark: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (hasMarker(pid, mark) && isAlive(pid)) out.push(pid);
  }
  return out;
}

/** Signals a pid or a process group (negative), ignoring "no such process". */
export function signal(target: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(target, sig);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw e;
  }
}
