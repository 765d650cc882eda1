// The live subscriptions of one connection. Notifications of a new subscription are held
// until its id reply is on the wire (the client cannot route a notification whose id it has
// not seen yet); closing the connection tears every subscription down.

import type { Logger } from 'pino';
import { INTERNAL_ERROR, RpcError, TOO_MANY_SUBSCRIPTIONS } from './error';
import { newSubscriptionId } from './subscription-id';
import type { RpcParams, RpcSubscription } from './types';

interface Live {
  unsubscribe: readonly string[];
  teardown?: () => void;
  /** notifications held until activation; undefined once active */
  held: string[] | undefined;
  stopped: boolean;
}

export interface OpenedSubscription {
  id: string;
  /** call once the subscribe reply has been sent: releases held notifications */
  activate: () => void;
}

export class ConnectionSubscriptions {
  readonly #live = new Map<string, Live>();
  readonly #notify: (text: string) => void;
  readonly #max: number;
  readonly #log: Logger;
  #closed = false;

  constructor(notify: (text: string) => void, log: Logger, maxSubscriptions = 1024) {
    this.#notify = notify;
    this.#log = log;
    this.#max = maxSubscriptions;
  }

  get size(): number {
    return this.#live.size;
  }

  async open(name: string, sub: RpcSubscription, params: RpcParams): Promise<OpenedSubscription> {
    if (this.#closed) throw new RpcError(INTERNAL_ERROR, 'Connection is closed');
    if (this.#live.size >= this.#max) {
      throw new RpcError(TOO_MANY_SUBSCRIPTIONS, 'Too many subscriptions on the connection', `Exceeded max limit of ${this.#max}`);
    }
    let id = newSubscriptionId();
    while (this.#live.has(id)) id = newSubscriptionId();
    const live: Live = { unsubscribe: sub.unsubscribe, held: [], stopped: false };
    // Reserved before subscribe() resolves, so the limit and closeAll() see it.
    this.#live.set(id, live);

    const emit = (result: unknown): void => {
      if (live.stopped) return;
      let text: string;
      try {
        text = JSON.stringify({ jsonrpc: '2.0', method: sub.notification, params: { subscription: id, result: result ?? null } });
      } catch (err) {
        this.#log.error({ err, subscription: name }, 'notification is not serializable; dropped');
        return;
      }
      if (live.held) live.held.push(text);
      else this.#notify(text);
    };

    let teardown: unknown;
    try {
      teardown = await sub.subscribe(params, emit);
    } catch (err) {
      live.stopped = true;
      this.#live.delete(id);
      throw err;
    }
    if (live.stopped) {
      // The connection closed (or the id was cancelled) while subscribe() was pending.
      this.#runTeardown(teardown, name);
      throw new RpcError(INTERNAL_ERROR, 'Connection is closed');
    }
    live.teardown = () => this.#runTeardown(teardown, name);
    return {
      id,
      activate: () => {
        const held = live.held;
        live.held = undefined;
        if (!held || live.stopped) return;
        for (const text of held) this.#notify(text);
      },
    };
  }

  /** Unsubscribe through `method`; false for an unknown id or one of another kind (as jsonrpsee). */
  cancel(id: string, method: string): boolean {
    const live = this.#live.get(id);
    if (!live || !live.unsubscribe.includes(method)) return false;
    this.#stop(id, live);
    return true;
  }

  closeAll(): void {
    this.#closed = true;
    for (const [id, live] of [...this.#live]) this.#stop(id, live);
  }

  #stop(id: string, live: Live): void {
    live.stopped = true;
    live.held = undefined;
    this.#live.delete(id);
    live.teardown?.();
  }

  #runTeardown(teardown: unknown, name: string): void {
    if (typeof teardown !== 'function') return;
    try {
      teardown();
    } catch (err) {
      this.#log.error({ err, subscription: name }, 'subscription teardown failed');
    }
  }
}
