/**
 * One supervised workload process: `/bin/sh -c <command>` spawned detached (its own process group,
 * so pause/stop reach everything it forks), stdout/stderr straight into its log file (an inherited
 * O_APPEND descriptor: the process keeps logging even if the agent dies, and the log can be
 * rotated by copy-truncate), restarted after a crash with bounded exponential backoff.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import type { Logger } from 'pino';
import { backoffDelay } from '../core/backoff';
import { findMarked, isAlive, readStat, signal } from '../core/proc';

export interface SupervisedOptions {
  id: string;
  /** The marker value its processes carry (see core/proc.ts). */
  mark: string;
  command: string;
  env: Record<string, string>;
  cwd: string;
  logFile: string;
  uid?: number;
  gid?: number;
  logger: Logger;
  restartMinMs: number;
  restartMaxMs: number;
  /** A run at least this long resets the backoff. */
  stableAfterMs: number;
  /** Called after every spawn (persist pid and start time; enter the cgroup). */
  onSpawn(pid: number, startTime: number): void;
}

export type SupervisedStatus = 'running' | 'paused' | 'stopped';

export class Supervised {
  readonly #o: SupervisedOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #wanted = false;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #startedAt = 0;
  restarts = 0;
  lastExit: { code: number | null; signal: string | null; at: number } | undefined;

  constructor(o: SupervisedOptions) {
    this.#o = o;
  }

  get pid(): number | undefined {
    return this.#live() ? this.#child!.pid : undefined;
  }

  /** Our child has not been reaped yet: its pid, hence its process group id, cannot have been reused. */
  #live(): boolean {
    const c = this.#child;
    return !!c && c.pid !== undefined && c.exitCode === null && c.signalCode === null;
  }

  status(): SupervisedStatus {
    if (this.#paused && this.#wanted) return 'paused';
    return this.#live() ? 'running' : 'stopped';
  }

  /**
   * Wants it running: spawns it if needed (rejects when that spawn fails), continues it if stopped.
   * `paused`: wanted but held — a live process is stopped, none is spawned until resume().
   */
  async start(paused = false): Promise<void> {
    this.#wanted = true;
    this.#paused = paused;
    if (this.#live()) signal(-this.#child!.pid!, paused ? 'SIGSTOP' : 'SIGCONT');
    else if (!paused) await this.#spawn();
  }

  #spawn(): Promise<void> {
    const o = this.#o;
    const fd = openSync(o.logFile, 'a', 0o640);
    let child: ChildProcess;
    try {
      appendFileSync(fd, `--- ${new Date().toISOString()} starting (restart ${this.restarts}) ---\n`);
      child = spawn('/bin/sh', ['-c', o.command], {
        cwd: o.cwd,
        env: o.env,
        detached: true,
        stdio: ['ignore', fd, fd],
        ...(o.uid !== undefined ? { uid: o.uid } : {}),
        ...(o.gid !== undefined ? { gid: o.gid } : {}),
      });
    } finally {
      closeSync(fd);
    }
    this.#child = child;
    this.#startedAt = Date.now();
    let done!: () => void;
    this.#exited = new Promise((r) => (done = r));
    return new Promise<void>((resolve, reject) => {
      child.once('spawn', () => {
        const st = readStat(child.pid!);
        o.onSpawn(child.pid!, st?.startTime ?? 0);
        o.logger.info({ id: o.id, pid: child.pid }, 'workload process started');
        resolve();
      });
      child.on('error', (e) => {
        // Spawn failures (bad cwd, user switch refused) never reach 'exit'.
        if (child.pid === undefined) {
          done();
          reject(new Error(`cannot start the workload process: ${e.message}`));
        }
      });
      child.once('exit', (code, sig) => {
        done();
        this.#onExit(child, code, sig);
      });
    });
  }

  #onExit(child: ChildProcess, code: number | null, sig: string | null): void {
    if (this.#child !== child) return;
    this.lastExit = { code, signal: sig, at: Date.now() };
    const o = this.#o;
    try {
      appendFileSync(o.logFile, `--- ${new Date().toISOString()} exited code=${code} signal=${sig} ---\n`);
    } catch {
      // the directory may be gone (remove)
    }
    // What it forked stays in the group after the leader is gone; only marked processes are ours to kill.
    killMarked(o.mark);
    if (!this.#wanted) return;
    this.#attempt = Date.now() - this.#startedAt >= o.stableAfterMs ? 1 : this.#attempt + 1;
    o.logger.warn({ id: o.id, code, signal: sig, attempt: this.#attempt }, 'workload process exited; restarting');
    this.#scheduleRestart();
  }

  /** One pending restart at a time, after a bounded exponential delay; a failed spawn schedules the next. */
  #scheduleRestart(): void {
    const o = this.#o;
    const delay = backoffDelay(this.#attempt, o.restartMinMs, o.restartMaxMs);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#wanted || this.#paused || this.#live()) return;
      this.restarts++;
      this.#spawn().catch((e: unknown) => {
        o.logger.error({ id: o.id, err: (e as Error).message }, 'workload restart failed');
        this.#attempt++;
        if (this.#wanted) this.#scheduleRestart();
      });
    }, delay);
    this.#timer.unref();
  }

  pause(): void {
    this.#paused = true;
    if (this.#live()) signal(-this.#child!.pid!, 'SIGSTOP');
  }

  /** Continues it, or starts it when it is not running (it was recovered paused, or crashed while paused). */
  async resume(): Promise<void> {
    this.#paused = false;
    if (this.#live()) {
      signal(-this.#child!.pid!, 'SIGCONT');
      return;
    }
    if (this.#wanted && !this.#timer) await this.#spawn();
  }

  /** SIGTERM to the group (continued first if stopped), SIGKILL after `graceMs`; no restart. */
  async stop(graceMs: number): Promise<void> {
    this.#wanted = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#live()) {
      const pgid = this.#child!.pid!;
      signal(-pgid, 'SIGTERM');
      signal(-pgid, 'SIGCONT'); // a stopped process acts on SIGTERM only once continued
      let t: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.#exited.then(() => false),
        new Promise<boolean>((r) => (t = setTimeout(() => r(true), graceMs))),
      ]);
      clearTimeout(t);
      if (timedOut && this.#live()) {
        signal(-pgid, 'SIGKILL');
        // Bounded: a process stuck in uninterruptible sleep must not hang the agent's shutdown.
        const stuck = await Promise.race([
          this.#exited.then(() => false),
          new Promise<boolean>((r) => (t = setTimeout(() => r(true), 5000))),
        ]);
        clearTimeout(t);
        if (stuck) this.#o.logger.error({ id: this.#o.id, pid: pgid }, 'workload process did not die after SIGKILL');
      }
    }
    await waitGone(killMarked(this.#o.mark));
  }
}

/** SIGKILLs every live process carrying the marker; returns them. */
export function killMarked(mark: string): number[] {
  const pids = findMarked(mark);
  for (const p of pids) signal(p, 'SIGKILL');
  return pids;
}

/** Waits (bounded) until the pids are gone or zombies. */
export async function waitGone(pids: number[], timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (pids.some((p) => isAlive(p)) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}
