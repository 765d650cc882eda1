/**
 * Block production of the dev chain: one author, no forks. It owns the head state and the pool,
 * seals blocks (instant or interval sealing), finalises them a little after inclusion, persists
 * each block atomically and tells watchers and listeners what happened.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { SignatureVerifier, type SignatureKind } from '../crypto/verifier';
import { pallets } from '../runtime/pallets';
import { readAccount } from '../pallets/system';
import { Now } from '../pallets/timestamp';
import { Executive, InvalidTransaction, type ChainIdentity } from '../runtime/executive';
import { CODE_KEY, useVariant, variantOfCode, type RuntimeVariant } from '../runtime/variant';
import { version } from '../runtime/version';
import type { MemoryState } from '../state/overlay';
import type { BlockStore } from '../state/store';
import { fromHex, isHex, toHex, type Hex } from '../util/hex';
import type { ChainEvents, HeaderJson, TxStatus } from './api';
import { buildBlock, type BuiltBlock } from './block-builder';
import { ChainError } from './error';
import { authorOf, type ChainSpec } from './genesis';
import { headerJson } from './header';
import { TxPool } from './pool';
import { decodeSubmitted, invalidTransaction } from './tx-errors';

export interface ChainOptions {
  spec: ChainSpec;
  store: BlockStore;
  logger: Logger;
  /** Interval sealing in ms; undefined: instant sealing (a block as soon as a transaction is ready). */
  blockTimeMs?: number;
  /** Delay between inclusion and finality (clients need InBlock before Finalized). */
  finalityDelayMs?: number;
  poolLimit?: number;
  /** Worker threads that verify signatures (0: on the main thread). Default: min(2, cores). */
  verifierThreads?: number;
}

export interface HeadInfo {
  number: number;
  hash: Uint8Array;
  hex: Hex;
  header: Uint8Array;
  stateRoot: Uint8Array;
}

export interface ProduceOptions {
  timestamp?: bigint;
  storageChanges?: [string, Uint8Array | null][];
  /** Not announced as the new best (all but the last of a run of blocks). */
  quiet?: boolean;
  codeUpdated?: boolean;
}

export const RETAINED_HASHES = 4096;

export class BlockProducer {
  readonly store: BlockStore;
  readonly executive = new Executive(pallets);
  readonly state: MemoryState;
  readonly #opts: ChainOptions;
  readonly #log: Logger;
  readonly #pool: TxPool;
  readonly #identity: ChainIdentity;
  readonly #author: Uint8Array;
  readonly #hashes = new Map<number, Uint8Array>();
  readonly #numbers = new Map<Hex, number>();
  readonly #watchers = new Map<Hex, Set<(s: TxStatus) => void>>();
  readonly #listeners: { [E in keyof ChainEvents]: Set<ChainEvents[E]> } = { newHead: new Set(), finalized: new Set() };
  readonly #pendingFinality: { number: number; at: number }[] = [];
  readonly #included = new Map<number, Hex[]>();
  readonly #verifier: SignatureVerifier;

  #variant: RuntimeVariant;
  #head: HeadInfo;
  #finalized: { number: number; hex: Hex };
  #clockOffset = 0;
  #extrinsicsTotal = 0;
  #buildScheduled = false;
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(opts: ChainOptions, state: MemoryState, head: HeadInfo, genesisHash: Uint8Array) {
    this.#opts = opts;
    this.store = opts.store;
    this.#log = opts.logger.child({ module: 'chain' });
    this.state = state;
    this.#head = head;
    this.#finalized = { number: head.number, hex: head.hex };
    this.#pool = new TxPool(opts.poolLimit ?? 20_000);
    this.#variant = variantOfCode(state.get(CODE_KEY));
    this.#identity = { specVersion: this.#variant.version.spec_version, transactionVersion: version.transaction_version, genesisHash };
    this.#author = authorOf(opts.spec);
    this.#verifier = new SignatureVerifier(opts.verifierThreads ?? Math.min(2, availableParallelism()));
  }

  get log(): Logger {
    return this.#log;
  }

  get head(): HeadInfo {
    return this.#head;
  }

  get finalized(): { number: number; hex: Hex } {
    return this.#finalized;
  }

