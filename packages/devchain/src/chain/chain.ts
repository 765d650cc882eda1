/**
 * The dev chain: one author, no forks. It owns the head state, the pool and block production
 * (instant or interval sealing), finalises blocks a little after inclusion, persists each block
 * atomically and answers the RPC layer's questions (ChainApi).
 */
import { availableParallelism } from 'node:os';
import { decodeAddress } from '@polkadot/util-crypto';
import type { Logger } from 'pino';
import { SignatureVerifier, type SignatureKind } from '../crypto/verifier';
import { pallets } from '../pallets';
import { readAccount } from '../pallets/system';
import { Now } from '../pallets/timestamp';
import { Executive, InvalidTransaction, type ChainIdentity } from '../runtime/executive';
import { CODE_KEY, nextLayout, RuntimeLayoutError, useVariant, variantOf, variantOfCode, type RuntimeVariant } from '../runtime/variant';
import { runtimeVersionJson, version } from '../runtime/version';
import { fromHex, isHex, keyOf, preview, toHex, type Hex } from '../util/hex';
import type { ChainApi, ChainEvents, HeaderJson, RuntimeChange, RuntimeUpgradeResult, RuntimeVersionJson, SignedBlockJson, TxStatus } from './api';
import { buildBlock, type BuiltBlock } from './block-builder';
import { headerJson, stateRootOf } from './header';
import { callRuntimeApi, queryInfoJson, type RuntimeApiHost } from './runtime-api';
import { decodeSubmitted, invalidTransaction } from './tx-errors';
import { authorOf, buildGenesis, type ChainSpec } from './genesis';
import { MemoryState } from '../state/overlay';
import { TxPool } from './pool';
import type { BlockStore } from '../state/store';
import { ChainError } from './error';

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

interface HeadInfo {
  number: number;
  hash: Uint8Array;
  hex: Hex;
  header: Uint8Array;
  stateRoot: Uint8Array;
}

