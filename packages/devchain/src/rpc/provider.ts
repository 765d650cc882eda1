// An in-process provider: @polkadot/api talks to an RpcTable without a socket, through the
// same dispatcher and session as the WebSocket server (so replies, errors and notification
// order are those of the wire). It satisfies @polkadot/rpc-provider's ProviderInterface
// structurally, so the devchain does not depend on @polkadot/api:
//
//   const api = await ApiPromise.create({ provider: createInProcessProvider(table) });

import pino, { type Logger } from 'pino';
import { RpcDispatcher } from './dispatcher';
import { RpcSession } from './session';
import type { RpcTable } from './types';

// `any` as in @polkadot/rpc-provider, so callbacks typed for it fit.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export type ProviderCallback = (error: Error | null, result: any) => void;
export type ProviderEvent = 'connected' | 'disconnected' | 'error';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export type ProviderEventCallback = (value?: any) => any;

export interface EndpointStats {
  bytesRecv: number;
  bytesSent: number;
  cached: number;
  errors: number;
  requests: number;
  subscriptions: number;
  timeout: number;
}

export interface ProviderStats {
  active: { requests: number; subscriptions: number };
  total: EndpointStats;
}

export interface InProcessProviderOptions {
  /** default: silent */
  logger?: Logger;
  /** connect on construction (default true); otherwise call connect() */
  autoConnect?: boolean;
  /** subscription cap of the connection; default 1024 */
  maxSubscriptions?: number;
}

/** The error a failed call rejects with, shaped like @polkadot/rpc-provider's RpcError. */
export class ProviderRpcError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

interface Pending {
  resolve(result: unknown): void;
  reject(err: Error): void;
  subscription?: { type: string; callback: ProviderCallback };
}

interface Incoming {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  method?: string;
  params?: { subscription: string | number; result?: unknown; error?: { code: number; message: string; data?: unknown } };
}

/** notifications kept for a subscription whose id has not been matched yet */
const MAX_WAITING = 256;

export class InProcessProvider {
  readonly #table: RpcTable;
  readonly #opts: InProcessProviderOptions;
  readonly #log: Logger;
  readonly #dispatcher: RpcDispatcher;
  readonly #listeners = new Map<ProviderEvent, Set<ProviderEventCallback>>();
  readonly #pending = new Map<number, Pending>();
  /** `${notification}::${subscriptionId}` → callback, as WsProvider keys them */
  readonly #subscriptions = new Map<string, ProviderCallback>();
  readonly #waiting = new Map<string, Incoming[]>();
  readonly #total: EndpointStats = { bytesRecv: 0, bytesSent: 0, cached: 0, errors: 0, requests: 0, subscriptions: 0, timeout: 0 };
  #session: RpcSession | undefined;
  #nextId = 1;
  #inbox: string[] = [];
  #draining = false;

  constructor(table: RpcTable, opts: InProcessProviderOptions = {}) {
    this.#table = table;
    this.#opts = opts;
    this.#log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'in-process-provider' });
    this.#dispatcher = new RpcDispatcher(table, this.#log);
    // Connected from the start (like HttpProvider): ApiPromise sees isConnected and starts;
    // no 'connected' event is emitted for it, which would make the API initialise twice.
    if (opts.autoConnect !== false) this.#open();
  }

  get hasSubscriptions(): boolean {
    return true;
  }

  get isClonable(): boolean {
    return true;
  }

  get isConnected(): boolean {
    return this.#session !== undefined;
  }

  /** Resolves once connected (at once with autoConnect). */
  get isReady(): Promise<this> {
    if (this.isConnected) return Promise.resolve(this);
    return new Promise((resolve) => {
      const off = this.on('connected', () => {
        off();
        resolve(this);
      });
    });
  }

