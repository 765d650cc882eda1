/**
 * The container runtime: each zmachine is an OCI container run by runc from its image — own pid,
 * mount, uts, ipc and network namespaces, runc's default capabilities with no-new-privileges,
 * memory and CPU limits read back from the cgroup (v1 or v2) before the machine runs, a read-only
 * image under a size-limited writable layer, volumes bound at their mountpoints, the freezer for
 * pause. One interval watches every machine: an exit is restarted with backoff, an OOM kill is
 * reported, logs are rotated. The agent is not the machines' parent (runc runs them detached), so
 * a SIGKILLed agent finds them again through `runc state` and adopts them, never starting twice.
 *
 * Layout: `<dataDir>/runc` is runc's state root; `<dataDir>/machines/<id>/` the bundle —
 * config.json, spec.sha256 (what it was started from), layer.img + layer/ (writable layer),
 * rootfs/ (the overlay), log (+ log.1), runc.log.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_MACHINE_SIZE, type ImageRef, writeFileAtomic } from '@tfgrid/client';
import { backoffDelay } from '../../core/backoff';
import { formatBytes } from '../../core/capacity';
import { rotateLog } from '../../core/log-rotate';
import { flistError } from '../images';
import { isAlive, readStat } from '../../core/proc';
import type { MachineNetworking, Runtime, RuntimeEvent, RuntimeSpec, RuntimeStartOptions } from '../../core/workload-types';
import { RuntimeError } from './errors';
import { canLimitSwap, limitProblems, oomKills, readLimits, removeEmptyCgroups, type AppliedLimits } from './limits';
import { machineKey, readHash, shortHash } from './names';
import { DEFAULT_WORKLOAD_BRIDGE, DEFAULT_WORKLOAD_SUBNET, WorkloadNetwork } from './network';
import { mountRootfs, removeRootfs, unmountRootfs } from './rootfs';
import { Runc, type ContainerState } from './runc';
import { CPU_PERIOD_US, ociConfig } from './spec';

/** Where a machine's image comes from (the ImageStore): the absolute path of its unpacked, read-only root. */
export interface ImageSource {
  ensure(image: ImageRef): Promise<string>;
  /** Deletes the cached images not named in `inUse` (sha256s); called after a machine is removed. */
  prune?(inUse: Iterable<string>): string[];
}

export interface RuncRuntimeOptions {
  dataDir: string;
  logger: Logger;
  images: ImageSource;
  /** Node-local bridge and range (see network.ts for the defaults). */
  bridge?: string;
  subnet?: string;
  /** Private networks, public IPs and planetary addresses of machines; without it a machine has only its node-local interface. */
  networking?: MachineNetworking;
  /** Writable layer when the spec gives none. Default the client's DEFAULT_MACHINE_SIZE (2 GiB). */
  defaultRootSize?: number;
  /** A log past this size is copied to log.1 and truncated. Default 10 MiB. */
  logMaxBytes?: number;
  /** How often machines are checked (exit, OOM, log size). Default 1 s. */
  monitorMs?: number;
  /** SIGTERM → SIGKILL delay. Default 10 s. */
  stopGraceMs?: number;
  /** Crash restart backoff bounds. Defaults 1 s .. 60 s; a run of `stableAfterMs` (60 s) resets it. */
  restartMinMs?: number;
  restartMaxMs?: number;
  stableAfterMs?: number;
  /** Where limits are read back from. Default /sys/fs/cgroup (where runc makes them). */
  cgroupRoot?: string;
}

/** Where runc creates the machines' cgroups (cgroupfs driver). */
const RUNC_CGROUP_ROOT = '/sys/fs/cgroup';

const ID = /^[A-Za-z0-9_-]{1,120}$/;

interface Machine {
  spec: RuntimeSpec;
  hash: string;
  key: string;
  address: string;
  /** Addresses of its other interfaces (private networks, public, planetary). */
  addresses: Record<string, unknown>;
  wanted: boolean;
  paused: boolean;
  /** The running init (host pid and /proc start time), when one runs. */
  pid?: number;
  startTime?: number;
  startedAt: number;
  attempt: number;
  restarts: number;
  timer?: NodeJS.Timeout;
  memoryDir?: string;
  ooms: number;
  limits?: AppliedLimits;
  /** Serialises what is done to this machine (provisioner calls and the monitor's restarts). */
  queue: Promise<unknown>;
}

