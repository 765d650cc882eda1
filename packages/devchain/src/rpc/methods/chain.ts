// chain_*: blocks, headers and head subscriptions, with the aliases sc-rpc registers.

import type { ChainApi, ChainEvents, HeaderJson } from '../../chain/api';
import { RpcError, invalidParams } from '../error';
import { numberParam } from '../params';
import type { RpcParams } from '../types';
import { CHAIN_OTHER_ERROR, blockHashParam, serialQueue } from './common';
import type { Handler, SubscriptionHandler } from './context';

const U32_MAX = 0xffff_ffff;
/** most block numbers one chain_getBlockHash may ask for */
const MAX_BLOCK_NUMBERS = 1000;

/**
 * Hash of a block by number: none → best; a number or hex number → its hash or null; a list
 * → a list of hashes or nulls (sc-rpc's ListOrValue<NumberOrHex>).
 */
export const chain_getBlockHash: Handler = async ({ chain }, params) => {
  const arg = params[0];
  if (Array.isArray(arg)) {
    if (arg.length > MAX_BLOCK_NUMBERS) throw invalidParams(`blockNumber may list at most ${MAX_BLOCK_NUMBERS} numbers, got ${arg.length}`);
    const numbers = arg.map((_, i) => blockNumber(arg, i, `blockNumber[${i}]`));
    return Promise.all(numbers.map((n) => chain.blockHash(n)));
  }
  if (arg === undefined || arg === null) return chain.bestHash();
  return chain.blockHash(blockNumber(params, 0, 'blockNumber'));
};

export const chain_getHead = chain_getBlockHash;

/** Header of a block (best when no hash), null for a hash the chain does not hold. */
export const chain_getHeader: Handler = async ({ chain }, params) => {
  const hash = blockHashParam(params, 0, 'hash', { optional: true });
  return (await chain.header(hash)) ?? null;
};

export const chain_getBlock: Handler = async ({ chain }, params) => {
  const hash = blockHashParam(params, 0, 'hash', { optional: true });
  return (await chain.block(hash)) ?? null;
};

export const chain_getFinalizedHead: Handler = ({ chain }) => chain.finalizedHash();

export const chain_getFinalisedHead = chain_getFinalizedHead;

export const chain_subscribeNewHeads = headSubscription(
  'chain_newHead',
  ['chain_unsubscribeNewHeads', 'chain_unsubscribeNewHead', 'unsubscribe_newHead'],
  'newHead',
  (chain) => chain.bestHash(),
);
export const chain_subscribeNewHead = chain_subscribeNewHeads;
export const subscribe_newHead = chain_subscribeNewHeads;

/** Every imported block; the dev chain never forks, so these are the new best heads. */
export const chain_subscribeAllHeads = headSubscription('chain_allHead', ['chain_unsubscribeAllHeads'], 'newHead', (chain) =>
  chain.bestHash(),
);

export const chain_subscribeFinalizedHeads = headSubscription(
  'chain_finalizedHead',
  ['chain_unsubscribeFinalizedHeads', 'chain_unsubscribeFinalisedHeads'],
  'finalized',
  (chain) => chain.finalizedHash(),
);
export const chain_subscribeFinalisedHeads = chain_subscribeFinalizedHeads;

/** A block number as sc-rpc takes it: NumberOrHex that must fit a u32. */
function blockNumber(params: RpcParams, i: number, name: string): number {
  const n = numberParam(params, i, name);
  if (n > U32_MAX) {
    const shown = typeof params[i] === 'string' ? `Hex(${String(params[i])})` : `Number(${n})`;
    throw new RpcError(CHAIN_OTHER_ERROR, `\`${shown}\` > u32::MAX, the max block number is u32.`);
  }
  return n;
}

/**
 * A head subscription as sc-rpc serves it: the current head at once, then one header per
 * event. A head already sent is not sent again (an event racing the initial read).
 */
function headSubscription(
  notification: string,
  unsubscribe: string[],
  event: keyof ChainEvents,
  current: (chain: ChainApi) => `0x${string}`,
): SubscriptionHandler {
  return {
    notification,
    unsubscribe,
    async subscribe({ chain, log }, _params, emit) {
      const queue = serialQueue(log, notification);
      let last: string | undefined;
      const send = (header: HeaderJson, hash: string): void => {
        if (hash === last) return;
        last = hash;
        emit(header);
      };
      const off = chain.on(event, (header, hash) => queue.background(() => send(header, hash)));
      try {
        await queue.run(async () => {
          const hash = current(chain);
          const header = await chain.header(hash);
          if (header) send(header, hash);
        });
      } catch (err) {
        off();
        throw err;
      }
      return off;
    },
  };
}
