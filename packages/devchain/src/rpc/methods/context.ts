// What every handler receives, and the two shapes a namespace file exports: a plain method
// handler, or a subscription. Handlers are named after their wire method (chopsticks style);
// index.ts binds them to one context and merges them into the transport's RpcTable.

import type { Logger } from 'pino';
import type { ChainApi } from '../../chain/api';
import type { RpcParams } from '../types';

export interface NodeInfo {
  /** system_name, e.g. 'tfchain-devchain' */
  name: string;
  /** system_version */
  version: string;
}

export interface RpcContext {
  chain: ChainApi;
  node: NodeInfo;
  log: Logger;
}

export type Handler = (ctx: RpcContext, params: RpcParams) => unknown;

export interface SubscriptionHandler {
  /** notification method, e.g. 'chain_newHead' */
  notification: string;
  /** unsubscribe method names (the first is the canonical one, the rest aliases) */
  unsubscribe: string[];
  subscribe(ctx: RpcContext, params: RpcParams, emit: (result: unknown) => void): (() => void) | Promise<() => void>;
}

export function isSubscriptionHandler(value: unknown): value is SubscriptionHandler {
  return typeof value === 'object' && value !== null && typeof (value as SubscriptionHandler).subscribe === 'function';
}