export class RuncRuntime implements Runtime {
  readonly name = 'runc';
  readonly runc: Runc;
  readonly network: WorkloadNetwork;
  readonly #o: Required<Omit<RuncRuntimeOptions, 'bridge' | 'subnet' | 'networking'>> & { networking?: MachineNetworking };
  readonly #log: Logger;
  readonly #machines = new Map<string, Machine>();
  readonly #listeners = new Set<(e: RuntimeEvent) => void>();
  readonly #instance: string;
  readonly #interval: NodeJS.Timeout;
  readonly #limitSwap: boolean;
  /** Specs being started: their images are kept by an image prune. */
  readonly #starting = new Set<RuntimeSpec>();

  constructor(o: RuncRuntimeOptions) {
    this.#o = {
      defaultRootSize: DEFAULT_MACHINE_SIZE,
      logMaxBytes: 10 * 1024 * 1024,
      monitorMs: 1000,
      stopGraceMs: 10_000,
      restartMinMs: 1000,
      restartMaxMs: 60_000,
      stableAfterMs: 60_000,
      cgroupRoot: RUNC_CGROUP_ROOT,
      ...o,
    };
    this.#log = o.logger.child({ module: 'runc-runtime' });
    this.#instance = shortHash(path.resolve(o.dataDir));
    this.runc = new Runc(path.join(o.dataDir, 'runc'));
    mkdirSync(this.runc.root, { recursive: true, mode: 0o700 });
    mkdirSync(this.#machinesDir(), { recursive: true, mode: 0o700 });
    this.network = new WorkloadNetwork({
      bridge: o.bridge ?? DEFAULT_WORKLOAD_BRIDGE,
      subnet: o.subnet ?? DEFAULT_WORKLOAD_SUBNET,
      stateFile: path.join(o.dataDir, 'runc', 'addresses.json'),
      logger: o.logger,
    });
    this.#limitSwap = canLimitSwap(this.#o.cgroupRoot);
    // One interval for every machine (never a timer per machine re-created in a loop).
    this.#interval = setInterval(() => this.#watch(), this.#o.monitorMs);
    this.#interval.unref();
  }

