/**
 * The contract follower: reads finalized events from a persisted cursor and keeps this node's
 * workloads in the state its contracts ask for — provision on create/update (deployment fetched
 * from the notary and verified), refuse with a reason, pause in grace, resume after, remove on
 * cancel — and records a rent contract. It reconciles with ActiveNodeContracts at start and every
 * interval, so a missed event never leaves a workload behind. One serial queue owns the state:
 * events and reconciliations never interleave.
 */
import type { Logger } from 'pino';
import { events, finalizedNumber, type ChainEvent, type EventCursor, type TfchainClient } from '@tfgrid/client';
import { raceAbort, retry } from '../core/backoff';
import type { AgentMetrics } from '../core/metrics';
import { contractEvent, type ContractEvent } from './events';
import { Ledger, type LedgerEntry, type RentInfo } from './ledger';
import type { ProvisionerPort } from '../core/provisioner-port';
import { ContractSync } from './sync';
import type { AnswerSink } from '../answers/publisher';

export interface FollowerOptions {
  client: TfchainClient;
  nodeId: number;
  /** The node's identity seed: opens sealed deployments. Never logged. */
  nodeSeed: () => Uint8Array;
  provisioner: ProvisionerPort;
  dataDir: string;
  logger: Logger;
  metrics?: AgentMetrics;
  reconcileIntervalMs: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** How often the events stream looks for new blocks without a head notification. */
  pollMs?: number;
  /** Where the node's answers go (told which deployment each contract's states answer). */
  answers?: AnswerSink;
}

export type EventListener = (e: ChainEvent) => void | Promise<void>;
export type ContractEventListener = (ce: ContractEvent, e: ChainEvent) => void | Promise<void>;

export interface FollowerStatus {
  running: boolean;
  cursor: EventCursor | null;
  processedBlock?: number;
  finalizedHead?: number;
  rent: RentInfo | null;
  contracts: Record<number, LedgerEntry>;
  reconciliations: number;
}

/**
 * A cursor that covers nothing of this node's is written at most this often: replaying a minute
 * of other nodes' events after a crash is harmless, an fsync per block on an idle node is not.
 */
const IDLE_SAVE_MS = 60_000;

export class ContractFollower {
  readonly #o: FollowerOptions;
  readonly #log: Logger;
  readonly #ledger: Ledger;
  readonly #sync: ContractSync;
  readonly #listeners = new Set<EventListener>();
  readonly #contractListeners = new Set<ContractEventListener>();
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #serial: Promise<unknown> = Promise.resolve();
  #unsubHeads: (() => void) | undefined;
  #processed: number | undefined;
  #head: number | undefined;
  #lastSave = 0;
  #unsaved = false;
  #reconciliations = 0;
  #running = false;

