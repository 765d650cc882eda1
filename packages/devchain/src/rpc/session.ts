// One subscription-capable connection (a WebSocket, or an in-process provider): feeds raw
// messages to the dispatcher, sends each reply, then releases that message's held
// notifications, so a subscription id always reaches the client before its first notification.

import type { Logger } from 'pino';
import type { RpcDispatcher } from './dispatcher';
import { ConnectionSubscriptions } from './subscriptions';

export interface RpcSessionOptions {
  /** per-connection subscription cap; default 1024 (jsonrpsee's default) */
  maxSubscriptions?: number;
}

export class RpcSession {
  readonly #dispatcher: RpcDispatcher;
  readonly #send: (text: string) => void;
  readonly #subscriptions: ConnectionSubscriptions;
  readonly #log: Logger;
  #closed = false;

  /** `send` delivers one reply or notification text to the peer; it must not throw. */
  constructor(dispatcher: RpcDispatcher, send: (text: string) => void, log: Logger, opts: RpcSessionOptions = {}) {
    this.#dispatcher = dispatcher;
    this.#log = log;
    this.#send = (text) => {
      if (!this.#closed) send(text);
    };
    this.#subscriptions = new ConnectionSubscriptions(this.#send, log, opts.maxSubscriptions);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** live subscriptions on this connection */
  get subscriptionCount(): number {
    return this.#subscriptions.size;
  }

  /** Handle one incoming message; resolves once its reply is sent. Never rejects. */
  async handle(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      const { reply, activate } = await this.#dispatcher.handleMessage(text, this.#subscriptions);
      if (reply !== undefined) this.#send(reply);
      activate();
    } catch (err) {
      this.#log.error({ err }, 'rpc session failed to handle a message');
    }
  }

  /** Tear down every subscription; later replies and notifications are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscriptions.closeAll();
  }
}