  bundle(id: string): string {
    return path.join(this.#machinesDir(), id);
  }

  logFile(id: string): string {
    return path.join(this.bundle(id), 'log');
  }

  onEvent(listener: (e: RuntimeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(spec: RuntimeSpec, opts: RuntimeStartOptions = {}): Promise<{ pid?: number; [k: string]: unknown }> {
    checkId(spec.id);
    this.#starting.add(spec);
    return this.#exclusive(spec.id, () => this.#start(spec, opts.paused ?? false)).finally(() => this.#starting.delete(spec));
  }

  async #start(spec: RuntimeSpec, paused: boolean): Promise<{ pid?: number; [k: string]: unknown }> {
    if (!spec.command.trim())
      throw new RuntimeError('no-entrypoint', "the zmachine has no entrypoint: give the command to run (through the image's /bin/sh -c)");
    if (!spec.image) {
      if (spec.flist) throw flistError(spec.flist);
      throw new RuntimeError('no-image', 'the zmachine has no image: give image {url, sha256}');
    }
    const lower = await this.#o.images.ensure(spec.image);
    const hash = createHash('sha256').update(JSON.stringify({ spec, lower })).digest('hex');
    const id = spec.id;
    const cur = this.#machines.get(id);
    if (cur && cur.hash === hash) {
      // The same spec again only (re)applies the wanted run state.
      cur.wanted = true;
      if (paused) await this.#pause(cur);
      else await this.#resume(cur);
      return this.#result(cur);
    }
    if (cur) await this.#halt(cur);
    const key = machineKey(this.#o.dataDir, id);
    const bundle = this.bundle(id);
    mkdirSync(bundle, { recursive: true, mode: 0o700 });
    // A container an earlier agent run started from this very spec is taken over, never started twice.
    const existing = await this.runc.state(id);
    const adopt =
      !cur &&
      !!existing &&
      readHash(bundle) === hash &&
      (existing.status === 'running' || existing.status === 'paused') &&
      isAlive(existing.pid);
    if (!adopt) {
      if (existing) {
        this.#log.warn({ id, status: existing.status }, 'removing a container left by an earlier run');
        await this.runc.kill(id, 'KILL');
        await this.runc.delete(id);
      }
      await unmountRootfs(bundle); // the overlay may still show an earlier image
    }
    const { netns, address } = await this.network.attach(id, key);
    if (spec.interfaces?.length && !this.#o.networking)
      throw new RuntimeError('network', 'this node gives machines no interfaces beyond the node-local one');
    // Before the command runs: it finds its networks up.
    const addresses = this.#o.networking ? await this.#o.networking.attach(id, netns, spec.interfaces ?? [], address) : {};
    const rootfs = await mountRootfs(bundle, lower, spec.rootSize || this.#o.defaultRootSize);
    for (const x of spec.mounts)
      if (!existsSync(x.hostPath) || !statSync(x.hostPath).isDirectory())
        throw new RuntimeError('invalid-spec', `mount '${x.name ?? x.mountpoint}': ${x.hostPath} is not a directory`);
    const m: Machine = {
      spec,
      hash,
      key,
      address,
      addresses,
      wanted: true,
      paused,
      startedAt: 0,
      attempt: 0,
      restarts: 0,
      ooms: 0,
      queue: Promise.resolve(),
    };
    this.#machines.set(id, m);
    if (adopt) {
      this.#adopt(m, existing);
      if (paused) await this.#pause(m);
      else await this.#resume(m);
      return this.#result(m);
    }
    const config = ociConfig({
      rootfs,
      hostname: id.slice(0, 63),
      entrypoint: spec.command,
      env: spec.env,
      cpu: spec.cpu,
      memory: spec.memory,
      netns,
      cgroupsPath: `/tfgrid/${this.#instance}/${id}`,
      binds: spec.mounts.map((x) => ({ source: x.hostPath, destination: x.mountpoint })),
      limitSwap: this.#limitSwap,
    });
    writeFileAtomic(path.join(bundle, 'config.json'), JSON.stringify(config, null, 1));
    writeFileAtomic(path.join(bundle, 'spec.sha256'), hash);
    if (!paused) {
      try {
        await this.#launch(m);
      } catch (e) {
        this.#machines.delete(id);
        throw e;
      }
    }
    return this.#result(m);
  }

  /** Takes over a container an earlier agent run started. */
  #adopt(m: Machine, st: ContainerState): void {
    m.pid = st.pid;
    m.startTime = readStat(st.pid)?.startTime;
    m.startedAt = Date.now();
    m.limits = readLimits(st.pid, this.#o.cgroupRoot);
    m.memoryDir = m.limits.memoryDir;
    m.ooms = (m.memoryDir && oomKills(m.memoryDir)) || 0;
    this.#log.info({ id: m.spec.id, pid: st.pid, status: st.status }, 'adopted a running container');
  }

  /** create → limits read back (refused when they do not hold) → start. */
  async #launch(m: Machine): Promise<void> {
    const id = m.spec.id;
    await this.runc.delete(id);
    await this.runc.create(id, this.bundle(id), this.logFile(id));
    const st = await this.runc.state(id);
    if (!st || !st.pid) throw new RuntimeError('command-failed', `runc create ${id} left no container`);
    const limits = readLimits(st.pid, this.#o.cgroupRoot);
    const problems = limitProblems(limits, m.spec.memory, m.spec.cpu * CPU_PERIOD_US, CPU_PERIOD_US);
    if (problems.length) {
      await this.runc.delete(id);
      const reason = `the machine's limits did not apply, so it was not started: ${problems.join('; ')}`;
      this.#log.error({ id, problems }, reason);
      throw new RuntimeError('limits-not-applied', reason);
    }
    await this.runc.start(id);
    m.pid = st.pid;
    m.startTime = readStat(st.pid)?.startTime;
    m.startedAt = Date.now();
    m.limits = limits;
    m.memoryDir = limits.memoryDir;
    m.ooms = (m.memoryDir && oomKills(m.memoryDir)) || 0;
    this.#log.info({ id, pid: st.pid, cgroup: limits.cgroup, memory: limits.memory, cpuQuotaUs: limits.cpuQuotaUs }, 'container started');
  }

  #result(m: Machine): { pid?: number; [k: string]: unknown } {
    return {
      ...(m.pid !== undefined ? { pid: m.pid } : {}),
      runtime: this.name,
      addresses: { node_local: m.address, ...m.addresses },
      log: this.logFile(m.spec.id),
      ...(m.limits
        ? {
            cgroup: m.limits.cgroup,
            limits: { memory: m.limits.memory, cpu_quota_us: m.limits.cpuQuotaUs, cpu_period_us: m.limits.cpuPeriodUs },
          }
        : {}),
    };
  }

  stop(id: string): Promise<void> {
    const m = this.#machines.get(id);
    if (!m) return Promise.resolve();
    return this.#exclusive(id, async () => {
      await this.#halt(m);
      await unmountRootfs(this.bundle(id));
      this.#machines.delete(id);
    });
  }

  pause(id: string): Promise<void> {
    const m = this.#machine(id);
    return this.#exclusive(id, () => this.#pause(m));
  }

  resume(id: string): Promise<void> {
    const m = this.#machine(id);
    return this.#exclusive(id, () => this.#resume(m));
  }

  async #pause(m: Machine): Promise<void> {
    m.paused = true;
    const st = await this.runc.state(m.spec.id);
    if (st?.status === 'running') await this.runc.pause(m.spec.id);
  }

  /** Thaws it, or starts it when nothing runs (recovered paused, or it exited while paused). */
  async #resume(m: Machine): Promise<void> {
    m.paused = false;
    const st = await this.runc.state(m.spec.id);
    if (st?.status === 'paused') await this.runc.resume(m.spec.id);
    else if (st?.status !== 'running' && m.wanted && !m.timer) await this.#launch(m);
  }

