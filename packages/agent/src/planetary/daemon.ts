/**
 * The node's one Yggdrasil daemon: the planetary overlay. Started from the config in the data
 * directory, peered outbound at once through the admin socket (the daemon's own dial loop waits
 * up to a minute before its first try), restarted with backoff if it dies, stopped with the agent.
 * A daemon left by a SIGKILLed agent is found by its marker and replaced, so the TUN interface
 * is never held twice.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '../core/backoff';
import { findMarked, isAlive, MARKER_VAR, signal } from '../core/proc';
import { workloadMark } from '../workloads/process-runtime';
import { YggdrasilAdmin, type SelfInfo } from './admin';
import { ADMIN_SOCKET, writeConfig } from './config';
import { PlanetaryError } from './errors';

export interface PlanetaryOptions {
  /** Directory of the config, key, admin socket and log (inside the agent's data directory). */
  dir: string;
  peers?: string[];
  listen?: string[];
  ifName?: string;
  binary?: string;
  /** Run the daemon inside this network namespace (`ip netns exec`); default: the agent's own. */
  netns?: string;
  logger: Logger;
  restartMinMs?: number;
  restartMaxMs?: number;
}

export type PlanetaryStatus = 'stopped' | 'starting' | 'running';

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3000;

export class Planetary {
  readonly #o: Required<Omit<PlanetaryOptions, 'logger' | 'netns'>> & { logger: Logger; netns?: string };
  readonly #log: Logger;
  readonly #admin: YggdrasilAdmin;
  readonly #mark: string;
  #child: ChildProcess | undefined;
  #self: SelfInfo | undefined;
  #wanted = false;
  #attempt = 0;
  #restart: NodeJS.Timeout | undefined;
  #status: PlanetaryStatus = 'stopped';

  constructor(o: PlanetaryOptions) {
    this.#o = { peers: [], listen: [], ifName: 'tfygg0', binary: 'yggdrasil', restartMinMs: 1000, restartMaxMs: 60_000, ...o };
    this.#log = o.logger.child({ module: 'planetary' });
    this.#admin = new YggdrasilAdmin(path.join(o.dir, ADMIN_SOCKET));
    this.#mark = workloadMark(o.dir, 'planetary');
  }

  /** The node's overlay address and /64, once running. */
  self(): SelfInfo | undefined {
    return this.#self;
  }

  status(): PlanetaryStatus {
    return this.#status;
  }

  get admin(): YggdrasilAdmin {
    return this.#admin;
  }

  /** Starts (or restarts) the daemon and resolves with its address once it answers. */
  async start(): Promise<SelfInfo> {
    this.#wanted = true;
    const conf = await writeConfig(this.#o.dir, {
      peers: this.#o.peers,
      listen: this.#o.listen,
      ifName: this.#o.ifName,
      binary: this.#o.binary,
    });
    await this.#killLeftovers();
    return this.#spawn(conf);
  }

  async stop(): Promise<void> {
    this.#wanted = false;
    clearTimeout(this.#restart);
    const child = this.#child;
    this.#child = undefined;
    this.#self = undefined;
    this.#status = 'stopped';
    if (child && child.exitCode === null && child.signalCode === null) await terminate(child);
  }

  async #spawn(conf: string): Promise<SelfInfo> {
    this.#status = 'starting';
    rmSync(path.join(this.#o.dir, ADMIN_SOCKET), { force: true });
    const log = openSync(path.join(this.#o.dir, 'yggdrasil.log'), 'a', 0o600);
    let child: ChildProcess;
    try {
      const argv = [this.#o.binary, '-useconffile', conf];
      if (this.#o.netns) argv.unshift('ip', 'netns', 'exec', this.#o.netns);
      child = spawn(argv[0]!, argv.slice(1), {
        stdio: ['ignore', log, log],
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', [MARKER_VAR]: this.#mark },
      });
    } finally {
      closeSync(log);
    }
    this.#child = child;
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (e) =>
        reject(
          new PlanetaryError(
            (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing-binary' : 'exited',
            `${this.#o.binary}: ${e.message}`,
          ),
        ),
      );
      child.once('exit', (code, sig) =>
        reject(new PlanetaryError('exited', `yggdrasil exited (${sig ?? `code ${code}`}); see ${path.join(this.#o.dir, 'yggdrasil.log')}`)),
      );
    });
    exited.catch(() => undefined);
    child.once('exit', (code, sig) => this.#onExit(child, conf, code, sig));
    const self = await Promise.race([this.#ready(), exited]);
    // Peer now rather than after the daemon's first retry interval.
    for (const p of this.#o.peers)
      await this.#admin.addPeer(p).catch((e) => this.#log.warn({ peer: p, err: (e as Error).message }, 'planetary peer not added'));
    this.#self = self;
    this.#status = 'running';
    this.#attempt = 0;
    this.#log.info(
      { address: self.address, subnet: self.subnet, peers: this.#o.peers.length, listen: this.#o.listen },
      'planetary overlay up',
    );
    return self;
  }

  async #ready(): Promise<SelfInfo> {
    const end = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      try {
        return await this.#admin.self();
      } catch (e) {
        if (Date.now() > end)
          throw new PlanetaryError(
            'admin-unreachable',
            `yggdrasil did not answer on its admin socket within ${READY_TIMEOUT_MS} ms: ${(e as Error).message}`,
          );
      }
      await sleep(100);
    }
  }

  #onExit(child: ChildProcess, conf: string, code: number | null, sig: string | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    this.#self = undefined;
    this.#status = 'stopped';
    if (!this.#wanted) return;
    const delay = backoffDelay(++this.#attempt, this.#o.restartMinMs, this.#o.restartMaxMs);
    this.#log.warn({ code, signal: sig, restartInMs: delay }, 'yggdrasil exited; restarting');
    this.#restart = setTimeout(() => {
      if (this.#wanted) this.#spawn(conf).catch((e) => this.#log.error({ err: (e as Error).message }, 'yggdrasil restart failed'));
    }, delay);
  }

  /** A daemon of this data directory that outlived its agent holds the interface: end it. */
  async #killLeftovers(): Promise<void> {
    for (const pid of findMarked(this.#mark)) {
      this.#log.info({ pid }, 'stopping a yggdrasil left by a previous agent');
      signal(pid, 'SIGTERM');
      const end = Date.now() + STOP_GRACE_MS;
      while (isAlive(pid) && Date.now() < end) await sleep(50);
      if (isAlive(pid)) signal(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(20);
    }
  }
}

function terminate(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