  /** The runtime the head state's `:code` names. */
  get variant(): RuntimeVariant {
    return this.#variant;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  startTimers(): void {
    const finality = setInterval(() => this.#finalizeDue(), 20);
    finality.unref();
    this.#timers.push(finality);
    if (this.#opts.blockTimeMs) {
      const sealer = setInterval(() => this.produce(), this.#opts.blockTimeMs);
      this.#timers.push(sealer);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#verifier.close();
    await this.store.flushed();
  }

  remember(n: number, hash: Uint8Array): void {
    this.#hashes.set(n, hash);
    this.#numbers.set(toHex(hash), n);
    const old = n - RETAINED_HASHES;
    const oldHash = this.#hashes.get(old);
    if (oldHash) {
      this.#hashes.delete(old);
      this.#numbers.delete(toHex(oldHash));
    }
  }

  /** The hash of a recent block (the last RETAINED_HASHES), else undefined. */
  recentHash(n: number): Uint8Array | undefined {
    return this.#hashes.get(n);
  }

  /** A block's number by its hash, from the recent blocks or the store. */
  async numberOf(hash: Hex): Promise<number | undefined> {
    const lower = hash.toLowerCase() as Hex;
    const n = this.#numbers.get(lower);
    if (n !== undefined) return n;
    await this.store.flushed();
    return this.store.numberOfHash(lower);
  }

  async blockAt(hash?: Hex): Promise<{ header: Uint8Array; extrinsics: Uint8Array[]; number: number } | null> {
    const n = hash === undefined ? this.#head.number : await this.numberOf(hash);
    if (n === undefined) return null;
    await this.store.flushed();
    const b = await this.store.blockByNumber(n);
    return b ? { header: b.header, extrinsics: b.extrinsics, number: n } : null;
  }

  /** From the next block on, the chain runs `next` (the block setting `:code` has been sealed). */
  switchRuntime(next: RuntimeVariant): void {
    this.#variant = next;
    this.#identity.specVersion = next.version.spec_version;
  }

  /** Moves the wall clock the chain stamps blocks with (a time travel's target stays "now"). */
  setClockOffset(ms: number): void {
    this.#clockOffset = ms;
  }

  #now(): bigint {
    const prev = Now.read(this.state);
    const wall = BigInt(Date.now() + this.#clockOffset);
    return wall > prev ? wall : prev + 1n;
  }

  #scheduleBuild(): void {
    if (this.#buildScheduled || this.#opts.blockTimeMs || this.#stopped) return;
    this.#buildScheduled = true;
    setImmediate(() => {
      this.#buildScheduled = false;
      this.produce();
    });
  }

  /** Builds, imports and announces one block. Synchronous: nothing else touches the head meanwhile. */
  produce(opts: ProduceOptions = {}): BuiltBlock {
    useVariant(this.#variant);
    const { ready, stale } = this.#pool.ready((who) => readAccount(this.state, who).nonce);
    for (const e of stale) this.#drop(e.hash, 'invalid');
    const built = buildBlock({
      executive: this.executive,
      base: this.state,
      parent: { number: this.#head.number, hash: this.#head.hash, stateRoot: this.#head.stateRoot },
      env: { timestamp: opts.timestamp ?? this.#now(), author: this.#author },
      identity: this.#identity,
      blockHash: (n) => this.#hashes.get(n),
      candidates: ready,
      storageChanges: opts.storageChanges,
      runtimeVersion: { specName: this.#variant.version.spec_name, specVersion: this.#variant.version.spec_version },
      codeUpdated: opts.codeUpdated,
    });
    this.state.apply(built.changes);
    const hex = toHex(built.hash);
    this.#head = { number: built.number, hash: built.hash, hex, header: built.header, stateRoot: built.stateRoot };
    this.remember(built.number, built.hash);
    this.store
      .commitBlock({ number: built.number, hash: hex, header: built.header, extrinsics: built.extrinsics }, built.changes)
      .catch((e) => this.#log.error({ err: e, number: built.number }, 'could not persist block'));
    for (const c of built.included) this.#notify(toHex(c.x.hash), { inBlock: hex }, false);
    for (const { candidate, reason } of built.invalid) {
      this.#log.debug({ tx: toHex(candidate.x.hash), reason }, 'dropped an invalid transaction');
      this.#drop(toHex(candidate.x.hash), 'invalid');
    }
    for (const c of built.included) this.#pool.remove(toHex(c.x.hash));
    this.#pendingFinality.push({ number: built.number, at: Date.now() + (this.#opts.finalityDelayMs ?? 250) });
    this.#included.set(
      built.number,
      built.included.map((c) => toHex(c.x.hash)),
    );
    this.#extrinsicsTotal += built.extrinsics.length;
    // A node importing many blocks at once announces only the last one as its new best.
    if (!opts.quiet) {
      const header = headerJson(built.header);
      for (const l of this.#listeners.newHead) l(header, hex);
    }
    this.#log.debug({ number: built.number, hash: hex, txs: built.included.length }, 'sealed block');
    // Transactions left ready (block full) go into the next block.
    if (this.#pool.size > 0 && built.included.length > 0) this.#scheduleBuild();
    return built;
  }

  #finalizeDue(): void {
    const now = Date.now();
    let last: { number: number } | undefined;
    while (this.#pendingFinality.length && this.#pendingFinality[0]!.at <= now) last = this.#pendingFinality.shift();
    if (!last) return;
    for (let n = this.#finalized.number + 1; n <= last.number; n++) {
      const hash = this.#hashes.get(n);
      if (!hash) continue;
      const hex = toHex(hash);
      this.#finalized = { number: n, hex };
      for (const tx of this.#included.get(n) ?? []) this.#notify(tx, { finalized: hex }, true);
      this.#included.delete(n);
    }
    void this.store.setFinalized(this.#finalized.number);
    const emit = (h: HeaderJson): void => {
      for (const l of this.#listeners.finalized) l(h, this.#finalized.hex);
    };
    if (this.#finalized.number === this.#head.number) emit(headerJson(this.#head.header));
    else void this.blockAt(this.#finalized.hex).then((b) => b && emit(headerJson(b.header)));
  }

  #notify(tx: Hex, status: TxStatus, final: boolean): void {
    const ws = this.#watchers.get(tx);
    if (!ws) return;
    for (const w of ws) w(status);
    if (final) this.#watchers.delete(tx);
  }

  #drop(tx: Hex, status: 'invalid' | 'dropped'): void {
    this.#pool.remove(tx);
    this.#notify(tx, status, true);
  }

  /** Figures for /metrics. */
  stats(): { best: number; finalized: number; poolSize: number; extrinsicsTotal: number; stateKeys: number } {
    return {
      best: this.#head.number,
      finalized: this.#finalized.number,
      poolSize: this.#pool.size,
      extrinsicsTotal: this.#extrinsicsTotal,
      stateKeys: this.state.size,
    };
  }

  // ---- transactions ----

  /** The nonce an account's next transaction takes: after its state nonce and its pooled ones. */
  nextNonce(who: Uint8Array): number {
    return this.#pool.nextNonce(who, readAccount(this.state, who).nonce);
  }

  async submit(extrinsic: Hex): Promise<Hex> {
    return (await this.#accept(extrinsic)).hash;
  }

  async submitAndWatch(extrinsic: Hex, onStatus: (s: TxStatus) => void): Promise<{ hash: Hex; unwatch(): void }> {
    const { hash, status } = await this.#accept(extrinsic, onStatus);
    queueMicrotask(() => onStatus(status));
    return {
      hash,
      unwatch: () => {
        this.#watchers.get(hash)?.delete(onStatus);
      },
    };
  }

  async #accept(extrinsic: Hex, watcher?: (s: TxStatus) => void): Promise<{ hash: Hex; status: TxStatus }> {
    if (!isHex(extrinsic)) throw new ChainError('InvalidParams', 'extrinsic must be 0x-prefixed hex');
    useVariant(this.#variant);
    const x = decodeSubmitted(fromHex(extrinsic));
    const hash = toHex(x.hash);
    if (this.#pool.has(hash)) throw new ChainError('AlreadyImported', 'the transaction is already in the pool');
    const blockHash = (n: number): Uint8Array | undefined => this.#hashes.get(n);
    let v;
    try {
      const payload = this.executive.signedPayload(x, this.#head.number + 1, this.#identity, blockHash);
      const sig = x.signature!.signature;
      if (!(await this.#verifier.verify(sig.type as SignatureKind, sig.value as Uint8Array, payload, x.signer!)))
        throw new InvalidTransaction('BadProof');
      // The state may have moved on while the signature was checked: validate against the head now.
      if (this.#pool.has(hash)) throw new ChainError('AlreadyImported', 'the transaction is already in the pool');
      useVariant(this.#variant);
      v = this.executive.validate(this.state, x, this.#head.number + 1, this.#identity, blockHash);
    } catch (e) {
      if (e instanceof InvalidTransaction) throw invalidTransaction(e.code);
      throw e;
    }
    const old = this.#pool.occupant(v.signer, v.nonce);
    if (old && old.v.priority >= v.priority) {
      throw new ChainError('PriorityTooLow', `(${old.v.priority} vs ${v.priority})`);
    }
    if (!old && this.#pool.size >= this.#pool.limit) {
      throw new ChainError('ImmediatelyDropped', 'the pool is full');
    }
    if (old) this.#notify(old.hash, { usurped: hash }, true);
    this.#pool.add({ x, v });
    if (watcher) {
      let ws = this.#watchers.get(hash);
      if (!ws) this.#watchers.set(hash, (ws = new Set()));
      ws.add(watcher);
    }
    const accountNonce = readAccount(this.state, v.signer).nonce;
    const ready = this.#pool.isReady(v.signer, v.nonce, accountNonce);
    if (ready) this.#scheduleBuild();
    return { hash, status: ready ? 'ready' : 'future' };
  }

  pendingExtrinsics(): Hex[] {
    return this.#pool.all().map((e) => toHex(e.x.bytes));
  }

  on<E extends keyof ChainEvents>(event: E, listener: ChainEvents[E]): () => void {
    const set = this.#listeners[event] as Set<ChainEvents[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }
}
