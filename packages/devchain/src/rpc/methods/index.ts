// createRpcTable: every namespace file's handlers bound to one chain and merged into the
// transport's RpcTable. A handler's export name is its wire method; an alias is exported as
// the same handler under the alias name. `rpc_methods` is derived from the table by the
// dispatcher.

import pino, { type Logger } from 'pino';
import type { ChainApi } from '../../chain/api';
import type { RpcTable } from '../types';
import * as author from './author';
import * as chainMethods from './chain';
import { isSubscriptionHandler, type NodeInfo, type RpcContext } from './context';
import * as dev from './dev';
import * as devRuntime from './dev-runtime';
import * as payment from './payment';
import * as state from './state';
import * as system from './system';

export type { NodeInfo, RpcContext, Handler, SubscriptionHandler } from './context';

const NAMESPACES: readonly Record<string, unknown>[] = [system, chainMethods, state, author, payment];

/** A wire method name: namespace_method. Other exports (constants, helpers) are not handlers. */
const METHOD_NAME = /^[a-z]+_[a-zA-Z]+$/;

export interface RpcTableOptions {
  /** a child `{module: 'rpc-methods'}` is made from it; default: silent */
  logger?: Logger;
  /** serve dev_* (build blocks, write storage, move time, swap the runtime): only for a node started with --dev; default false */
  devMethods?: boolean;
}

export function createRpcTable(chain: ChainApi, node: NodeInfo, opts: RpcTableOptions = {}): RpcTable {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ module: 'rpc-methods' });
  const ctx: RpcContext = { chain, node, log };
  const table: RpcTable = { methods: {}, subscriptions: {} };
  for (const ns of opts.devMethods ? [...NAMESPACES, dev, devRuntime] : NAMESPACES) {
    for (const [name, handler] of Object.entries(ns)) {
      if (!METHOD_NAME.test(name)) continue;
      if (Object.hasOwn(table.methods, name) || Object.hasOwn(table.subscriptions, name)) {
        throw new Error(`RPC method ${name} is defined twice`);
      }
      if (typeof handler === 'function') {
        table.methods[name] = (params) => handler(ctx, params);
      } else if (isSubscriptionHandler(handler)) {
        table.subscriptions[name] = {
          notification: handler.notification,
          unsubscribe: handler.unsubscribe,
          subscribe: (params, emit) => handler.subscribe(ctx, params, emit),
        };
      } else {
        throw new Error(`${name} is exported like an RPC method but is neither a handler nor a subscription`);
      }
    }
  }
  return table;
}