  get stats(): ProviderStats {
    return { active: { requests: this.#pending.size, subscriptions: this.#subscriptions.size }, total: { ...this.#total } };
  }

  get endpointStats(): EndpointStats {
    return { ...this.#total };
  }

  /** A fresh, connected provider over the same table (what ApiPromise.clone() needs). */
  clone(): InProcessProvider {
    return new InProcessProvider(this.#table, { ...this.#opts, autoConnect: true });
  }

  async connect(): Promise<void> {
    if (this.#session) return;
    this.#open();
    this.#emit('connected');
  }

  /** Closes the connection: every subscription ends, pending calls are rejected. */
  async disconnect(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    this.#session = undefined;
    session.close();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#subscriptions.clear();
    this.#waiting.clear();
    this.#inbox = [];
    for (const p of pending) p.reject(new Error('In-process provider disconnected'));
    this.#emit('disconnected');
  }

  on(type: ProviderEvent, sub: ProviderEventCallback): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(sub);
    return () => {
      set.delete(sub);
    };
  }

  send<T = unknown>(method: string, params: unknown[], _isCacheable?: boolean): Promise<T> {
    return this.#request(method, params) as Promise<T>;
  }

  subscribe(type: string, method: string, params: unknown[], callback: ProviderCallback): Promise<number | string> {
    this.#total.subscriptions++;
    return this.#request(method, params, { type, callback }) as Promise<number | string>;
  }

  async unsubscribe(type: string, method: string, id: number | string): Promise<boolean> {
    const key = `${type}::${id}`;
    if (!this.#subscriptions.delete(key)) return false;
    if (!this.#session) return true;
    try {
      return (await this.#request(method, [id])) as boolean;
    } catch {
      return false;
    }
  }

  #open(): void {
    this.#session = new RpcSession(this.#dispatcher, (text) => this.#deliver(text), this.#log, {
      maxSubscriptions: this.#opts.maxSubscriptions,
    });
  }

  #request(method: string, params: unknown[], subscription?: Pending['subscription']): Promise<unknown> {
    const session = this.#session;
    if (!session) return Promise.reject(new Error('In-process provider is not connected'));
    const id = this.#nextId++;
    let text: string;
    try {
      text = JSON.stringify({ id, jsonrpc: '2.0', method, params });
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.#total.requests++;
    this.#total.bytesSent += text.length;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, subscription });
      void session.handle(text);
    });
  }

  /** Messages reach the client asynchronously and in order, as from a socket. */
  #deliver(text: string): void {
    this.#inbox.push(text);
    if (this.#draining) return;
    this.#draining = true;
    queueMicrotask(() => {
      while (this.#inbox.length) this.#receive(this.#inbox.shift()!);
      this.#draining = false;
    });
  }

  #receive(text: string): void {
    this.#total.bytesRecv += text.length;
    let msg: Incoming;
    try {
      msg = JSON.parse(text) as Incoming;
    } catch (err) {
      this.#log.error({ err }, 'unparseable message from the dispatcher');
      return;
    }
    try {
      if (msg.method !== undefined && msg.params !== undefined) this.#onNotification(msg);
      else this.#onReply(msg);
    } catch (err) {
      this.#log.error({ err }, 'provider callback failed');
    }
  }

  #onReply(msg: Incoming): void {
    if (typeof msg.id !== 'number') return;
    const pending = this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id);
    if (msg.error) {
      this.#total.errors++;
      pending.reject(toProviderError(msg.error));
      return;
    }
    const sub = pending.subscription;
    if (sub && (typeof msg.result === 'string' || typeof msg.result === 'number')) {
      const key = `${sub.type}::${msg.result}`;
      this.#subscriptions.set(key, sub.callback);
      const waiting = this.#waiting.get(key);
      this.#waiting.delete(key);
      pending.resolve(msg.result);
      for (const n of waiting ?? []) this.#onNotification(n);
      return;
    }
    pending.resolve(msg.result);
  }

  #onNotification(msg: Incoming): void {
    const key = `${msg.method}::${msg.params!.subscription}`;
    const callback = this.#subscriptions.get(key);
    if (!callback) {
      // The subscribe reply always comes first from the session; this only guards odd orders.
      const waiting = this.#waiting.get(key) ?? [];
      if (waiting.length < MAX_WAITING) waiting.push(msg);
      this.#waiting.set(key, waiting);
      return;
    }
    const { error, result } = msg.params!;
    if (error) callback(toProviderError(error), undefined);
    else callback(null, result);
  }

  #emit(type: ProviderEvent, value?: unknown): void {
    for (const fn of [...(this.#listeners.get(type) ?? [])]) {
      try {
        fn(value);
      } catch (err) {
        this.#log.error({ err, event: type }, 'provider listener failed');
      }
    }
  }
}

/** An in-process provider over `table`; pass it to `ApiPromise.create({ provider })`. */
export function createInProcessProvider(table: RpcTable, opts: InProcessProviderOptions = {}): InProcessProvider {
  return new InProcessProvider(table, opts);
}

/** The message @polkadot/rpc-provider builds: `${code}: ${message}: ${data}` (data cleaned, max 256 chars). */
function toProviderError(error: { code: number; message: string; data?: unknown }): ProviderRpcError {
  return new ProviderRpcError(`${error.code}: ${error.message}${formatErrorData(error.data)}`, error.code, error.data);
}

function formatErrorData(data: unknown): string {
  if (data === undefined) return '';
  const formatted = `: ${
    typeof data === 'string'
      ? data
          .replace(/Error\("/g, '')
          .replace(/\("/g, '(')
          .replace(/"\)/g, ')')
          .replace(/\(/g, ', ')
          .replace(/\)/g, '')
      : JSON.stringify(data)
  }`;
  return formatted.length <= 256 ? formatted : `${formatted.substring(0, 255)}…`;
}
