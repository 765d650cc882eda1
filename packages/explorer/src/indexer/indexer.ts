/**
 * The indexer: one loop, the only writer. Follows finalized blocks by number (so nothing that
 * could be reverted is ever stored), fetches a window of blocks in parallel, applies them in
 * order, and writes each range's records, index entries and cursor in one atomic batch.
 * Killed at any instant, it resumes after the last written block: nothing lost or doubled.
 */
import type { ApiPromise } from '@polkadot/api';
import pino, { type Logger } from 'pino';
import { MAX_RANGE_BLOCKS, Waker } from '@tfgrid/client';
import type { Cursor, ExplorerDb, Op } from '../db/store';
import type { ExplorerMetrics } from '../metrics/explorer-metrics';
import { GridView } from '../view/grid';
import { applyEvent } from './handlers';
import { importState } from './genesis';
import { fetchRange, finalizedHeight, type FetchedBlock } from './source';
import { WriteSet } from './writeset';

export interface IndexerOptions {
  api: ApiPromise;
  db: ExplorerDb;
  /** The in-memory view to keep current (one is loaded from the database when omitted). */
  view?: GridView;
  logger?: Logger;
  metrics?: ExplorerMetrics;
  /** First block to index on an empty database (state before it is imported from storage). Default 1. */
  from?: number;
  /** Ranges fetched ahead while one is applied. Default 4. */
  concurrency?: number;
  /**
   * Most blocks per range: fetched in two round trips, applied in order and written in one batch
   * with the last block's cursor. Default 128; 1 reads and writes block by block.
   */
  rangeBlocks?: number;
  /** Look at the finalized head at least this often. Default 2000 ms. */
  pollMs?: number;
}

export interface IndexerStatus {
  running: boolean;
  indexedHeight: number;
  finalizedHeight: number;
  lag: number;
  /** Chain time (unix s) of the last indexed block. */
  chainTime: number;
  lastError: string | null;
}

export class Indexer {
  #o: IndexerOptions;
  #log: Logger;
  #abort = new AbortController();
  #loop: Promise<void> | null = null;
  #cursor: Cursor | null = null;
  #finalized = 0;
  #lastError: string | null = null;
  readonly #waker = new Waker();
  #headSeen = false;
  #unsub: (() => void) | null = null;
  #waiters = new Set<() => void>();
  #view: GridView | null = null;

  constructor(opts: IndexerOptions) {
    this.#o = opts;
    this.#log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'indexer' });
  }