const RETAINED_HASHES = 4096;
/** dev_* block production hands the event loop back this often, so other clients are served */
const BLOCKS_PER_YIELD = 50;
/** dev_* calls waiting behind the running one before further ones are refused as busy */
const MAX_QUEUED_DEV_CALLS = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Chain implements ChainApi {
  readonly name: string;
  readonly chainType: ChainSpec['chainType'];
  readonly properties: Record<string, unknown>;
  readonly genesisHash: Hex;

  readonly #opts: ChainOptions;
  readonly #store: BlockStore;
  readonly #log: Logger;
  readonly #executive = new Executive(pallets);
  readonly #state: MemoryState;
  readonly #pool: TxPool;
  readonly #identity: ChainIdentity;
  readonly #author: Uint8Array;
  readonly #hashes = new Map<number, Uint8Array>();
  readonly #numbers = new Map<Hex, number>();
  readonly #watchers = new Map<Hex, Set<(s: TxStatus) => void>>();
  readonly #listeners: { [E in keyof ChainEvents]: Set<ChainEvents[E]> } = { newHead: new Set(), finalized: new Set() };
  readonly #pendingFinality: { number: number; at: number }[] = [];
  readonly #verifier: SignatureVerifier;
  /** The runtime the head state's `:code` names: it builds the next block and checks transactions. */
  #variant: RuntimeVariant;
  #head: HeadInfo;
  #finalized: { number: number; hex: Hex };
  #clockOffset = 0;
  #extrinsicsTotal = 0;
  #buildScheduled = false;
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;
  /** dev_* calls run one after another: a time travel must not interleave with another's blocks */
  #devTail: Promise<unknown> = Promise.resolve();
  #devQueued = 0;

  private constructor(opts: ChainOptions, state: MemoryState, head: HeadInfo, genesisHash: Uint8Array) {
    this.#opts = opts;
    this.#store = opts.store;
    this.#log = opts.logger.child({ module: 'chain' });
    this.name = opts.spec.name;
    this.chainType = opts.spec.chainType;
    this.properties = opts.spec.properties;
    this.genesisHash = toHex(genesisHash);
    this.#state = state;
    this.#head = head;
    this.#finalized = { number: head.number, hex: head.hex };
    this.#pool = new TxPool(opts.poolLimit ?? 20_000);
    this.#variant = variantOfCode(state.get(CODE_KEY));
    this.#identity = { specVersion: this.#variant.version.spec_version, transactionVersion: version.transaction_version, genesisHash };
    this.#author = authorOf(opts.spec);
    this.#verifier = new SignatureVerifier(opts.verifierThreads ?? Math.min(2, availableParallelism()));
  }

  /** Opens the chain: a new genesis, or the persisted chain continued from its last complete block. */
  static async open(opts: ChainOptions): Promise<Chain> {
    const genesis = buildGenesis(opts.spec, { specVersion: version.spec_version, specName: version.spec_name });
    const store = opts.store;
    const stored = await store.getMeta('genesis');
    let chain: Chain;
    if (stored) {
      if (keyOf(stored) !== keyOf(genesis.hash)) {
        throw new Error(`the database was created with another chain spec (genesis 0x${keyOf(stored)}, this spec gives ${toHex(genesis.hash)})`);
      }
      const n = (await store.headNumber()) ?? 0;
      const block = await store.blockByNumber(n);
      if (!block) throw new Error(`the database has no block ${n} although its head points there`);
      const state = new MemoryState();
      await store.loadState(state, n);
      const head: HeadInfo = { number: n, hash: fromHex(block.hash), hex: block.hash as Hex, header: block.header, stateRoot: stateRootOf(block.header) };
      chain = new Chain(opts, state, head, genesis.hash);
      for (let i = Math.max(0, n - RETAINED_HASHES); i <= n; i++) {
        const b = i === n ? block : await store.blockByNumber(i);
        if (b) chain.#remember(i, fromHex(b.hash));
      }
      chain.#log.info({ head: n, hash: head.hex }, 'resumed the persisted chain');
    } else {
      const head: HeadInfo = { number: 0, hash: genesis.hash, hex: toHex(genesis.hash), header: genesis.header, stateRoot: genesis.stateRoot };
      chain = new Chain(opts, genesis.state, head, genesis.hash);
      chain.#remember(0, genesis.hash);
      const changes = new Map<string, Uint8Array | null>([...genesis.state.entries()]);
      await store.commitBlock({ number: 0, hash: head.hex, header: genesis.header, extrinsics: [] }, changes, { genesis: genesis.hash });
      await store.setFinalized(0);
      chain.#log.info({ genesis: head.hex }, 'created genesis');
    }
    chain.#startTimers();
    return chain;
  }

  #startTimers(): void {
    const finality = setInterval(() => this.#finalizeDue(), 20);
    finality.unref();
    this.#timers.push(finality);
    if (this.#opts.blockTimeMs) {
      const sealer = setInterval(() => this.#produce(), this.#opts.blockTimeMs);
      this.#timers.push(sealer);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#verifier.close();
    await this.#store.flushed();
  }

  #remember(n: number, hash: Uint8Array): void {
    this.#hashes.set(n, hash);
    this.#numbers.set(toHex(hash), n);
    const old = n - RETAINED_HASHES;
    const oldHash = this.#hashes.get(old);
    if (oldHash) {
      this.#hashes.delete(old);
      this.#numbers.delete(toHex(oldHash));
    }
  }

  // ---- block production ----

  #now(): bigint {
    const prev = Now.read(this.#state);
    const wall = BigInt(Date.now() + this.#clockOffset);
    return wall > prev ? wall : prev + 1n;
  }

  #scheduleBuild(): void {
    if (this.#buildScheduled || this.#opts.blockTimeMs || this.#stopped) return;
    this.#buildScheduled = true;
    setImmediate(() => {
      this.#buildScheduled = false;
      this.#produce();
    });
  }

  /** Builds, imports and announces one block. Synchronous: nothing else touches the head meanwhile. */
  #produce(opts: { timestamp?: bigint; storageChanges?: [string, Uint8Array | null][]; quiet?: boolean; codeUpdated?: boolean } = {}): BuiltBlock {
    useVariant(this.#variant);
    const { ready, stale } = this.#pool.ready((who) => readAccount(this.#state, who).nonce);
    for (const e of stale) this.#drop(e.hash, 'invalid');
    const built = buildBlock({
      executive: this.#executive,
      base: this.#state,
      parent: { number: this.#head.number, hash: this.#head.hash, stateRoot: this.#head.stateRoot },
      env: { timestamp: opts.timestamp ?? this.#now(), author: this.#author },
      identity: this.#identity,
      blockHash: (n) => this.#hashes.get(n),
      candidates: ready,
      storageChanges: opts.storageChanges,
      runtimeVersion: { specName: this.#variant.version.spec_name, specVersion: this.#variant.version.spec_version },
      codeUpdated: opts.codeUpdated,
    });
    this.#state.apply(built.changes);
    const hex = toHex(built.hash);
    this.#head = { number: built.number, hash: built.hash, hex, header: built.header, stateRoot: built.stateRoot };
    this.#remember(built.number, built.hash);
    this.#store
      .commitBlock({ number: built.number, hash: hex, header: built.header, extrinsics: built.extrinsics }, built.changes)
      .catch((e) => this.#log.error({ err: e, number: built.number }, 'could not persist block'));
    for (const c of built.included) this.#notify(toHex(c.x.hash), { inBlock: hex }, false);
    for (const { candidate, reason } of built.invalid) {
      this.#log.debug({ tx: toHex(candidate.x.hash), reason }, 'dropped an invalid transaction');
      this.#drop(toHex(candidate.x.hash), 'invalid');
    }
    for (const c of built.included) this.#pool.remove(toHex(c.x.hash));
    this.#pendingFinality.push({ number: built.number, at: Date.now() + (this.#opts.finalityDelayMs ?? 250) });
    this.#included.set(built.number, built.included.map((c) => toHex(c.x.hash)));
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

  readonly #included = new Map<number, Hex[]>();

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
    void this.#store.setFinalized(this.#finalized.number);
    const header = this.#finalized.number === this.#head.number ? headerJson(this.#head.header) : undefined;
    const emit = (h: HeaderJson): void => {
      for (const l of this.#listeners.finalized) l(h, this.#finalized.hex);
    };
    if (header) emit(header);
    else void this.header(this.#finalized.hex).then((h) => h && emit(h));
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
    return { best: this.#head.number, finalized: this.#finalized.number, poolSize: this.#pool.size, extrinsicsTotal: this.#extrinsicsTotal, stateKeys: this.#state.size };
  }

  // ---- ChainApi: blocks ----

  bestNumber(): number {
    return this.#head.number;
  }

  bestHash(): Hex {
    return this.#head.hex;
  }

  finalizedHash(): Hex {
    return this.#finalized.hex;
  }

  finalizedNumber(): number {
    return this.#finalized.number;
  }

  async blockHash(n?: number): Promise<Hex | null> {
    if (n === undefined) return this.#head.hex;
    if (n > this.#head.number || n < 0) return null;
    const h = this.#hashes.get(n);
    if (h) return toHex(h);
    await this.#store.flushed();
    const b = await this.#store.blockByNumber(n);
    return b ? (b.hash as Hex) : null;
  }

  async #numberOf(hash: Hex): Promise<number | undefined> {
    const lower = hash.toLowerCase() as Hex;
    const n = this.#numbers.get(lower);
    if (n !== undefined) return n;
    await this.#store.flushed();
    return this.#store.numberOfHash(lower);
  }

  async #blockAt(hash?: Hex): Promise<{ header: Uint8Array; extrinsics: Uint8Array[]; number: number } | null> {
    const n = hash === undefined ? this.#head.number : await this.#numberOf(hash);
    if (n === undefined) return null;
    await this.#store.flushed();
    const b = await this.#store.blockByNumber(n);
    return b ? { header: b.header, extrinsics: b.extrinsics, number: n } : null;
  }

  async header(hash?: Hex): Promise<HeaderJson | null> {
    if (hash === undefined || hash.toLowerCase() === this.#head.hex) return headerJson(this.#head.header);
    const b = await this.#blockAt(hash);
    return b ? headerJson(b.header) : null;
  }

  async block(hash?: Hex): Promise<SignedBlockJson | null> {
    const b = await this.#blockAt(hash);
    if (!b) return null;
    return { block: { header: headerJson(b.header), extrinsics: b.extrinsics.map(toHex) }, justifications: null };
  }

  // ---- ChainApi: state ----

  async runtimeVersion(at?: Hex): Promise<RuntimeVersionJson> {
    return runtimeVersionJson((await this.#variantAt(await this.#at(at))).version);
  }

  async metadata(at?: Hex): Promise<Hex> {
    return toHex((await this.#variantAt(await this.#at(at))).metadata.v14);
  }

  /** The runtime block n's state names in `:code`. */
  async #variantAt(n: number): Promise<RuntimeVariant> {
    if (n === this.#head.number) return this.#variant;
    return variantOfCode(await this.#value(CODE_KEY, n));
  }

  /** The block number a query refers to; throws UnknownBlock for hashes this node does not hold. */
  async #at(at?: Hex): Promise<number> {
    if (at === undefined) return this.#head.number;
    const n = await this.#numberOf(at);
    if (n === undefined) throw new ChainError('UnknownBlock', `Header was not found in the database: ${at}`);
    return n;
  }

  async #value(key: string, n: number): Promise<Uint8Array | undefined> {
    if (n === this.#head.number) return this.#state.get(key);
    await this.#store.flushed();
    return this.#store.valueAt(key, n);
  }

  async storage(key: Hex, at?: Hex): Promise<Hex | null> {
    const n = await this.#at(at);
    const v = await this.#value(key.slice(2).toLowerCase(), n);
    return v ? toHex(v) : null;
  }

  async storageKeys(prefix: Hex, at?: Hex, count?: number, startKey?: Hex): Promise<Hex[]> {
    const n = await this.#at(at);
    const p = prefix.slice(2).toLowerCase();
    const start = startKey?.slice(2).toLowerCase();
    let keys: string[];
    if (n === this.#head.number) {
      keys = this.#state.keys(p);
      if (start) keys = keys.filter((k) => k > start);
      if (count !== undefined) keys = keys.slice(0, count);
    } else {
      await this.#store.flushed();
      keys = await this.#store.keysAt(p, n, count, start);
    }
    return keys.map((k) => `0x${k}` as Hex);
  }

  async call(method: string, data: Hex, at?: Hex): Promise<Hex> {
    const n = await this.#at(at);
    const v = await this.#variantAt(n);
    const host: RuntimeApiHost = { executive: this.#executive, metadata: v.metadata, version: v.version, valueAt: (key, at) => this.#value(key, at) };
    // Inputs (extrinsics) are decoded synchronously from here on, with the runtime of block n.
    useVariant(v);
    return toHex(await callRuntimeApi(host, method, fromHex(data), n));
  }

  async queryInfo(extrinsic: Hex, at?: Hex): Promise<unknown> {
    await this.#at(at);
    useVariant(this.#variant);
    return queryInfoJson(this.#executive, fromHex(extrinsic));
  }

  async accountNextIndex(address: string): Promise<number> {
    let who: Uint8Array;
    try {
      who = isHex(address) && address.length === 66 ? fromHex(address) : decodeAddress(address);
    } catch {
      throw new ChainError('InvalidParams', `${preview(address)} is not an SS58 address or 32-byte hex account`);
    }
    return this.#pool.nextNonce(who, readAccount(this.#state, who).nonce);
  }

  // ---- ChainApi: transactions ----

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
      const payload = this.#executive.signedPayload(x, this.#head.number + 1, this.#identity, blockHash);
      const sig = x.signed!.signature;
      if (!(await this.#verifier.verify(sig.type as SignatureKind, sig.value as Uint8Array, payload, x.signed!.signer))) throw new InvalidTransaction('BadProof');
      // The state may have moved on while the signature was checked: validate against the head now.
      if (this.#pool.has(hash)) throw new ChainError('AlreadyImported', 'the transaction is already in the pool');
      useVariant(this.#variant);
      v = this.#executive.validate(this.#state, x, this.#head.number + 1, this.#identity, blockHash);
    } catch (e) {
      if (e instanceof InvalidTransaction) throw invalidTransaction(e.reason);
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
    const accountNonce = readAccount(this.#state, v.signer).nonce;
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

  // ---- dev_* ----

  /** Runs a dev_* call after the ones before it; refuses it when too many already wait. */
  #devCall<T>(work: () => Promise<T>): Promise<T> {
    if (this.#devQueued >= MAX_QUEUED_DEV_CALLS) {
      return Promise.reject(new ChainError('Busy', `at most ${MAX_QUEUED_DEV_CALLS} dev_* calls may wait at once`));
    }
    this.#devQueued++;
    const run = this.#devTail.then(work);
    this.#devTail = run.then(
      () => this.#devQueued--,
      () => this.#devQueued--,
    );
    return run;
  }

  /**
   * Seals `count` blocks. Only the last is announced as the new best (as a node importing many
   * blocks at once does), so subscribers get one notification, and the loop yields every
   * BLOCKS_PER_YIELD blocks so other clients are served meanwhile.
   */
  newBlock(opts: { count?: number } = {}): Promise<Hex> {
    const count = opts.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 100_000) return Promise.reject(new ChainError('InvalidParams', 'count must be an integer from 1 to 100000'));
    return this.#devCall(async () => {
      for (let i = 1; i <= count && !this.#stopped; i++) {
        this.#produce({ quiet: i < count });
        if (i % BLOCKS_PER_YIELD === 0 && i < count) await yieldToEventLoop();
      }
      return this.#head.hex;
    });
  }

  setStorage(changes: [Hex, Hex | null][]): Promise<Hex> {
    const raw = changes.map(([k, v]) => [k.slice(2).toLowerCase(), v === null ? null : fromHex(v)] as [string, Uint8Array | null]);
    // The runtime a block runs is the one :code names: only an upgrade may change it.
    if (raw.some(([k]) => k === CODE_KEY)) return Promise.reject(new ChainError('InvalidParams', ':code is changed by dev_setRuntime, not dev_setStorage'));
    return this.#devCall(async () => {
      this.#produce({ storageChanges: raw });
      return this.#head.hex;
    });
  }

  /**
   * A runtime upgrade as a real chain goes through one: a block, still executed by the old
   * runtime, sets `:code` and records System.CodeUpdated; the next block is the new runtime's
   * first (it records System.LastRuntimeUpgrade). From then on the metadata served, the version
   * and the pallet indices of calls, events and errors are the new runtime's; blocks before keep theirs.
   */
  setRuntime(change: RuntimeChange): Promise<RuntimeUpgradeResult> {
    return this.#devCall(async () => {
      let next: RuntimeVariant;
      try {
        next = variantOf(nextLayout(this.#variant.layout, change));
      } catch (e) {
        if (e instanceof RuntimeLayoutError) throw new ChainError('InvalidParams', e.message);
        throw e;
      }
      const code = this.#produce({ storageChanges: [[CODE_KEY, next.code]], codeUpdated: true });
      this.#variant = next;
      this.#identity.specVersion = next.version.spec_version;
      const first = this.#produce();
      this.#log.info({ specVersion: next.layout.specVersion, pallets: next.layout.pallets, block: first.number }, 'runtime upgraded');
      return {
        specVersion: next.layout.specVersion,
        pallets: { ...next.layout.pallets },
        codeBlock: { number: code.number, hash: toHex(code.hash) },
        firstBlock: { number: first.number, hash: toHex(first.hash) },
      };
    });
  }

  /**
   * Moves the chain's clock forward: to an absolute time (ms or date string), or by
   * `{seconds}` / `{blocks}`. The blocks in between are produced, 6 s apart, so time-based
   * rules see the chain advance as it would have.
   */
  timeTravel(to: number | string | { blocks?: number; seconds?: number }): Promise<{ number: number; timestamp: number }> {
    return this.#devCall(() => this.#travel(to));
  }

  async #travel(to: number | string | { blocks?: number; seconds?: number }): Promise<{ number: number; timestamp: number }> {
    const now = Number(Now.read(this.#state));
    let target: number;
    let blocks: number;
    if (typeof to === 'object') {
      blocks = to.blocks ?? Math.floor((to.seconds ?? 0) / 6);
      target = now + (to.seconds !== undefined ? to.seconds * 1000 : blocks * 6000);
    } else {
      target = typeof to === 'number' ? to : Date.parse(to);
      if (!Number.isFinite(target)) throw new ChainError('InvalidParams', `${String(to)} is not a time`);
      blocks = Math.floor((target - now) / 6000);
    }
    if (target < now) throw new ChainError('InvalidParams', `the chain cannot travel back in time (now ${new Date(now).toISOString()})`);
    if (blocks > 1_000_000) throw new ChainError('InvalidParams', 'at most 1000000 blocks at a time');
    for (let i = 1; i < blocks && !this.#stopped; i++) {
      this.#produce({ timestamp: BigInt(now + i * 6000), quiet: true });
      // Other clients are served during long travels.
      if (i % BLOCKS_PER_YIELD === 0) await yieldToEventLoop();
    }
    this.#clockOffset = target - Date.now();
    this.#produce({ timestamp: BigInt(target) });
    return { number: this.#head.number, timestamp: target };
  }
}
