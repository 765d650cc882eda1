/**
 * Keys waiting for work, and one worker that takes them in batches. Marking a key already waiting
 * changes nothing, so a burst of changes to one thing costs one pass (the handler reads the latest
 * state when it runs). A batch whose handler throws is marked again and retried after an
 * exponential backoff; a success resets the backoff. At most `maxPending` keys wait: past it the
 * oldest mark is dropped. stop() aborts the handler's signal and resolves once the batch in hand
 * has returned. Used by the answer publisher and the resource reporter.
 */
import { backoffDelay, sleep } from './backoff';
import { CodedError } from './coded-error';

export interface CoalescingQueueOptions<K> {
  /** Works on a batch (in marking order). Throwing marks the batch again and backs off; `signal` aborts at stop(). */
  handle(keys: K[], signal: AbortSignal): Promise<void>;
  /** Most keys waiting; marking one more drops the oldest. */
  maxPending: number;
  /** Most keys per batch (default: all that wait). */
  perBatch?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** After a failed batch, with the delay before the next attempt (for logs and metrics). */
  onRetry?(err: unknown, keys: K[], attempt: number, delayMs: number): void;
  /** A mark dropped because `maxPending` keys were waiting. */
  onDrop?(key: K, maxPending: number): void;
}

export class CoalescingQueue<K> {
  readonly #o: CoalescingQueueOptions<K>;
  /** A Set keeps insertion order: the oldest mark comes first. */
  readonly #pending = new Set<K>();
  #abort = new AbortController();
  #worker: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(o: CoalescingQueueOptions<K>) {
    if (!Number.isInteger(o.maxPending) || o.maxPending < 1)
      throw new CodedError('BAD_QUEUE_LIMIT', `maxPending must be a positive integer, not ${o.maxPending}`);
    if (o.perBatch !== undefined && (!Number.isInteger(o.perBatch) || o.perBatch < 1))
      throw new CodedError('BAD_QUEUE_LIMIT', `perBatch must be a positive integer, not ${o.perBatch}`);
    this.#o = o;
  }

  /** Whether the worker runs (between start and stop). */
  get running(): boolean {
    return this.#worker !== undefined;
  }

  /** Marks `key` for the next batch (also while stopped: the next start takes it). */
  mark(key: K): void {
    if (this.#pending.has(key)) return;
    if (this.#pending.size >= this.#o.maxPending) {
      const oldest = this.#pending.values().next().value as K;
      this.#pending.delete(oldest);
      this.#o.onDrop?.(oldest, this.#o.maxPending);
    }
    this.#pending.add(key);
    this.#wake?.();
  }

  /** The keys waiting, oldest first (not the batch in hand). */
  pending(): K[] {
    return [...this.#pending];
  }

  start(): void {
    if (this.#worker) return;
    this.#abort = new AbortController();
    this.#worker = this.#run(this.#abort.signal);
  }

  /** Aborts the handler's signal and waits for the worker; the batch in hand is not marked again. */
  async stop(reason = 'queue stopping'): Promise<void> {
    this.#abort.abort(new Error(reason));
    this.#wake?.();
    await this.#worker;
    this.#worker = undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      if (this.#pending.size === 0) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      const keys = [...this.#pending].slice(0, this.#o.perBatch ?? Infinity);
      for (const k of keys) this.#pending.delete(k);
      try {
        await this.#o.handle(keys, signal);
        attempt = 0;
      } catch (e) {
        if (signal.aborted) break;
        // Still to do, unless a newer change marked them meanwhile (the handler then reads the newest state).
        for (const k of keys) this.mark(k);
        const d = backoffDelay(++attempt, this.#o.retryMinMs ?? 1000, this.#o.retryMaxMs ?? 60_000);
        this.#o.onRetry?.(e, keys, attempt, d);
        await sleep(d, signal).catch(() => undefined);
      }
    }
  }
}
