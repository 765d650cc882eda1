// JSON-RPC 2.0 message handling, independent of the transport: text in, reply text out.
// WebSocket, HTTP and an in-process provider all go through here, so the error shapes are
// the same everywhere. It never throws: every failure becomes an error response.

import type { Logger } from 'pino';
import { INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR, RpcError, invalidParams } from './error';
import type { ConnectionSubscriptions } from './subscriptions';
import type { RpcMethod, RpcParams, RpcSubscription, RpcTable } from './types';

type RequestId = string | number | null;

type Entry =
  | { kind: 'method'; call: RpcMethod }
  | { kind: 'subscribe'; sub: RpcSubscription }
  | { kind: 'unsubscribe' };

export interface HandledMessage {
  /** the reply to send; undefined when nothing is owed (notifications) */
  reply: string | undefined;
  /** run after the reply is sent: releases the notifications of subscriptions it opened */
  activate(): void;
}

interface CallContext {
  subscriptions: ConnectionSubscriptions | undefined;
  activations: Array<() => void>;
}

const SUBSCRIPTIONS_NEED_WS = 'Method not found: subscriptions need a WebSocket connection';

export class RpcDispatcher {
  readonly #entries = new Map<string, Entry>();
  readonly #methodNames: readonly string[];
  readonly #log: Logger;

  constructor(table: RpcTable, log: Logger) {
    this.#log = log;
    const add = (name: string, entry: Entry): void => {
      const existing = this.#entries.get(name);
      // One unsubscribe method may serve several subscriptions; anything else is a table bug.
      if (existing && !(existing.kind === 'unsubscribe' && entry.kind === 'unsubscribe')) {
        throw new Error(`RPC table defines ${name} twice`);
      }
      this.#entries.set(name, entry);
    };
    // Object.entries: own keys only, so 'constructor' or '__proto__' are never callable.
    for (const [name, call] of Object.entries(table.methods)) add(name, { kind: 'method', call });
    for (const [name, sub] of Object.entries(table.subscriptions)) {
      add(name, { kind: 'subscribe', sub });
      for (const un of sub.unsubscribe) add(un, { kind: 'unsubscribe' });
    }
    if (!this.#entries.has('rpc_methods')) {
      this.#entries.set('rpc_methods', { kind: 'method', call: () => ({ methods: [...this.#methodNames] }) });
    }
    this.#methodNames = [...this.#entries.keys()].sort();
  }

  /** every callable name, sorted: what rpc_methods answers */
  get methodNames(): readonly string[] {
    return this.#methodNames;
  }

  /** Handle one raw message. `subscriptions` is absent on transports without them (HTTP). */
  async handleMessage(text: string, subscriptions?: ConnectionSubscriptions): Promise<HandledMessage> {
    const ctx: CallContext = { subscriptions, activations: [] };
    const activate = (): void => {
      for (const fn of ctx.activations) fn();
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { reply: errorReply(null, new RpcError(PARSE_ERROR, 'Parse error')), activate };
    }
    try {
      if (!Array.isArray(parsed)) return { reply: await this.#handleOne(parsed, ctx), activate };
      if (parsed.length === 0) {
        return { reply: errorReply(null, new RpcError(INVALID_REQUEST, 'Invalid request', 'empty batch')), activate };
      }
      const replies = await Promise.all(parsed.map((item) => this.#handleOne(item, ctx)));
      const owed = replies.filter((r): r is string => r !== undefined);
      return { reply: owed.length ? `[${owed.join(',')}]` : undefined, activate };
    } catch (err) {
      // Unreachable by design (#handleOne catches); kept so no input can escape as a rejection.
      this.#log.error({ err }, 'rpc dispatch failed');
      return { reply: errorReply(null, new RpcError(INTERNAL_ERROR, 'Internal error')), activate };
    }
  }

  /** One request object → its reply text, or undefined for a notification. */
  async #handleOne(request: unknown, ctx: CallContext): Promise<string | undefined> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return errorReply(null, new RpcError(INVALID_REQUEST, 'Invalid request'));
    }
    const req = request as Record<string, unknown>;
    const isNotification = !('id' in req);
    const idValid = isNotification || req.id === null || typeof req.id === 'string' || typeof req.id === 'number';
    const id: RequestId = !isNotification && idValid ? (req.id as RequestId) : null;
    if (req.jsonrpc !== '2.0' || typeof req.method !== 'string' || !idValid) {
      return errorReply(id, new RpcError(INVALID_REQUEST, 'Invalid request'));
    }
    const method = req.method;
    try {
      const params = readParams(req.params);
      const result = await this.#call(method, params, ctx, isNotification);
      if (isNotification) return undefined;
      return resultReply(id, result);
    } catch (err) {
      if (isNotification) {
        if (!(err instanceof RpcError)) this.#log.error({ err, method }, 'rpc notification handler failed');
        return undefined;
      }
      return errorReply(id, this.#toRpcError(err, method));
    }
  }

  async #call(method: string, params: RpcParams, ctx: CallContext, isNotification: boolean): Promise<unknown> {
    const entry = this.#entries.get(method);
    if (!entry) throw new RpcError(METHOD_NOT_FOUND, 'Method not found');
    this.#log.debug({ method }, 'rpc call');
    switch (entry.kind) {
      case 'method':
        return entry.call(params);
      case 'subscribe': {
        if (!ctx.subscriptions) throw new RpcError(METHOD_NOT_FOUND, SUBSCRIPTIONS_NEED_WS);
        // A subscription opened by a notification could never be addressed or cancelled.
        if (isNotification) return undefined;
        const opened = await ctx.subscriptions.open(method, entry.sub, params);
        ctx.activations.push(opened.activate);
        return opened.id;
      }
      case 'unsubscribe': {
        if (!ctx.subscriptions) throw new RpcError(METHOD_NOT_FOUND, SUBSCRIPTIONS_NEED_WS);
        const subId = params[0];
        if (typeof subId !== 'string' && typeof subId !== 'number') {
          throw invalidParams('subscription id must be a string');
        }
        return ctx.subscriptions.cancel(String(subId), method);
      }
    }
  }

  #toRpcError(err: unknown, method: string): RpcError {
    if (err instanceof RpcError) return err;
    this.#log.error({ err, method }, 'rpc handler failed');
    const message = err instanceof Error ? err.message : String(err);
    return new RpcError(INTERNAL_ERROR, 'Internal error', message);
  }
}

function readParams(params: unknown): RpcParams {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params;
  if (typeof params === 'object') throw new RpcError(INVALID_PARAMS, 'Invalid params: expected an array');
  throw new RpcError(INVALID_REQUEST, 'Invalid request', 'params must be an array');
}

function resultReply(id: RequestId, result: unknown): string {
  try {
    return JSON.stringify({ jsonrpc: '2.0', result: result ?? null, id });
  } catch (err) {
    // e.g. a BigInt or a cycle in the result: a handler bug, reported instead of crashing.
    const message = err instanceof Error ? err.message : String(err);
    return errorReply(id, new RpcError(INTERNAL_ERROR, 'Internal error', `result is not serializable: ${message}`));
  }
}

function errorReply(id: RequestId, err: RpcError): string {
  const error: { code: number; message: string; data?: unknown } = { code: err.code, message: err.message };
  if (err.data !== undefined) error.data = err.data;
  try {
    return JSON.stringify({ jsonrpc: '2.0', error, id });
  } catch {
    return JSON.stringify({ jsonrpc: '2.0', error: { code: err.code, message: err.message }, id });
  }
}