  async start(): Promise<void> {
    if (this.#loop) return;
    const { api, db } = this.#o;
    await api.isReady;
    const genesis = api.genesisHash.toHex();
    const stored = await db.get<string>('meta', 'genesis');
    if (stored && stored !== genesis) throw new Error(`database holds another chain (genesis ${stored}, chain ${genesis})`);
    this.#cursor = (await db.cursor()) ?? null;
    this.#view = this.#o.view ?? (await GridView.load(db));
    if (!this.#cursor) await this.#importStart(genesis);
    this.#unsub = (await api.rpc.chain.subscribeFinalizedHeads((h) => {
      this.#finalized = Math.max(this.#finalized, h.number.toNumber());
      this.#headSeen = true;
      this.#waker.wake();
    })) as unknown as () => void;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#waker.wake();
    this.#unsub?.();
    await this.#loop;
    this.#loop = null;
  }

  /** The in-memory view this indexer keeps current (after start). */
  get view(): GridView {
    if (!this.#view) throw new Error('indexer not started');
    return this.#view;
  }

  status(): IndexerStatus {
    const indexed = this.#cursor?.height ?? -1;
    return {
      running: this.#loop !== null && !this.#abort.signal.aborted,
      indexedHeight: indexed,
      finalizedHeight: this.#finalized,
      lag: Math.max(0, this.#finalized - indexed),
      chainTime: this.#cursor?.timestamp ?? 0,
      lastError: this.#lastError,
    };
  }

  /** Resolves once block `height` is indexed. */
  async waitFor(height: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#cursor?.height ?? -1) < height) {
      if (Date.now() > deadline) throw new Error(`indexer did not reach block ${height} (at ${this.#cursor?.height})`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(t);
          this.#waiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, 200);
        this.#waiters.add(done);
      });
    }
  }

  async #importStart(genesis: string): Promise<void> {
    const { api, db } = this.#o;
    const start = Math.max(1, this.#o.from ?? 1);
    const base = start - 1;
    const hash = (await api.rpc.chain.getBlockHash(base)).toHex();
    const now = Number((await (await api.at(hash)).query.timestamp.now()).toString());
    const w = new WriteSet(db, this.#view!);
    const n = await importState(api, hash, Math.floor(now / 1000), w);
    w.put('meta', 'genesis', genesis);
    const cursor = { height: base, hash, timestamp: Math.floor(now / 1000) };
    await db.write(w.ops, cursor);
    this.#cursor = cursor;
    this.#view!.commit(w.ops, cursor);
    this.#log.info({ block: base, records: n }, 'imported state without events');
  }

  async #run(): Promise<void> {
    const { api } = this.#o;
    const concurrency = Math.max(1, this.#o.concurrency ?? 4);
    const rangeBlocks = Math.min(MAX_RANGE_BLOCKS, Math.max(1, this.#o.rangeBlocks ?? 128));
    let backoff = 250;
    while (!this.#abort.signal.aborted) {
      try {
        this.#headSeen = false;
        this.#finalized = Math.max(this.#finalized, await finalizedHeight(api));
        // A pipeline: `concurrency` ranges are always being fetched (and decoded) while an earlier
        // one is applied and written, in order.
        let next = this.#cursor!.height + 1;
        const inFlight: Promise<FetchedBlock[]>[] = [];
        try {
          while (!this.#abort.signal.aborted) {
            while (inFlight.length < concurrency && next <= this.#finalized) {
              const to = Math.min(this.#finalized, next + rangeBlocks - 1);
              inFlight.push(fetchRange(api, next, to));
              next = to + 1;
            }
            const p = inFlight.shift();
            if (!p) break;
            const blocks = await p;
            if (this.#abort.signal.aborted) return;
            await this.#apply(blocks);
          }
        } finally {
          // Fetches left behind by an error or a stop must not surface as unhandled rejections.
          for (const p of inFlight) p.catch(() => undefined);
        }
        backoff = 250;
        this.#lastError = null;
        await this.#idle(this.#o.pollMs ?? 2000);
      } catch (err) {
        if (this.#abort.signal.aborted) return;
        this.#lastError = err instanceof Error ? err.message : String(err);
        this.#log.warn({ err: this.#lastError, backoff }, 'indexing failed; retrying');
        await this.#sleep(backoff);
        backoff = Math.min(backoff * 2, 10_000);
      }
    }
  }

  /**
   * Consecutive blocks applied in order and written in one atomic batch with the last one's
   * cursor (each block's sets read the earlier blocks' writes); then each block is committed to
   * the view in turn, so the live stream still has one entry per block.
   */
  async #apply(blocks: FetchedBlock[]): Promise<void> {
    if (blocks.length === 0) return;
    const applied: { block: FetchedBlock; ops: Op[] }[] = [];
    const batch: Op[] = [];
    let previous: WriteSet | undefined;
    for (const b of blocks) {
      const w = new WriteSet(this.#o.db, this.#view!, previous);
      const ctx = { number: b.number, timestamp: b.timestamp };
      for (const e of b.events) await applyEvent(w, e, ctx);
      const ops = w.ops;
      for (const op of ops) batch.push(op);
      applied.push({ block: b, ops });
      previous = w;
    }
    const last = blocks[blocks.length - 1]!;
    const cursor = { height: last.number, hash: last.hash, timestamp: last.timestamp };
    await this.#o.db.write(batch, cursor);
    this.#cursor = cursor;
    this.#log.debug({ height: cursor.height, blocks: blocks.length }, 'range written');
    // Only after the batch is durable does the API see its blocks.
    for (const { block: b, ops } of applied) {
      this.#view!.commit(ops, { height: b.number, hash: b.hash, timestamp: b.timestamp });
      this.#o.metrics?.indexed(b.number, this.#finalized, b.events.length);
    }
    for (const done of [...this.#waiters]) done();
  }

  #idle(ms: number): Promise<void> {
    if (this.#headSeen) return Promise.resolve();
    return this.#sleep(ms);
  }

  #sleep(ms: number): Promise<void> {
    return this.#waker.sleep(ms, this.#abort.signal.aborted);
  }
}
