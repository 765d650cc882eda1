/**
 * The Provisioner: the one owner of workload state. The contract follower tells it what a contract
 * needs (apply, refuse, pause, resume, remove); it admits capacity, drives the handler of each
 * workload type, persists every state and reports changes. Operations run one at a time through a
 * serial queue, so states and capacity never race. It never throws for a workload's failure: the
 * failure becomes that workload's `error` state with the reason in words.
 *
 * Crash safety: before a handler provisions anything, the workload's state is saved as `error`
 * ("interrupted"); only a completed provision saves `ok`. So after a crash an `ok` on disk always
 * means "was fully up" (recover() brings it back) and a half-done provision is cleaned up.
 */
import type { Logger } from 'pino';
import { isMachine, type Workload } from '@tfgrid/client';
import type { Disk } from '../hardware/disks';
import { describeShortfalls, shortfalls, subFloor, sum, zero } from '../core/capacity';
import { live, planDeployment, rank } from './plan';
import { StoragePools, type PoolSpec } from './pools';
import { HandlerRegistry } from './registry';
import { StateStore, type ContractRecord } from './state-store';
import type {
  Capacity,
  ContractDeployment,
  HandlerContext,
  Runtime,
  RuntimeEvent,
  WorkloadHandler,
  WorkloadState,
  WorkloadStateName,
} from '../core/workload-types';
import { VolumeHandler } from './volume';
import { ZmountHandler } from './zmount';
import { runtimeId, ZmachineHandler, type InterfaceSupport } from './zmachine';

export interface ProvisionerOptions {
  dataDir: string;
  /** From measure(): totals, what the system keeps, and the disks (their measured kinds type the pools). */
  hardware: { total: Capacity; reserved: Capacity; disks?: Disk[] };
  storagePools: PoolSpec[];
  runtime: Runtime;
  /** More handlers (gateway-name-proxy); may also be added later with register(). */
  handlers?: WorkloadHandler[];
  /** What the runtime's networking gives machines (private networks, public IPs, planetary); none: node-local only. */
  interfaces?: InterfaceSupport;
  logger: Logger;
}

export interface ChangeEvent {
  contractId: number;
  states: WorkloadState[];
  used: Capacity;
}
export type ChangeListener = (e: ChangeEvent) => void;

/** Name of the pseudo-workload that carries a contract-level refusal (no workload name can take it). */
export const DEPLOYMENT_STATE = '(deployment)';
export const INTERRUPTED = 'provisioning was interrupted (the agent stopped before it finished)';
/** A provision cut short again when retried at start: not retried until a new version (no crash loop). */
export const INTERRUPTED_TWICE =
  'provisioning was interrupted twice (the agent stopped before it finished); retried only for a new version';
/** A provision under way is recorded in error with one of these (code → reason) first, so an agent dying in it leaves no ok state. */
const INTERRUPTED_REASONS = { INTERRUPTED, INTERRUPTED_TWICE } as const;

export class Provisioner {
  readonly registry: HandlerRegistry;
  readonly pools: StoragePools;
  readonly #o: ProvisionerOptions;
  readonly #log: Logger;
  readonly #store: StateStore;
  readonly #records = new Map<number, ContractRecord>();
  readonly #listeners = new Set<ChangeListener>();
  #queue: Promise<unknown> = Promise.resolve();
  #opened = false;

