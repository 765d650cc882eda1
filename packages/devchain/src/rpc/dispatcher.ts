// JSON-RPC 2.0 message handling, independent of the transport: text in, reply text out.
// WebSocket, HTTP and an in-process provider all go through here, so the error shapes are
// the same everywhere. It never throws: every failure becomes an error response.

import type { Logger } from 'pino';
import {
  INTERNAL_ERROR,
  INVALID_PARAMS,
  INVALID_REQUEST,
  METHOD_NOT_FOUND,
  OVERSIZED_RESPONSE,
  PARSE_ERROR,
  RpcError,
  TOO_BIG_BATCH_REQUEST,
  TOO_BIG_BATCH_RESPONSE,
  invalidParams,
} from './error';
import { DEFAULT_RPC_LIMITS, type RpcLimits } from './limits';
import type { ConnectionSubscriptions } from './subscriptions';
import type { RpcMethod, RpcParams, RpcSubscription, RpcTable } from './types';
import { ChainError } from '../chain/error';
import { chainErrorToRpc } from './chain-error';

type RequestId = string | number | null;

type Entry = { kind: 'method'; call: RpcMethod } | { kind: 'subscribe'; sub: RpcSubscription } | { kind: 'unsubscribe' };

export interface HandledMessage {
  /** the reply to send; undefined when nothing is owed (notifications) */
  reply: string | undefined;
  /** run after the reply is sent: releases the notifications of subscriptions it opened */
  activate: () => void;
}

interface CallContext {
  subscriptions: ConnectionSubscriptions | undefined;
  activations: Array<() => void>;
  /** subscriptions this message opened, so an over-limit batch can close them again */
  opened: Array<{ id: string; unsubscribe: string }>;
}

const SUBSCRIPTIONS_NEED_WS = 'Method not found: subscriptions need a WebSocket connection';

export class RpcDispatcher {
  readonly #entries = new Map<string, Entry>();
  readonly #methodNames: readonly string[];
  readonly #log: Logger;
  readonly #limits: Pick<RpcLimits, 'maxBatchLength' | 'maxResponseBytes'>;

  constructor(table: RpcTable, log: Logger, limits: Partial<Pick<RpcLimits, 'maxBatchLength' | 'maxResponseBytes'>> = {}) {
    this.#log = log;
    this.#limits = {
      maxBatchLength: limits.maxBatchLength ?? DEFAULT_RPC_LIMITS.maxBatchLength,
      maxResponseBytes: limits.maxResponseBytes ?? DEFAULT_RPC_LIMITS.maxResponseBytes,
    };
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
    const ctx: CallContext = { subscriptions, activations: [], opened: [] };
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
      if (!Array.isArray(parsed)) return { reply: this.#capped(await this.#handleOne(parsed, ctx), parsed), activate };
      return { reply: await this.#handleBatch(parsed, ctx), activate };
    } catch (err) {
      // Unreachable by design (#handleOne catches); kept so no input can escape as a rejection.
      this.#log.error({ err }, 'rpc dispatch failed');
      return { reply: errorReply(null, new RpcError(INTERNAL_ERROR, 'Internal error')), activate };
    }
  }

  /**
   * A batch, one call after another so that at most one reply beyond the size limit is ever
   * held: past `maxBatchLength` calls or `maxResponseBytes` of replies the whole batch gets
   * one error (as jsonrpsee answers), and subscriptions it opened are closed again.
   */
  async #handleBatch(batch: unknown[], ctx: CallContext): Promise<string | undefined> {
    const { maxBatchLength, maxResponseBytes } = this.#limits;
    if (batch.length === 0) return errorReply(null, new RpcError(INVALID_REQUEST, 'Invalid request', 'empty batch'));
    if (batch.length > maxBatchLength) {
      return errorReply(
        null,
        new RpcError(
          TOO_BIG_BATCH_REQUEST,
          'The batch request was too large',
          `Exceeded max limit of ${maxBatchLength} calls (--rpc-max-batch-request-len), got ${batch.length}`,
        ),
      );
    }
    const owed: string[] = [];
    let size = 2;
    for (const item of batch) {
      const reply = await this.#handleOne(item, ctx);
      if (reply === undefined) continue;
      size += byteSize(reply) + 1;
      if (size > maxResponseBytes) {
        owed.length = 0;
        this.#closeOpened(ctx);
        return errorReply(
          null,
          new RpcError(
            TOO_BIG_BATCH_RESPONSE,
            'The batch response was too large',
            `Exceeded max limit of ${maxResponseBytes} bytes (--rpc-max-response-size)`,
          ),
        );
      }
      owed.push(reply);
    }
    return owed.length ? `[${owed.join(',')}]` : undefined;
  }

  /** A single reply over the response limit becomes Substrate's "Response is too big" error. */
  #capped(reply: string | undefined, request: unknown): string | undefined {
    const { maxResponseBytes } = this.#limits;
    if (reply === undefined || byteSize(reply) <= maxResponseBytes) return reply;
    return errorReply(
      requestId(request),
      new RpcError(OVERSIZED_RESPONSE, 'Response is too big', `Exceeded max limit of ${maxResponseBytes} bytes (--rpc-max-response-size)`),
    );
  }

  #closeOpened(ctx: CallContext): void {
    for (const { id, unsubscribe } of ctx.opened) ctx.subscriptions?.cancel(id, unsubscribe);
    ctx.opened.length = 0;
    ctx.activations.length = 0;
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
        if (!(err instanceof RpcError || err instanceof ChainError)) this.#log.error({ err, method }, 'rpc notification handler failed');
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
        ctx.opened.push({ id: opened.id, unsubscribe: entry.sub.unsubscribe[0]! });
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
    if (err instanceof ChainError) return chainErrorToRpc(err);
    this.#log.error({ err, method }, 'rpc handler failed');
    const message = err instanceof Error ? err.message : String(err);
    return new RpcError(INTERNAL_ERROR, 'Internal error', message);
  }
}

/** The id to echo for a request already answered once (a valid id, else null). */
function requestId(request: unknown): RequestId {
  const id = (request as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' || id === null ? id : null;
}

/** What a reply weighs on the wire (UTF-8 bytes), as the limits count it. */
function byteSize(text: string): number {
  return Buffer.byteLength(text, 'utf8');
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
