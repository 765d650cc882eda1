/**
 * The dev chain (ChainApi), put together from three parts by job: block production (the head
 * state, the pool, sealing and finality), the read surface the RPC layer queries, and the dev_*
 * controls. Opening it creates the genesis or continues the persisted chain.
 */
import { version } from '../runtime/version';
import { MemoryState } from '../state/overlay';
import { fromHex, keyOf, toHex, type Hex } from '../util/hex';
import type {
  ChainApi,
  ChainEvents,
  HeaderJson,
  RuntimeChange,
  RuntimeUpgradeResult,
  RuntimeVersionJson,
  SignedBlockJson,
  TxStatus,
} from './api';
import { DevControls } from './dev-controls';
import { buildGenesis, type ChainSpec } from './genesis';
import { stateRootOf } from './header';
import { BlockProducer, RETAINED_HASHES, type ChainOptions, type HeadInfo } from './producer';
import { ChainQueries } from './queries';

export type { ChainOptions };

export class Chain implements ChainApi {
  readonly name: string;
  readonly chainType: ChainSpec['chainType'];
  readonly properties: Record<string, unknown>;
  readonly genesisHash: Hex;

  readonly #producer: BlockProducer;
  readonly #queries: ChainQueries;
  readonly #dev: DevControls;

  private constructor(opts: ChainOptions, state: MemoryState, head: HeadInfo, genesisHash: Uint8Array) {
    this.name = opts.spec.name;
    this.chainType = opts.spec.chainType;
    this.properties = opts.spec.properties;
    this.genesisHash = toHex(genesisHash);
    this.#producer = new BlockProducer(opts, state, head, genesisHash);
    this.#queries = new ChainQueries(this.#producer);
    this.#dev = new DevControls(this.#producer);
  }

  /** Opens the chain: a new genesis, or the persisted chain continued from its last complete block. */
  static async open(opts: ChainOptions): Promise<Chain> {
    const genesis = buildGenesis(opts.spec, { specVersion: version.spec_version, specName: version.spec_name });
    const store = opts.store;
    const stored = await store.getMeta('genesis');
    let chain: Chain;
    if (stored) {
      if (keyOf(stored) !== keyOf(genesis.hash)) {
        throw new Error(
          `the database was created with another chain spec (genesis 0x${keyOf(stored)}, this spec gives ${toHex(genesis.hash)})`,
        );
      }
      const n = (await store.headNumber()) ?? 0;
      const block = await store.blockByNumber(n);
      if (!block) throw new Error(`the database has no block ${n} although its head points there`);
      const state = new MemoryState();
      await store.loadState(state, n);
      const head: HeadInfo = {
        number: n,
        hash: fromHex(block.hash),
        hex: block.hash as Hex,
        header: block.header,
        stateRoot: stateRootOf(block.header),
      };
      chain = new Chain(opts, state, head, genesis.hash);
      for (let i = Math.max(0, n - RETAINED_HASHES); i <= n; i++) {
        const b = i === n ? block : await store.blockByNumber(i);
        if (b) chain.#producer.remember(i, fromHex(b.hash));
      }
      chain.#producer.log.info({ head: n, hash: head.hex }, 'resumed the persisted chain');
    } else {
      const head: HeadInfo = {
        number: 0,
        hash: genesis.hash,
        hex: toHex(genesis.hash),
        header: genesis.header,
        stateRoot: genesis.stateRoot,
      };
      chain = new Chain(opts, genesis.state, head, genesis.hash);
      chain.#producer.remember(0, genesis.hash);
      const changes = new Map<string, Uint8Array | null>([...genesis.state.entries()]);
      await store.commitBlock({ number: 0, hash: head.hex, header: genesis.header, extrinsics: [] }, changes, { genesis: genesis.hash });
      await store.setFinalized(0);
      chain.#producer.log.info({ genesis: head.hex }, 'created genesis');
    }
    chain.#producer.startTimers();
    return chain;
  }

  stop(): Promise<void> {
    return this.#producer.stop();
  }

  /** Figures for /metrics. */
  stats(): { best: number; finalized: number; poolSize: number; extrinsicsTotal: number; stateKeys: number } {
    return this.#producer.stats();
  }

  // ---- blocks ----

  bestNumber(): number {
    return this.#producer.head.number;
  }

  bestHash(): Hex {
    return this.#producer.head.hex;
  }

  finalizedHash(): Hex {
    return this.#producer.finalized.hex;
  }

  finalizedNumber(): number {
    return this.#producer.finalized.number;
  }

  blockHash(n?: number): Promise<Hex | null> {
    return this.#queries.blockHash(n);
  }

  header(hash?: Hex): Promise<HeaderJson | null> {
    return this.#queries.header(hash);
  }

  block(hash?: Hex): Promise<SignedBlockJson | null> {
    return this.#queries.block(hash);
  }

  // ---- state ----

  runtimeVersion(at?: Hex): Promise<RuntimeVersionJson> {
    return this.#queries.runtimeVersion(at);
  }

  metadata(at?: Hex): Promise<Hex> {
    return this.#queries.metadata(at);
  }

  storage(key: Hex, at?: Hex): Promise<Hex | null> {
    return this.#queries.storage(key, at);
  }

  storageKeys(prefix: Hex, at?: Hex, count?: number, startKey?: Hex): Promise<Hex[]> {
    return this.#queries.storageKeys(prefix, at, count, startKey);
  }

  call(method: string, data: Hex, at?: Hex): Promise<Hex> {
    return this.#queries.call(method, data, at);
  }

  queryInfo(extrinsic: Hex, at?: Hex): Promise<unknown> {
    return this.#queries.queryInfo(extrinsic, at);
  }

  accountNextIndex(address: string): Promise<number> {
    return this.#queries.accountNextIndex(address);
  }

  // ---- transactions ----

  submit(extrinsic: Hex): Promise<Hex> {
    return this.#producer.submit(extrinsic);
  }

  submitAndWatch(extrinsic: Hex, onStatus: (s: TxStatus) => void): Promise<{ hash: Hex; unwatch(): void }> {
    return this.#producer.submitAndWatch(extrinsic, onStatus);
  }

  pendingExtrinsics(): Hex[] {
    return this.#producer.pendingExtrinsics();
  }

  on<E extends keyof ChainEvents>(event: E, listener: ChainEvents[E]): () => void {
    return this.#producer.on(event, listener);
  }

  // ---- dev_* ----

  newBlock(opts: { count?: number } = {}): Promise<Hex> {
    return this.#dev.newBlock(opts);
  }

  setStorage(changes: [Hex, Hex | null][]): Promise<Hex> {
    return this.#dev.setStorage(changes);
  }

  setRuntime(change: RuntimeChange): Promise<RuntimeUpgradeResult> {
    return this.#dev.setRuntime(change);
  }

  timeTravel(to: number | string | { blocks?: number; seconds?: number }): Promise<{ number: number; timestamp: number }> {
    return this.#dev.timeTravel(to);
  }
}
