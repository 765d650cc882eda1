/**
 * A WsProvider whose requests never outlive their socket. @polkadot/api's provider rejects the
 * requests of a closed socket, but its cache keeps a rejected promise for 30 s, so a block read
 * caught by a cut fails again on every retry after the reconnect, and its errors carry no code.
 * Here every request is tied to the socket it was sent on: when that socket drops, or when the
 * request is made while there is none, it rejects at once with a retryable `LinkError`; and only
 * answers are cached, never failures.
 */
import { WsProvider } from '@polkadot/api';
import { stringify } from '@polkadot/util';
import { LinkError } from './errors';

type Subscription = Parameters<WsProvider['send']>[3];

/** As @polkadot/rpc-provider's own cache: historic (`at` a block hash) answers, 1,024 for 30 s. */
const CACHE_CAPACITY = 1024;
const CACHE_TTL_MS = 30_000;

export class LinkProvider extends WsProvider {
  /** Rejecters of the requests sent on the current socket. */
  readonly #outstanding = new Set<(e: LinkError) => void>();
  readonly #cache = new Map<string, { answer: Promise<unknown>; expires: number }>();

  constructor(url: string, reconnectDelayMs: number) {
    super(url, reconnectDelayMs);
    this.on('disconnected', () => {
      const drop = new LinkError(`the link to ${url} dropped`);
      for (const reject of [...this.#outstanding]) reject(drop);
      this.#outstanding.clear();
    });
  }

  override send<T = unknown>(method: string, params: unknown[], isCacheable?: boolean, subscription?: Subscription): Promise<T> {
    if (!isCacheable || subscription) return this.#sendOnSocket<T>(method, params, subscription);
    const key = `${method}::${stringify(params)}`;
    const hit = this.#cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.answer as Promise<T>;
    const answer = this.#sendOnSocket<T>(method, params, undefined);
    this.#remember(key, answer);
    return answer;
  }

  #sendOnSocket<T>(method: string, params: unknown[], subscription: Subscription): Promise<T> {
    if (!this.isConnected) return Promise.reject(new LinkError(`not connected to ${this.endpoint} (${method})`));
    return new Promise<T>((resolve, reject) => {
      this.#outstanding.add(reject);
      // The provider's own cache is bypassed: it would keep failures too.
      super.send<T>(method, params, false, subscription).then(
        (answer) => {
          this.#outstanding.delete(reject);
          resolve(answer);
        },
        (err: unknown) => {
          this.#outstanding.delete(reject);
          reject(this.isConnected ? err : new LinkError(`the link dropped during ${method}`, { cause: err }));
        },
      );
    });
  }

  #remember(key: string, answer: Promise<unknown>): void {
    const now = Date.now();
    for (const [k, v] of this.#cache) {
      if (v.expires > now && this.#cache.size < CACHE_CAPACITY) break;
      this.#cache.delete(k); // oldest first: Map keeps insertion order
    }
    this.#cache.delete(key); // re-inserted last, so the oldest stays first
    this.#cache.set(key, { answer, expires: now + CACHE_TTL_MS });
    answer.catch(() => {
      if (this.#cache.get(key)?.answer === answer) this.#cache.delete(key);
    });
  }
}
