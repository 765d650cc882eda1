/**
 * Reads back, from the kernel, the memory and CPU limits of a container's cgroup — on cgroup v1
 * (memory.limit_in_bytes, cpu.cfs_quota_us/cpu.cfs_period_us) and v2 (memory.max, cpu.max) — and
 * its OOM-kill count. runc writes the limits; the agent checks they hold before the machine runs.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';

export interface AppliedLimits {
  cgroup: 'v1' | 'v2';
  /** Bytes; Infinity when unlimited; undefined when the file could not be read. */
  memory?: number;
  cpuQuotaUs?: number;
  cpuPeriodUs?: number;
  /** Where the memory controller's files of this cgroup are (for the OOM counter). */
  memoryDir?: string;
}

/** The cgroup directories of `pid`, per controller, under `root` (usually /sys/fs/cgroup). */
export function cgroupDirs(pid: number, root = '/sys/fs/cgroup'): CgroupDirs {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return { cgroup: existsSync(path.join(root, 'cgroup.controllers')) ? 'v2' : 'v1' };
  }
  return parseProcCgroup(text, root);
}

export interface CgroupDirs {
  cgroup: 'v1' | 'v2';
  memory?: string;
  cpu?: string;
}

/** `/proc/<pid>/cgroup` text → the directories of the memory and cpu controllers under `root`. */
export function parseProcCgroup(text: string, root: string): CgroupDirs {
  const v1: Record<string, string> = {};
  let unified: string | undefined;
  for (const line of text.trim().split('\n')) {
    // `<id>:<controllers>:<path>`; the v2 line has no controllers.
    const i = line.indexOf(':');
    const j = line.indexOf(':', i + 1);
    if (i < 0 || j < 0) continue;
    const ctrls = line.slice(i + 1, j);
    const p = line.slice(j + 1);
    if (ctrls === '') unified = p;
    else for (const c of ctrls.split(',')) v1[c] = p;
  }
  // Hybrid hosts list a unified line too; the controllers that matter sit on v1 there.
  if (v1.memory !== undefined || v1.cpu !== undefined) {
    return {
      cgroup: 'v1',
      ...(v1.memory !== undefined ? { memory: path.join(root, 'memory', v1.memory) } : {}),
      ...(v1.cpu !== undefined ? { cpu: path.join(root, 'cpu', v1.cpu) } : {}),
    };
  }
  const dir = unified !== undefined ? path.join(root, unified) : undefined;
  return { cgroup: 'v2', ...(dir ? { memory: dir, cpu: dir } : {}) };
}

export function readLimits(pid: number, root = '/sys/fs/cgroup'): AppliedLimits {
  return limitsIn(cgroupDirs(pid, root));
}

/** The limits held in the cgroup files of `d`. */
export function limitsIn(d: CgroupDirs): AppliedLimits {
  const out: AppliedLimits = { cgroup: d.cgroup, ...(d.memory ? { memoryDir: d.memory } : {}) };
  if (d.cgroup === 'v1') {
    const mem = d.memory && read(path.join(d.memory, 'memory.limit_in_bytes'));
    if (mem) out.memory = Number(mem);
    const q = d.cpu && read(path.join(d.cpu, 'cpu.cfs_quota_us'));
    const p = d.cpu && read(path.join(d.cpu, 'cpu.cfs_period_us'));
    if (q) out.cpuQuotaUs = Number(q);
    if (p) out.cpuPeriodUs = Number(p);
  } else {
    const mem = d.memory && read(path.join(d.memory, 'memory.max'));
    if (mem) out.memory = mem === 'max' ? Infinity : Number(mem);
    const cpu = d.cpu && read(path.join(d.cpu, 'cpu.max'));
    if (cpu) {
      const [q, p] = cpu.split(' ');
      out.cpuQuotaUs = q === 'max' ? -1 : Number(q);
      out.cpuPeriodUs = Number(p);
    }
  }
  return out;
}

/** What differs between the limits wanted and those the kernel holds (empty when they apply). */
export function limitProblems(applied: AppliedLimits, memory: number, cpuQuotaUs: number, cpuPeriodUs: number): string[] {
  const out: string[] = [];
  // The kernel rounds the memory limit down to whole pages.
  if (applied.memory === undefined || applied.memory > memory || applied.memory < memory - 4096 * 16)
    out.push(`memory limit is ${applied.memory ?? 'unreadable'} in the ${applied.cgroup} cgroup, wanted ${memory}`);
  if (applied.cpuQuotaUs !== cpuQuotaUs || applied.cpuPeriodUs !== cpuPeriodUs)
    out.push(
      `cpu quota is ${applied.cpuQuotaUs ?? 'unreadable'}/${applied.cpuPeriodUs ?? 'unreadable'} µs in the ${applied.cgroup} cgroup, wanted ${cpuQuotaUs}/${cpuPeriodUs}`,
    );
  return out;
}

/** OOM kills counted in the cgroup whose memory files are in `memoryDir` (v1 memory.oom_control, v2 memory.events). */
export function oomKills(memoryDir: string): number | undefined {
  const text = read(path.join(memoryDir, 'memory.events')) ?? read(path.join(memoryDir, 'memory.oom_control'));
  const m = text?.match(/^oom_kill (\d+)$/m);
  return m ? Number(m[1]) : undefined;
}

/** Whether the host can hold swap to the memory limit (runc refuses `swap` where it cannot). */
export function canLimitSwap(root = '/sys/fs/cgroup'): boolean {
  if (existsSync(path.join(root, 'memory'))) return existsSync(path.join(root, 'memory', 'memory.memsw.limit_in_bytes'));
  return ['init.scope', 'system.slice'].some((d) => existsSync(path.join(root, d, 'memory.swap.max')));
}

/** runc removes a machine's own cgroup; the agent's parent directories go once empty (rmdir refuses otherwise). */
export function removeEmptyCgroups(root: string, rel: string): void {
  let hierarchies: string[];
  try {
    hierarchies = existsSync(path.join(root, 'cgroup.controllers')) ? [root] : readdirSync(root).map((d) => path.join(root, d));
  } catch {
    return;
  }
  for (const h of hierarchies)
    for (const dir of [path.join(h, rel), path.join(h, path.dirname(rel))]) {
      try {
        rmdirSync(dir);
      } catch {
        // not there, not empty, or another agent's machines still in it
      }
    }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}