  remove(id: string): Promise<void> {
    checkId(id);
    return this.#exclusive(id, async () => {
      const m = this.#machines.get(id);
      if (m) await this.#halt(m);
      else {
        await this.runc.kill(id, 'KILL');
        await this.runc.delete(id);
      }
      this.#machines.delete(id);
      await removeRootfs(this.bundle(id));
      await this.network.detach(id, machineKey(this.#o.dataDir, id));
      rmSync(this.bundle(id), { recursive: true, force: true });
      removeEmptyCgroups(RUNC_CGROUP_ROOT, `tfgrid/${this.#instance}`);
      this.#pruneImages();
    });
  }

  /** Images no machine of this runtime runs or is starting on leave the cache. */
  #pruneImages(): void {
    const specs = [...[...this.#machines.values()].map((m) => m.spec), ...this.#starting];
    try {
      this.#o.images.prune?.(specs.flatMap((s) => (s.image ? [s.image.sha256] : [])));
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, 'unused images not removed');
    }
  }

  status(id: string): 'running' | 'paused' | 'stopped' | 'unknown' {
    const m = this.#machines.get(id);
    if (!m) return 'unknown';
    if (m.paused && m.wanted) return 'paused';
    return m.pid !== undefined && isAlive(m.pid, m.startTime) ? 'running' : 'stopped';
  }

  /** Restarts and OOM kills so far (diagnostics and tests). */
  info(id: string): { pid?: number; restarts: number; ooms: number; limits?: AppliedLimits } | undefined {
    const m = this.#machines.get(id);
    if (!m) return undefined;
    return {
      ...(m.pid !== undefined ? { pid: m.pid } : {}),
      restarts: m.restarts,
      ooms: m.ooms,
      ...(m.limits ? { limits: m.limits } : {}),
    };
  }

