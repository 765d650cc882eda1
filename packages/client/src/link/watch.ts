/**
 * The link's state as a piece of work sees it: up or down, a generation that moves on at every
 * drop, and work bounded by it — work started on a link ends (with a `LinkError`) as soon as that
 * link drops, instead of waiting on answers a dead socket will never bring.
 */
import type { ApiPromise } from '@polkadot/api';
import { LinkError } from './errors';

export class LinkWatch {
  readonly #api: ApiPromise;
  #up: boolean;
  #generation = 0;
  readonly #downListeners = new Set<() => void>();
  readonly #upListeners = new Set<() => void>();
  readonly #waiters = new Set<{ resolve(): void; reject(e: Error): void }>();
  #disposed = false;
  readonly #onDown = (): void => {
    if (!this.#up) return; // a failed reconnect attempt reports another drop
    this.#up = false;
    this.#generation++;
    for (const f of [...this.#downListeners]) f();
  };
  readonly #onUp = (): void => {
    this.#up = true;
    for (const f of [...this.#upListeners]) f();
  };

  constructor(api: ApiPromise) {
    this.#api = api;
    this.#up = api.isConnected;
    api.on('disconnected', this.#onDown);
    api.on('connected', this.#onUp);
  }

  get isUp(): boolean {
    return this.#up;
  }

  /** Moves on at every drop: work that saw another generation ran (partly) on a dead link. */
  get generation(): number {
    return this.#generation;
  }

  /** Calls `f` at every drop; returns the unsubscribe. */
  onDown(f: () => void): () => void {
    this.#downListeners.add(f);
    return () => this.#downListeners.delete(f);
  }

  /** Calls `f` at every (re)connect; returns the unsubscribe. */
  onUp(f: () => void): () => void {
    this.#upListeners.add(f);
    return () => this.#upListeners.delete(f);
  }

  /** Runs `work` on the current link: rejects with LinkError at once while down, or when the link drops. */
  bound<T>(work: () => Promise<T>): Promise<T> {
    if (!this.#up) return Promise.reject(new LinkError('the link is down'));
    return new Promise<T>((resolve, reject) => {
      const off = this.onDown(() => reject(new LinkError('the link dropped')));
      Promise.resolve().then(work).then(resolve, reject).finally(off);
    });
  }

  /** Resolves when the link is up (at once if it is); rejects if the watch is disposed first. */
  whenUp(): Promise<void> {
    if (this.#up) return Promise.resolve();
    if (this.#disposed) return Promise.reject(new Error('link watch disposed'));
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.#waiters.add(waiter);
      const off = this.onUp(() => {
        off();
        this.#waiters.delete(waiter);
        resolve();
      });
    });
  }

  /** Stops watching; whoever waits for the link is rejected. */
  dispose(): void {
    this.#api.off('disconnected', this.#onDown);
    this.#api.off('connected', this.#onUp);
    this.#downListeners.clear();
    this.#upListeners.clear();
    this.#disposed = true;
    const err = new Error('link watch disposed');
    for (const w of [...this.#waiters]) w.reject(err);
    this.#waiters.clear();
  }
}
