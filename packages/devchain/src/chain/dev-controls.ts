/** The dev_* controls: seal blocks on demand, write storage, upgrade the runtime, move the clock. */
import { Now } from '../pallets/timestamp';
import { CODE_KEY, nextLayout, RuntimeLayoutError, variantOf, type RuntimeVariant } from '../runtime/variant';
import { fromHex, toHex, type Hex } from '../util/hex';
import type { RuntimeChange, RuntimeUpgradeResult } from './api';
import { ChainError } from './error';
import type { BlockProducer } from './producer';

/** dev_* block production hands the event loop back this often, so other clients are served */
const BLOCKS_PER_YIELD = 50;
/** dev_* calls waiting behind the running one before further ones are refused as busy */
const MAX_QUEUED_DEV_CALLS = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class DevControls {
  /** dev_* calls run one after another: a time travel must not interleave with another's blocks */
  #devTail: Promise<unknown> = Promise.resolve();
  #devQueued = 0;

  constructor(readonly producer: BlockProducer) {}

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
    if (!Number.isInteger(count) || count < 1 || count > 100_000)
      return Promise.reject(new ChainError('InvalidParams', 'count must be an integer from 1 to 100000'));
    return this.#devCall(async () => {
      for (let i = 1; i <= count && !this.producer.stopped; i++) {
        this.producer.produce({ quiet: i < count });
        if (i % BLOCKS_PER_YIELD === 0 && i < count) await yieldToEventLoop();
      }
      return this.producer.head.hex;
    });
  }

  setStorage(changes: [Hex, Hex | null][]): Promise<Hex> {
    const raw = changes.map(([k, v]) => [k.slice(2).toLowerCase(), v === null ? null : fromHex(v)] as [string, Uint8Array | null]);
    // The runtime a block runs is the one :code names: only an upgrade may change it.
    if (raw.some(([k]) => k === CODE_KEY))
      return Promise.reject(new ChainError('InvalidParams', ':code is changed by dev_setRuntime, not dev_setStorage'));
    return this.#devCall(async () => {
      this.producer.produce({ storageChanges: raw });
      return this.producer.head.hex;
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
        next = variantOf(nextLayout(this.producer.variant.layout, change));
      } catch (e) {
        if (e instanceof RuntimeLayoutError) throw new ChainError('InvalidParams', e.message);
        throw e;
      }
      const code = this.producer.produce({ storageChanges: [[CODE_KEY, next.code]], codeUpdated: true });
      this.producer.switchRuntime(next);
      const first = this.producer.produce();
      this.producer.log.info(
        { specVersion: next.layout.specVersion, pallets: next.layout.pallets, block: first.number },
        'runtime upgraded',
      );
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
    const now = Number(Now.read(this.producer.state));
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
    for (let i = 1; i < blocks && !this.producer.stopped; i++) {
      this.producer.produce({ timestamp: BigInt(now + i * 6000), quiet: true });
      // Other clients are served during long travels.
      if (i % BLOCKS_PER_YIELD === 0) await yieldToEventLoop();
    }
    this.producer.setClockOffset(target - Date.now());
    this.producer.produce({ timestamp: BigInt(target) });
    return { number: this.producer.head.number, timestamp: target };
  }
}