  constructor(o: FollowerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'contracts' });
    this.#ledger = Ledger.load(o.dataDir);
    this.#sync = new ContractSync({ ...o, log: this.#log, ledger: this.#ledger, signal: () => this.#abort.signal });
  }

  /** Every finalized event, awaited before the cursor moves past it (at-least-once). */
  onEvent(l: EventListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Every finalized SmartContractModule contract event, of all contracts (the gateway follows name contracts). */
  onContractEvent(l: ContractEventListener): () => void {
    this.#contractListeners.add(l);
    return () => this.#contractListeners.delete(l);
  }

  /** The renter twin when a rent contract dedicates this node, else null. */
  renter(): number | null {
    return this.#ledger.rent?.twinId ?? null;
  }

  /** Finalized head minus the last handled block. */
  eventLag(): number | undefined {
    if (this.#head === undefined || this.#processed === undefined) return undefined;
    return Math.max(0, this.#head - this.#processed);
  }

  /** Reconciles, then follows events from the saved cursor (first boot: from the current finalized head). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    const { api } = this.#o.client;
    const signal = this.#abort.signal;
    // Taken before the first reconciliation, so no event between the two is lost (a replay is idempotent).
    let from: number | EventCursor;
    try {
      from = this.#ledger.cursor ?? (await this.#chainRetry(() => finalizedNumber(api), signal)) + 1;
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
    if (this.#ledger.cursor) this.#processed = this.#ledger.cursor.blockNumber;
    this.#unsubHeads = await api.rpc.chain
      .subscribeFinalizedHeads((h) => {
        this.#head = h.number.toNumber();
      })
      .then((u) => u as unknown as () => void)
      .catch(() => undefined);
    await this.reconcile().catch((e: unknown) => {
      if (!signal.aborted) this.#log.warn({ err: (e as Error).message }, 'reconciliation failed');
    });
    if (signal.aborted) return; // stopped while reconciling: start nothing that stop() would miss
    this.#loop = this.#follow(from, signal);
    this.#timer = setInterval(() => {
      this.reconcile().catch((e: unknown) => {
        if (!this.#abort.signal.aborted) this.#log.warn({ err: (e as Error).message }, 'reconciliation failed');
      });
    }, this.#o.reconcileIntervalMs);
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#timer);
    this.#abort.abort(new Error('follower stopping'));
    this.#unsubHeads?.();
    await this.#loop;
    await this.#serial.catch(() => undefined);
    if (this.#unsaved) this.#ledger.save();
  }

  /** Brings the node in line with ActiveNodeContracts and the contracts' states (also run at start and every interval). */
  reconcile(): Promise<void> {
    return this.#serially(async () => {
      await this.#chainRetry(() => this.#sync.reconcile(), this.#abort.signal);
      this.#reconciliations++;
      this.#ledger.save();
      this.#unsaved = false;
    });
  }

  status(): FollowerStatus {
    const contracts: Record<number, LedgerEntry> = {};
    for (const id of this.#ledger.ids()) contracts[id] = { ...this.#ledger.entry(id)! };
    return {
      running: this.#running,
      cursor: this.#ledger.cursor,
      ...(this.#processed !== undefined ? { processedBlock: this.#processed } : {}),
      ...(this.#head !== undefined ? { finalizedHead: this.#head } : {}),
      rent: this.#ledger.rent,
      contracts,
      reconciliations: this.#reconciliations,
    };
  }

  async #follow(from: number | EventCursor, signal: AbortSignal): Promise<void> {
    const stream = events(this.#o.client.api, {
      from,
      signal,
      ...(this.#o.pollMs ? { pollMs: this.#o.pollMs } : {}),
      onError: (e) => this.#log.warn({ err: (e as Error).message }, 'events stream retrying'),
    });
    try {
      for await (const e of stream) {
        await this.#serially(() => this.#handle(e));
        if (signal.aborted) break;
      }
    } catch (e) {
      if (!signal.aborted) this.#log.error({ err: (e as Error).message }, 'events stream ended');
    } finally {
      await stream.close().catch(() => undefined);
    }
  }

  async #handle(e: ChainEvent): Promise<void> {
    const signal = this.#abort.signal;
    if (signal.aborted) return; // not handled: the cursor stays before it
    for (const l of this.#listeners) await this.#call(() => l(e), e);
    const ce = contractEvent(e);
    let changed = false;
    if (ce) {
      for (const l of this.#contractListeners) await this.#call(() => l(ce, e), e);
      changed = await this.#chainRetry(() => this.#sync.onEvent(ce), signal);
    }
    if (signal.aborted) return;
    this.#ledger.cursor = e.cursor;
    this.#processed = e.blockNumber;
    if (this.#head === undefined || this.#head < e.blockNumber) this.#head = e.blockNumber;
    // Effects are persisted (by the provisioner) before the cursor that covers them.
    if (changed || Date.now() - this.#lastSave >= IDLE_SAVE_MS) {
      this.#ledger.save();
      this.#lastSave = Date.now();
      this.#unsaved = false;
    } else this.#unsaved = true;
  }

  /** A listener's failure is logged, never blocks the node's own contracts. */
  async #call(fn: () => void | Promise<void>, e: ChainEvent): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.#log.warn({ err: (err as Error).message, event: e.name, block: e.blockNumber }, 'event listener failed');
    }
  }

  /** Chain reads fail while the chain is away: retried with backoff until they pass or the follower stops. */
  #chainRetry<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return retry(() => raceAbort(fn(), signal), {
      signal,
      minMs: this.#o.retryMinMs ?? 1000,
      maxMs: this.#o.retryMaxMs ?? 60_000,
      onError: (e, attempt, delayMs) =>
        this.#log.warn({ err: (e as Error).message, attempt, retryInMs: delayMs }, 'chain read failed, retrying'),
    });
  }

  #serially<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#serial.then(fn);
    this.#serial = p.catch(() => undefined);
    return p;
  }
}