  constructor(o: ProvisionerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'provisioner' });
    this.#store = new StateStore(o.dataDir, this.#log);
    this.pools = new StoragePools(o.storagePools, o.hardware.disks);
    // Storage of unknown kind counts as SRU if the node has any, else HRU. A vm's root filesystem
    // lives with the workloads' storage: the pools, else the data directory.
    const fallback = o.hardware.total.sru > 0 ? 'sru' : 'hru';
    const storage = (o.storagePools.length ? this.pools : new StoragePools([o.dataDir], o.hardware.disks)).resource(fallback);
    this.registry = new HandlerRegistry([
      new VolumeHandler(this.pools, o.logger, this.pools.resource(fallback)),
      new ZmountHandler(this.pools, o.logger, this.pools.resource(fallback)),
      new ZmachineHandler(o.runtime, () => storage, 'zmachine', o.interfaces),
      new ZmachineHandler(o.runtime, () => storage, 'vm', o.interfaces),
      ...(o.handlers ?? []),
    ]);
    o.runtime.onEvent?.((e) => void this.#runtimeEvent(e));
  }

  register(h: WorkloadHandler): void {
    this.registry.register(h);
  }

  /** Loads the persisted states (runs nothing: recover() does). */
  async open(): Promise<void> {
    this.#records.clear();
    for (const r of this.#store.loadAll()) this.#records.set(r.contractId, r);
    this.#opened = true;
    this.#log.info({ contracts: this.#records.size, live: this.contracts().length }, 'workload states loaded');
  }

  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- reads (synchronous, from memory) ----

  states(contractId?: number): WorkloadState[] {
    const recs =
      contractId === undefined ? [...this.#records.values()] : [this.#records.get(contractId)].filter((r): r is ContractRecord => !!r);
    return recs.flatMap((r) => r.states.map((s) => structuredClone(s)));
  }

  /** Contracts holding anything not deleted (live workloads, errors, a refusal): what remove() still has to clear. */
  contracts(): number[] {
    return [...this.#records.values()]
      .filter((r) => r.states.some((s) => s.state !== 'deleted'))
      .map((r) => r.contractId)
      .sort((a, b) => a - b);
  }

  used(contractId: number): Capacity {
    return sum((this.#records.get(contractId)?.states ?? []).filter(live).map((s) => s.used));
  }

  usedTotal(): Capacity {
    return sum([...this.#records.values()].flatMap((r) => r.states.filter(live).map((s) => s.used)));
  }

  /** total − reserved − used, never negative. */
  free(): Capacity {
    return subFloor(subFloor(this.#o.hardware.total, this.#o.hardware.reserved), this.usedTotal());
  }

  /** Workloads per state name (for metrics). */
  counts(): Record<WorkloadStateName, number> {
    const c: Record<WorkloadStateName, number> = { ok: 0, error: 0, paused: 0, deleted: 0 };
    for (const r of this.#records.values()) for (const s of r.states) c[s.state]++;
    return c;
  }

  // ---- operations (serialised) ----

  /** Makes the contract's workloads match the deployment. Never rejects for a workload's failure. */
  apply(cd: ContractDeployment): Promise<WorkloadState[]> {
    return this.#serial(async () => {
      await this.#apply(cd);
      return this.states(cd.contractId);
    });
  }

  /** Records why the contract's deployment was not accepted (running workloads of an earlier version stay). */
  refuse(contractId: number, reason: string): Promise<void> {
    return this.#serial(async () => {
      const rec = this.#record(contractId);
      this.#put(rec, {
        contractId,
        name: DEPLOYMENT_STATE,
        type: 'deployment',
        version: 0,
        state: 'error',
        reason,
        used: zero(),
        updatedAt: Date.now(),
      });
      this.#log.warn({ contractId, reason }, 'deployment refused');
      this.#commit(rec);
    });
  }

  pause(contractId: number): Promise<void> {
    return this.#each(
      contractId,
      'ok',
      async (h, s) => {
        await h.pause(s);
        return { state: 'paused' };
      },
      'pause failed',
    );
  }

  resume(contractId: number): Promise<void> {
    return this.#each(
      contractId,
      'paused',
      async (h, s) => {
        await h.resume(s);
        return { state: 'ok' };
      },
      'resume failed',
    );
  }

  /** Deprovisions everything of the contract: states `deleted`, capacity freed, deployment dropped. */
  remove(contractId: number, reason = 'contract removed'): Promise<void> {
    return this.#serial(async () => {
      const rec = this.#records.get(contractId);
      if (!rec) return;
      for (const s of [...rec.states].sort((a, b) => rank(b.type) - rank(a.type)))
        if (s.state !== 'deleted') await this.#deprovision(rec, s, reason);
      delete rec.deployment;
      this.#commit(rec);
    });
  }

  /** Drops everything known about the contract (after remove), including its state file. */
  forget(contractId: number): Promise<void> {
    return this.#serial(async () => {
      const rec = this.#records.get(contractId);
      if (rec?.states.some(live)) throw new Error(`contract ${contractId} still has live workloads: remove it first`);
      this.#records.delete(contractId);
      this.#store.delete(contractId);
    });
  }

  /**
   * After a restart: every ok workload is brought back, paused ones stay paused; a provision the
   * agent died in is retried once (a second interruption leaves it in error, cleaned up).
   */
  recover(): Promise<void> {
    return this.#serial(async () => {
      for (const rec of this.#records.values()) {
        let changed = false;
        for (const s of [...rec.states].sort((a, b) => rank(a.type) - rank(b.type))) {
          if (s.state === 'error' && s.code === 'INTERRUPTED') {
            await this.#retry(rec, s);
            changed = true;
          } else if (s.state === 'error' && s.code === 'INTERRUPTED_TWICE') {
            await this.#cleanup(s); // idempotent: whatever the cut-short retry left
            const { result: _gone, ...rest } = s;
            this.#put(rec, rest);
            changed = true;
          } else if (live(s)) {
            changed = (await this.#bringBack(rec, s)) || changed;
          }
        }
        if (changed) this.#commit(rec);
      }
      // Machines of workloads deleted while the agent was down (or never recorded) are removed.
      const keep = new Set(
        [...this.#records.values()].flatMap((r) =>
          r.states.filter((s) => live(s) && isMachine(s.type)).map((s) => runtimeId(s.contractId, s.name)),
        ),
      );
      const pruned = (await this.#o.runtime.prune?.(keep)) ?? [];
      const c = this.counts();
      this.#log.info({ ok: c.ok, paused: c.paused, error: c.error, pruned: pruned.length }, 'workloads recovered');
    });
  }

  /** Agent shutdown: stops what runs (states kept, so recover() brings it back) and closes the runtime. */
  stop(): Promise<void> {
    return this.#serial(async () => {
      for (const rec of this.#records.values())
        for (const s of rec.states.filter(live)) {
          const h = this.registry.get(s.type);
          await h
            ?.stop?.(s)
            .catch((e: unknown) => this.#log.warn({ contractId: s.contractId, name: s.name, err: (e as Error).message }, 'stop failed'));
        }
      await this.#o.runtime.close();
    });
  }

  // ---- internals ----

  /** A running machine's news (OOM kill, exit, failed restart) becomes its workload's reason; it stays ok while the runtime restarts it. */
  #runtimeEvent(e: RuntimeEvent): Promise<void> {
    if (!this.#opened) return Promise.resolve();
    return this.#serial(async () => {
      const m = /^(\d+)-(.+)$/.exec(e.id);
      const rec = m ? this.#records.get(Number(m[1])) : undefined;
      const s = rec?.states.find((x) => x.name === m![2] && isMachine(x.type) && live(x));
      if (!rec || !s) return;
      this.#put(rec, { ...s, reason: e.message, updatedAt: e.at });
      this.#commit(rec);
    }).catch((err: unknown) => this.#log.warn({ id: e.id, err: (err as Error).message }, 'runtime event not recorded'));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    // Before open() the persisted states are not known: writing a contract's file would clobber them.
    if (!this.#opened) return Promise.reject(new Error('the provisioner is not open: call open() first'));
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => undefined);
    return p;
  }

  #record(contractId: number): ContractRecord {
    let rec = this.#records.get(contractId);
    if (!rec) this.#records.set(contractId, (rec = { contractId, states: [] }));
    return rec;
  }

  #put(rec: ContractRecord, s: WorkloadState): void {
    const i = rec.states.findIndex((x) => x.name === s.name);
    if (i >= 0) rec.states[i] = s;
    else rec.states.push(s);
  }

  /** Persists the record, then tells the listeners. */
  #commit(rec: ContractRecord): void {
    this.#store.save(rec);
    const e: ChangeEvent = { contractId: rec.contractId, states: this.states(rec.contractId), used: this.used(rec.contractId) };
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch (err) {
        this.#log.error({ err: (err as Error).message }, 'change listener threw');
      }
    }
  }

  #ctx(rec: ContractRecord): HandlerContext {
    return {
      contractId: rec.contractId,
      twinId: rec.twinId ?? 0,
      workload: (name) => rec.deployment?.workloads.find((w) => w.name === name),
      result: (name) => {
        const s = rec.states.find((x) => x.name === name);
        return live(s) ? s.result : undefined;
      },
      publicIps: () => rec.publicIps ?? [],
    };
  }

  async #apply(cd: ContractDeployment): Promise<void> {
    const rec = this.#record(cd.contractId);
    Object.assign(rec, {
      twinId: cd.twinId,
      hash: cd.hash,
      deployment: cd.deployment,
      ...(cd.publicIps ? { publicIps: cd.publicIps } : {}),
    });
    rec.states = rec.states.filter((s) => s.name !== DEPLOYMENT_STATE); // this deployment was verified
    const wanted = new Map((Array.isArray(cd.deployment.workloads) ? cd.deployment.workloads : []).map((w) => [w.name, w]));
    for (const s of [...rec.states].sort((a, b) => rank(b.type) - rank(a.type))) {
      const w = wanted.get(s.name);
      if (s.state !== 'deleted' && (!w || w.type !== s.type))
        await this.#deprovision(rec, s, w ? `type changed to ${w.type}` : 'removed from the deployment');
    }
    const plan = await planDeployment(rec.states, cd.deployment, this.registry, this.#ctx(rec), (st) => st.code === 'INTERRUPTED_TWICE');
    const { todo } = plan;
    for (const r of plan.refused) this.#refuseStep(rec, r.w, r.previous, r.reason);
    // All or nothing: the deployment's new needs must fit, counting what its updated workloads give back.
    const released = sum(todo.map((t) => t.previous?.used ?? zero()));
    const avail = subFloor(subFloor(this.#o.hardware.total, this.#o.hardware.reserved), subFloor(this.usedTotal(), released));
    const short = shortfalls(sum(todo.map((t) => t.needs)), avail);
    if (short.length) {
      const reason = `not enough free capacity on this node: ${describeShortfalls(short)}`;
      this.#log.warn({ contractId: rec.contractId, reason }, 'deployment does not fit');
      for (const t of todo) this.#refuseStep(rec, t.w, t.previous, reason, 'CAPACITY');
    } else {
      for (const t of todo) await this.#provision(rec, t.w, t.h, t.needs, t.previous);
    }
    this.#commit(rec);
  }

  /** A refused new workload is an error; a refused update leaves the running version alone, with the reason attached. */
  #refuseStep(rec: ContractRecord, w: Workload, previous: WorkloadState | undefined, reason: string, code?: string): void {
    if (previous) this.#put(rec, { ...previous, reason: `update to version ${w.version} refused: ${reason}`, updatedAt: Date.now() });
    else
      this.#put(rec, {
        contractId: rec.contractId,
        name: w.name,
        type: w.type,
        version: w.version,
        state: 'error',
        reason,
        ...(code ? { code } : {}),
        used: zero(),
        updatedAt: Date.now(),
      });
  }

  async #provision(
    rec: ContractRecord,
    w: Workload,
    h: WorkloadHandler,
    needs: Capacity,
    previous: WorkloadState | undefined,
    pendingCode: keyof typeof INTERRUPTED_REASONS = 'INTERRUPTED',
  ): Promise<void> {
    const base = { contractId: rec.contractId, name: w.name, type: w.type, version: w.version };
    const pending: WorkloadState = {
      ...base,
      state: 'error',
      reason: INTERRUPTED_REASONS[pendingCode],
      code: pendingCode,
      used: zero(),
      ...(previous?.result ? { result: previous.result } : {}),
      updatedAt: Date.now(),
    };
    this.#put(rec, pending);
    this.#store.save(rec); // before anything is created: a crash from here on never leaves `ok`
    try {
      const result = await h.provision(w, this.#ctx(rec), previous);
      this.#put(rec, { ...base, state: 'ok', used: needs, result, updatedAt: Date.now() });
      this.#log.info({ contractId: rec.contractId, name: w.name, type: w.type, version: w.version }, 'workload provisioned');
    } catch (e) {
      const reason = (e as Error).message;
      await this.#cleanup(pending);
      this.#put(rec, { ...base, state: 'error', reason, used: zero(), updatedAt: Date.now() });
      this.#log.warn({ contractId: rec.contractId, name: w.name, type: w.type, reason }, 'workload failed');
    }
    this.#store.save(rec);
  }

  /** Retries, at start, a provision the agent died in (capacity admitted again: it held none meanwhile). */
  async #retry(rec: ContractRecord, s: WorkloadState): Promise<void> {
    const w = rec.deployment?.workloads.find((x) => x.name === s.name && x.version === s.version && x.type === s.type);
    const h = this.registry.get(s.type);
    let why: string | undefined;
    let needs = zero();
    if (!w || !h) why = !w ? 'its deployment was not kept' : `no handler for type '${s.type}' on this node`;
    else {
      try {
        needs = h.needs(w);
        const short = shortfalls(needs, this.free());
        if (short.length) why = `not enough free capacity on this node: ${describeShortfalls(short)}`;
      } catch (e) {
        why = `invalid workload: ${(e as Error).message}`;
      }
    }
    if (why || !w || !h) {
      await this.#cleanup(s);
      const { result: _gone, ...rest } = s;
      this.#put(rec, { ...rest, reason: `${INTERRUPTED}; not retried: ${why}`, code: 'INTERRUPTED_NOT_RETRIED', updatedAt: Date.now() });
      return;
    }
    this.#log.info({ contractId: s.contractId, name: s.name }, 'retrying an interrupted provision');
    await this.#provision(rec, w, h, needs, s, 'INTERRUPTED_TWICE');
  }

  /** Brings one live workload back after a restart; true when its state changed. */
  async #bringBack(rec: ContractRecord, s: WorkloadState): Promise<boolean> {
    const w = rec.deployment?.workloads.find((x) => x.name === s.name);
    const h = this.registry.get(s.type);
    const paused = s.state === 'paused';
    try {
      if (!w) throw new Error('its deployment was not kept');
      if (!h) throw new Error(`no handler for type '${s.type}' on this node`);
      const result = await h.provision(w, this.#ctx(rec), s, { paused });
      const next: WorkloadState = { ...s, result, updatedAt: Date.now() };
      if (paused) await h.pause(next);
      this.#put(rec, next);
      return true;
    } catch (e) {
      const reason = `recovery failed: ${(e as Error).message}`;
      await this.#cleanup(s);
      const { result: _gone, ...rest } = s;
      this.#put(rec, { ...rest, state: 'error', reason, code: 'RECOVERY_FAILED', used: zero(), updatedAt: Date.now() });
      this.#log.error({ contractId: s.contractId, name: s.name, reason }, 'workload not recovered');
      return true;
    }
  }

  async #deprovision(rec: ContractRecord, s: WorkloadState, reason: string): Promise<void> {
    let why = reason;
    if (s.name !== DEPLOYMENT_STATE) {
      const h = this.registry.get(s.type);
      try {
        await h?.deprovision(s);
      } catch (e) {
        why = `${reason} (cleanup failed: ${(e as Error).message})`;
        this.#log.error({ contractId: s.contractId, name: s.name, err: (e as Error).message }, 'deprovision failed');
      }
    }
    this.#put(rec, {
      contractId: s.contractId,
      name: s.name,
      type: s.type,
      version: s.version,
      state: 'deleted',
      reason: why,
      used: zero(),
      updatedAt: Date.now(),
    });
    this.#log.info({ contractId: s.contractId, name: s.name, reason: why }, 'workload deleted');
  }

  /** Best-effort teardown of whatever a failed or interrupted provision left. */
  async #cleanup(s: WorkloadState): Promise<void> {
    try {
      await this.registry.get(s.type)?.deprovision(s);
    } catch (e) {
      this.#log.warn({ contractId: s.contractId, name: s.name, err: (e as Error).message }, 'cleanup failed');
    }
  }

  /** Runs `fn` on each workload of the contract in `from` state; a failure is kept as its reason. */
  #each(
    contractId: number,
    from: WorkloadStateName,
    fn: (h: WorkloadHandler, s: WorkloadState) => Promise<Partial<WorkloadState>>,
    what: string,
  ): Promise<void> {
    return this.#serial(async () => {
      const rec = this.#records.get(contractId);
      if (!rec) return;
      for (const s of rec.states.filter((x) => x.state === from)) {
        const h = this.registry.get(s.type);
        try {
          if (!h) throw new Error(`no handler for type '${s.type}'`);
          const { reason: _drop, ...rest } = s;
          this.#put(rec, { ...rest, ...(await fn(h, s)), updatedAt: Date.now() });
        } catch (e) {
          this.#put(rec, { ...s, reason: `${what}: ${(e as Error).message}`, updatedAt: Date.now() });
        }
      }
      this.#commit(rec);
    });
  }
}
