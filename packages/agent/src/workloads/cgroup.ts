/**
 * cgroup v2 limits for workload processes: `<root>/tfgrid-workloads/<id>` with memory.max and
 * cpu.max. Used only where the unified hierarchy is mounted with the cpu and memory controllers
 * and writable; otherwise every call is a no-op and the reason is logged once.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export const CPU_PERIOD_US = 100_000;

export class Cgroups {
  readonly #root: string;
  readonly #base: string;
  readonly #log: Logger;
  #usable: boolean | undefined;
  #why = '';

  constructor(root: string, log: Logger) {
    this.#base = path.join(root, 'tfgrid-workloads');
    this.#log = log;
    this.#root = root;
  }

  /** Whether limits can be applied here (decided once, logged once). */
  usable(): boolean {
    if (this.#usable !== undefined) return this.#usable;
    try {
      const ctl = `${this.#root}/cgroup.controllers`;
      if (!existsSync(ctl)) throw new Error(`${this.#root} is not a cgroup v2 (unified) hierarchy`);
      const have = readFileSync(ctl, 'utf8').trim().split(/\s+/);
      const missing = ['cpu', 'memory'].filter((c) => !have.includes(c));
      if (missing.length) throw new Error(`controllers ${missing.join(', ')} not available in ${this.#root}`);
      mkdirSync(this.#base, { recursive: true });
      // Children of our subtree get cpu and memory; the root's subtree_control must allow them too.
      for (const dir of [this.#root, this.#base]) {
        const cur = existsSync(`${dir}/cgroup.subtree_control`) ? readFileSync(`${dir}/cgroup.subtree_control`, 'utf8') : '';
        if (!/\bcpu\b/.test(cur) || !/\bmemory\b/.test(cur)) writeFileSync(`${dir}/cgroup.subtree_control`, '+cpu +memory');
      }
      this.#usable = true;
    } catch (e) {
      this.#why = (e as Error).message;
      this.#usable = false;
      this.#log.info({ reason: this.#why }, 'cgroup v2 limits unavailable: workload processes run without memory/cpu limits');
    }
    return this.#usable;
  }

  dir(id: string): string {
    return path.join(this.#base, id);
  }

  /** Creates the workload's cgroup with its limits; returns its path, or undefined when limits are unavailable. */
  prepare(id: string, cpu: number, memory: number): string | undefined {
    if (!this.usable()) return undefined;
    const dir = this.dir(id);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/memory.max`, String(memory));
      writeFileSync(`${dir}/cpu.max`, `${Math.max(1, cpu) * CPU_PERIOD_US} ${CPU_PERIOD_US}`);
      return dir;
    } catch (e) {
      this.#log.warn({ id, err: (e as Error).message }, 'cannot set cgroup limits for this workload; it runs without them');
      return undefined;
    }
  }

  /** Moves a process in (right after spawn: what it forks before this lands in the agent's cgroup — a short window). */
  enter(dir: string, pid: number): void {
    try {
      writeFileSync(`${dir}/cgroup.procs`, String(pid));
    } catch (e) {
      this.#log.warn({ pid, err: (e as Error).message }, 'cannot move the workload process into its cgroup');
    }
  }

  /** Pids still in the workload's cgroup (the authoritative list when limits are in use). */
  pids(id: string): number[] {
    try {
      return readFileSync(`${this.dir(id)}/cgroup.procs`, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      return [];
    }
  }

  remove(id: string): void {
    const dir = this.dir(id);
    if (!existsSync(dir)) return;
    try {
      if (existsSync(`${dir}/cgroup.kill`)) writeFileSync(`${dir}/cgroup.kill`, '1');
      rmdirSync(dir);
    } catch (e) {
      this.#log.warn({ id, err: (e as Error).message }, 'cannot remove the workload cgroup');
    }
  }
}
