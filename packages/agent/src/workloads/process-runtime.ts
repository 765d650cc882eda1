/**
 * The process runtime: a `vm` workload runs as a supervised process group, not a virtual machine.
 * Its `entrypoint` runs through `/bin/sh -c` with the vm's `env`; the flist is NOT booted (ignored:
 * there is no image to unpack here), so the entrypoint must be a command this host can run.
 *
 * Layout: `<dataDir>/workloads/<id>/` (agent-owned, 0711) holds `log` (+ `log.1`, one rotation)
 * and `run.json` (pid, process group, start time: how leftovers are recognised after an agent
 * crash); `<dir>/home/` is the process's cwd and HOME, owned by the run-as user. Mounts are host
 * directories, exported as TFGRID_MOUNT_<NAME>. Leftovers of an earlier agent (SIGKILLed agents
 * leave their detached children alive) are killed before a workload starts again, so a restart
 * never duplicates a process.
 */
import { writeFileAtomic } from '@tfgrid/client';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Cgroups } from './cgroup';
import { rotateLog } from '../core/log-rotate';
import { isAlive, MARKER_VAR, signal } from '../core/proc';
import { killMarked, Supervised, waitGone } from './supervised';
import type { Runtime, RuntimeSpec, RuntimeStartOptions } from '../core/workload-types';
import { resolveRunAs, type RunAs } from './user';

export interface ProcessRuntimeOptions {
  dataDir: string;
  logger: Logger;
  /** Used only when the agent runs as root. */
  runAsUser?: string;
  /** A log past this size is copied to log.1 and truncated (checked every `logCheckMs`). Default 10 MiB. */
  logMaxBytes?: number;
  logCheckMs?: number;
  /** SIGTERM → SIGKILL delay. Default 10 s. */
  stopGraceMs?: number;
  /** Crash restart backoff bounds. Defaults 1 s .. 60 s. */
  restartMinMs?: number;
  restartMaxMs?: number;
  /** A run this long resets the backoff. Default 60 s. */
  stableAfterMs?: number;
  /** cgroup v2 mount point. Default /sys/fs/cgroup. */
  cgroupRoot?: string;
}

export interface RunRecord {
  pid: number;
  pgid: number;
  startTime: number;
  startedAt: number;
}