  async prune(keep: ReadonlySet<string>): Promise<string[]> {
    const ids = new Set<string>([...(await this.runc.list()).map((c) => c.id), ...this.network.ids()]);
    for (const d of readdirSync(this.#machinesDir())) ids.add(d);
    const gone = [...ids].filter((id) => ID.test(id) && !keep.has(id) && !this.#machines.has(id));
    for (const id of gone) {
      this.#log.warn({ id }, 'removing a machine left by a deleted workload');
      await this.remove(id).catch((e: unknown) => this.#log.error({ id, err: (e as Error).message }, 'leftover not removed'));
    }
    return gone;
  }

  async close(): Promise<void> {
    clearInterval(this.#interval);
    await Promise.all([...this.#machines.keys()].map((id) => this.stop(id)));
    removeEmptyCgroups(RUNC_CGROUP_ROOT, `tfgrid/${this.#instance}`);
  }

  // ---- internals ----

  /** Stops the container (TERM, then KILL after the grace period) and forgets it in runc; nothing restarts it. */
  async #halt(m: Machine): Promise<void> {
    m.wanted = false;
    if (m.timer) clearTimeout(m.timer);
    m.timer = undefined;
    await this.runc.stop(m.spec.id, this.#o.stopGraceMs);
    m.pid = undefined;
  }

  #watch(): void {
    for (const m of this.#machines.values()) {
      this.#rotate(m.spec.id);
      if (!m.wanted || m.pid === undefined) continue;
      const ooms = m.memoryDir ? oomKills(m.memoryDir) : undefined;
      if (ooms !== undefined && ooms > m.ooms) {
        m.ooms = ooms;
        this.#emit(
          m,
          'oom',
          `out of memory: the kernel killed a process of this machine at its ${formatBytes(m.spec.memory)} limit (${ooms} OOM kill${ooms > 1 ? 's' : ''} so far)`,
        );
      }
      if (!isAlive(m.pid, m.startTime)) this.#onExit(m);
    }
  }

  #onExit(m: Machine): void {
    const ranMs = Date.now() - m.startedAt;
    m.pid = undefined;
    m.attempt = ranMs >= this.#o.stableAfterMs ? 1 : m.attempt + 1;
    const delay = backoffDelay(m.attempt, this.#o.restartMinMs, this.#o.restartMaxMs);
    this.#emit(
      m,
      'exited',
      `the machine's command exited after ${Math.round(ranMs / 1000)} s; restarting in ${Math.round(delay / 1000)} s (restart ${m.restarts + 1})`,
    );
    m.timer = setTimeout(() => {
      m.timer = undefined;
      void this.#exclusive(m.spec.id, async () => {
        if (!m.wanted || m.paused || this.#machines.get(m.spec.id) !== m) return;
        m.restarts++;
        await this.#launch(m);
      }).catch((e: unknown) => {
        this.#emit(m, 'restart-failed', `restart failed: ${(e as Error).message}`);
        if (m.wanted && m.pid === undefined) this.#onExit(m);
      });
    }, delay);
    m.timer.unref();
  }

  #emit(m: Machine, kind: RuntimeEvent['kind'], message: string): void {
    this.#log.warn({ id: m.spec.id, kind }, message);
    const e: RuntimeEvent = { id: m.spec.id, kind, message, at: Date.now() };
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'runtime event listener threw');
      }
    }
  }

  #rotate(id: string): void {
    const file = this.logFile(id);
    try {
      rotateLog(file, this.#o.logMaxBytes);
    } catch (e) {
      this.#log.warn({ id, err: (e as Error).message }, 'log rotation failed');
    }
  }

  #exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const m = this.#machines.get(id);
    if (!m) return fn();
    const p = m.queue.then(fn, fn);
    m.queue = p.catch(() => undefined);
    return p;
  }

  #machine(id: string): Machine {
    const m = this.#machines.get(id);
    if (!m) throw new RuntimeError('invalid-spec', `no machine '${id}' in the runc runtime`);
    return m;
  }

  #machinesDir(): string {
    return path.join(this.#o.dataDir, 'machines');
  }
}

function checkId(id: string): void {
  if (!ID.test(id)) throw new RuntimeError('invalid-spec', `invalid runtime id '${id}'`);
}
