/**
 * The finalized events stream: every event of every finalized block, in order, exactly once,
 * across reconnects and chain restarts. Blocks are fetched by number up to the finalized head
 * (the finalized-heads subscription may skip blocks, so it only says "look again").
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import { blockEvents, finalizedNumber } from './decode';
import type { ChainEvent, EventCursor, EventsOptions } from './types';
import { Waker } from './waker';

export type EventSource = ApiPromise | { url: string };

export interface EventStream extends AsyncIterableIterator<ChainEvent> {
  /** The last event delivered (null before the first). */
  readonly cursor: EventCursor | null;
  /** Stops the stream (same as `return()`). */
  close(): Promise<void>;
}

/** Finalized events from `source`, resuming after `opts.from` when it is a cursor. */
export function events(source: EventSource, opts: EventsOptions = {}): EventStream {
  return new FinalizedEvents(source, opts);
}

class FinalizedEvents implements EventStream {
  #source: EventSource;
  #opts: EventsOptions;
  #abort = new AbortController();
  #gen: AsyncGenerator<ChainEvent, void, undefined>;
  #cursor: EventCursor | null = null;
  // Set by a head notification, cleared before each look at the head: none is ever missed.
  #headSeen = false;
  readonly #waker = new Waker();

  constructor(source: EventSource, opts: EventsOptions) {
    this.#source = source;
    this.#opts = opts;
    if (typeof opts.from === 'object') this.#cursor = { ...opts.from };
    this.#gen = this.#run();
    if (opts.signal?.aborted) this.#abort.abort();
    else opts.signal?.addEventListener('abort', () => void this.close(), { once: true });
  }

  get cursor(): EventCursor | null {
    return this.#cursor ? { ...this.#cursor } : null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ChainEvent>> {
    return this.#gen.next();
  }

  async return(): Promise<IteratorResult<ChainEvent>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    // Abort first: a pending next() waiting for a block resolves done, then return() runs finally.
    this.#abort.abort();
    this.#waker.wake();
    await this.#gen.return();
  }

  get #stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  async *#run(): AsyncGenerator<ChainEvent, void, undefined> {
    const owned = !(this.#source instanceof ApiPromise);
    const api =
      this.#source instanceof ApiPromise ? this.#source : new ApiPromise({ provider: new WsProvider(this.#source.url), noInitWarn: true });
    let unsubHeads: (() => void) | undefined;
    try {
      await Promise.race([api.isReady, this.#aborted()]);
      if (this.#stopped) return;
      const genesis = api.genesisHash.toHex();
      const retryMs = this.#opts.retryMs ?? 250;
      let backoff = retryMs;
      // `next`: the block to read; `skipThrough`: events of `next` already delivered.
      let next = -1;
      let skipThrough = -1;
      while (!this.#stopped) {
        try {
          unsubHeads ??= await api.rpc.chain.subscribeFinalizedHeads(() => this.#notify());
          if (next < 0) [next, skipThrough] = await this.#start(api);
          this.#headSeen = false;
          const head = await finalizedNumber(api);
          while (next <= head && !this.#stopped) {
            const hash = (await api.rpc.chain.getBlockHash(next)).toHex();
            for (const e of await blockEvents(api, next, hash)) {
              if (e.eventIndex <= skipThrough) continue;
              this.#cursor = e.cursor;
              skipThrough = e.eventIndex;
              yield e;
              if (this.#stopped) return;
            }
            next++;
            skipThrough = -1;
          }
          backoff = retryMs;
          await this.#idle(this.#opts.pollMs ?? 2000);
        } catch (err) {
          if (this.#stopped) return;
          this.#opts.onError?.(err);
          await this.#sleep(backoff);
          // While the socket is down every call fails at once: wait for the provider's reconnect.
          if (!api.isConnected) await this.#connected(api);
          if (this.#stopped) return;
          backoff = Math.min(backoff * 2, this.#opts.maxRetryMs ?? 5000);
          // Resuming on another chain would silently mix two histories.
          const g = await api.rpc.chain.getBlockHash(0).then(
            (h) => h.toHex(),
            () => genesis,
          );
          // eslint-disable-next-line preserve-caught-error -- not caused by the caught error: the check after the retry found another chain
          if (g !== genesis) throw new Error(`the chain behind the endpoint changed (genesis ${g}, was ${genesis})`);
        }
      }
    } finally {
      unsubHeads?.();
      if (owned) await api.disconnect().catch(() => undefined);
    }
  }

  /** Where to begin: [first block, events of it to skip through]. */
  async #start(api: ApiPromise): Promise<[number, number]> {
    const from = this.#opts.from;
    // The genesis block has no events (genesis building stores none) and no parent runtime to decode with.
    if (typeof from === 'number') return [Math.max(from, 1), -1];
    if (from) return [from.blockNumber, from.eventIndex];
    return [(await finalizedNumber(api)) + 1, -1];
  }

  #notify(): void {
    this.#headSeen = true;
    this.#waker.wake();
  }

  /** Until a new finalized head is announced, `ms` pass, or the stream stops. */
  #idle(ms: number): Promise<void> {
    if (this.#headSeen) return Promise.resolve();
    return this.#sleep(ms);
  }

  #sleep(ms: number): Promise<void> {
    return this.#waker.sleep(ms, this.#stopped);
  }

  #connected(api: ApiPromise): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        api.off('connected', done);
        this.#abort.signal.removeEventListener('abort', done);
        resolve();
      };
      api.on('connected', done);
      this.#abort.signal.addEventListener('abort', done, { once: true });
      if (api.isConnected || this.#stopped) done();
    });
  }

  #aborted(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped) resolve();
      else this.#abort.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