const ID = /^[A-Za-z0-9_-]{1,120}$/;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ProcessRuntime implements Runtime {
  readonly name = 'process';
  readonly #o: Required<Omit<ProcessRuntimeOptions, 'runAsUser'>> & { runAsUser?: string };
  readonly #log: Logger;
  readonly #entries = new Map<string, { spec: RuntimeSpec; proc: Supervised }>();
  readonly #cgroups: Cgroups;
  readonly #interval: NodeJS.Timeout;
  #runAs: RunAs | undefined | null = null; // null: not resolved yet

  constructor(o: ProcessRuntimeOptions) {
    this.#o = {
      logMaxBytes: 10 * 1024 * 1024,
      logCheckMs: 5000,
      stopGraceMs: 10_000,
      restartMinMs: 1000,
      restartMaxMs: 60_000,
      stableAfterMs: 60_000,
      cgroupRoot: '/sys/fs/cgroup',
      ...o,
    };
    this.#log = o.logger.child({ module: 'process-runtime' });
    this.#cgroups = new Cgroups(this.#o.cgroupRoot, this.#log);
    // One interval for every log (never a timer per process re-created in a loop).
    this.#interval = setInterval(() => this.#rotateLogs(), this.#o.logCheckMs);
    this.#interval.unref();
  }

  /** The marker value of `id`'s processes: this runtime's instance (from its data directory) and the id. */
  mark(id: string): string {
    return workloadMark(this.#o.dataDir, id);
  }

  dir(id: string): string {
    return path.join(this.#o.dataDir, 'workloads', id);
  }

  logFile(id: string): string {
    return path.join(this.dir(id), 'log');
  }

  async start(spec: RuntimeSpec, opts: RuntimeStartOptions = {}): Promise<{ pid?: number; [k: string]: unknown }> {
    if (!ID.test(spec.id)) throw new Error(`invalid runtime id '${spec.id}'`);
    if (!spec.command.trim())
      throw new Error('the vm has no entrypoint: the process runtime runs the entrypoint only (flists are not booted)');
    const cur = this.#entries.get(spec.id);
    if (cur && JSON.stringify(cur.spec) === JSON.stringify(spec)) {
      // Idempotent: the same spec again only (re)applies the wanted run state.
      await cur.proc.start(opts.paused ?? false);
      return this.#result(spec.id, cur.proc);
    }
    if (cur) {
      await cur.proc.stop(this.#o.stopGraceMs);
      this.#entries.delete(spec.id);
    }
    await this.#killLeftovers(spec.id);
    const runAs = this.#user();
    const dir = this.dir(spec.id);
    const home = path.join(dir, 'home');
    mkdirSync(home, { recursive: true, mode: 0o700 });
    if (runAs) {
      this.#reachable(dir, runAs);
      chmodSync(dir, 0o711);
      chownSync(home, runAs.uid, runAs.gid);
      for (const m of spec.mounts) {
        this.#reachable(m.hostPath, runAs);
        chownSync(m.hostPath, runAs.uid, runAs.gid);
      }
    }
    const cg = this.#cgroups.prepare(spec.id, spec.cpu, spec.memory);
    const env: Record<string, string> = { PATH: DEFAULT_PATH, HOME: home, ...spec.env };
    for (const m of spec.mounts) env[`TFGRID_MOUNT_${envName(m.name ?? m.mountpoint)}`] = m.hostPath;
    env.TFGRID_WORKLOAD_DIR = home;
    env.TFGRID_WORKLOAD_ID = spec.id;
    env[MARKER_VAR] = this.mark(spec.id); // last: a deployer's env cannot forge or drop it
    const proc = new Supervised({
      id: spec.id,
      mark: this.mark(spec.id),
      command: spec.command,
      env,
      cwd: home,
      logFile: this.logFile(spec.id),
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
      logger: this.#log,
      restartMinMs: this.#o.restartMinMs,
      restartMaxMs: this.#o.restartMaxMs,
      stableAfterMs: this.#o.stableAfterMs,
      onSpawn: (pid, startTime) => {
        if (cg) this.#cgroups.enter(cg, pid);
        const rec: RunRecord = { pid, pgid: pid, startTime, startedAt: Date.now() };
        writeFileAtomic(path.join(dir, 'run.json'), JSON.stringify(rec));
      },
    });
    this.#entries.set(spec.id, { spec, proc });
    await proc.start(opts.paused ?? false);
    return this.#result(spec.id, proc);
  }

  #result(id: string, proc: Supervised): { pid?: number; [k: string]: unknown } {
    const pid = proc.pid;
    return { ...(pid !== undefined ? { pid } : {}), runtime: this.name, dir: path.join(this.dir(id), 'home'), log: this.logFile(id) };
  }

  async stop(id: string): Promise<void> {
    await this.#entries.get(id)?.proc.stop(this.#o.stopGraceMs);
  }

  async pause(id: string): Promise<void> {
    this.#entry(id).proc.pause();
  }

  async resume(id: string): Promise<void> {
    await this.#entry(id).proc.resume();
  }

  async remove(id: string): Promise<void> {
    if (!ID.test(id)) throw new Error(`invalid runtime id '${id}'`);
    const e = this.#entries.get(id);
    if (e) await e.proc.stop(this.#o.stopGraceMs);
    this.#entries.delete(id);
    await this.#killLeftovers(id);
    this.#cgroups.remove(id);
    rmSync(this.dir(id), { recursive: true, force: true });
  }

  status(id: string): 'running' | 'paused' | 'stopped' | 'unknown' {
    return this.#entries.get(id)?.proc.status() ?? 'unknown';
  }

  /** Restart count and last exit, for diagnostics. */
  info(id: string): { pid?: number; restarts: number; lastExit?: { code: number | null; signal: string | null; at: number } } | undefined {
    const p = this.#entries.get(id)?.proc;
    if (!p) return undefined;
    return { ...(p.pid !== undefined ? { pid: p.pid } : {}), restarts: p.restarts, ...(p.lastExit ? { lastExit: p.lastExit } : {}) };
  }

  async close(): Promise<void> {
    clearInterval(this.#interval);
    await Promise.all([...this.#entries.values()].map((e) => e.proc.stop(this.#o.stopGraceMs)));
    this.#entries.clear();
  }

  #entry(id: string): { spec: RuntimeSpec; proc: Supervised } {
    const e = this.#entries.get(id);
    if (!e) throw new Error(`no workload process '${id}' in the process runtime`);
    return e;
  }

  #user(): RunAs | undefined {
    if (this.#runAs === null) this.#runAs = this.#o.runAsUser ? resolveRunAs(this.#o.runAsUser) : undefined;
    return this.#runAs;
  }

  /**
   * The run-as user must be able to reach `p`. The agent's own data directory gets o+x (traverse,
   * not list: the identity files stay 0600); anything above it is the farmer's to fix, so it is named.
   */
  #reachable(p: string, u: RunAs): void {
    const data = path.resolve(this.#o.dataDir);
    for (let d = path.dirname(path.resolve(p)); ; d = path.dirname(d)) {
      const st = statSync(d);
      const ok = st.uid === u.uid ? (st.mode & 0o100) !== 0 : st.gid === u.gid ? (st.mode & 0o010) !== 0 : (st.mode & 0o001) !== 0;
      if (!ok) {
        if (d === data || d.startsWith(`${data}${path.sep}`)) {
          chmodSync(d, (st.mode & 0o7777) | 0o001);
          this.#log.info({ dir: d }, `gave others execute (traverse) permission so ${u.user} can reach its workload directory`);
        } else
          throw new Error(
            `${d} is not reachable by ${u.user} (mode ${(st.mode & 0o777).toString(8)}): give others execute permission (chmod o+x)`,
          );
      }
      if (d === path.dirname(d)) return;
    }
  }

  /** Kills what an earlier agent left running for `id`: its recorded group (if the leader is still that process) and every marked process. */
  async #killLeftovers(id: string): Promise<void> {
    const run = readRun(path.join(this.dir(id), 'run.json'));
    const pids: number[] = [];
    if (run && isAlive(run.pid, run.startTime)) {
      signal(-run.pgid, 'SIGKILL');
      pids.push(run.pid);
    }
    for (const p of this.#cgroups.pids(id)) if (signal(p, 'SIGKILL')) pids.push(p);
    pids.push(...killMarked(this.mark(id)));
    if (pids.length) this.#log.warn({ id, pids }, 'killed processes left by an earlier agent run');
    await waitGone(pids);
  }

  #rotateLogs(): void {
    for (const id of this.#entries.keys()) {
      const file = this.logFile(id);
      try {
        rotateLog(file, this.#o.logMaxBytes);
      } catch (e) {
        this.#log.warn({ id, err: (e as Error).message }, 'log rotation failed');
      }
    }
  }
}

function readRun(file: string): RunRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
    return Number.isSafeInteger(r.pid) && r.pid > 1 && Number.isSafeInteger(r.pgid) && r.pgid > 1 ? r : undefined;
  } catch {
    return undefined;
  }
}

/** `<12 hex of sha256(absolute data directory)>/<id>`. */
export function workloadMark(dataDir: string, id: string): string {
  return `${createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12)}/${id}`;
}

/** `data-vol` / `/mnt/data` → `DATA_VOL` / `MNT_DATA`. */
export function envName(s: string): string {
  return (
    s
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'ROOT'
  );
}
