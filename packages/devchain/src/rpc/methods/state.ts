// state_*: storage reads, storage history, storage and runtime-version subscriptions, runtime
// API calls and metadata, with sc-rpc's aliases and error codes (4001 block range, 4002
// count, 4003 client error).

import { blake2_256 } from '../../crypto/hashing';
import type { ChainApi, RuntimeVersionJson } from '../../chain/api';
import { fromHex, preview, toHex, type Hex } from '../../util/hex';
import { RpcError, invalidParams } from '../error';
import { numberParam, stringParam } from '../params';
import type { RpcParams } from '../types';
import {
  MAX_CALL_DATA_BYTES,
  STATE_INVALID_BLOCK_RANGE,
  STATE_INVALID_COUNT,
  blockHashParam,
  bytesParam,
  headerNumber,
  requireBlock,
  serialQueue,
  storageKeyParam,
  storageKeysParam,
} from './common';
import type { Handler, SubscriptionHandler } from './context';

/** sc-rpc's STORAGE_KEYS_PAGED_MAX_COUNT */
export const KEYS_PAGED_MAX_COUNT = 1000;

type Change = [Hex, Hex | null];
interface StorageChangeSet {
  block: Hex;
  changes: Change[];
}

export const state_getMetadata: Handler = async ({ chain }, params) => {
  const at = blockHashParam(params, 0, 'at', { optional: true });
  await requireBlock(chain, at);
  return chain.metadata(at);
};

export const state_getRuntimeVersion: Handler = async ({ chain }, params) => {
  const at = blockHashParam(params, 0, 'at', { optional: true });
  await requireBlock(chain, at);
  return chain.runtimeVersion(at);
};

export const chain_getRuntimeVersion = state_getRuntimeVersion;

/** The current version at once, then a new one whenever a new best block changes it (a runtime upgrade). */
export const state_subscribeRuntimeVersion: SubscriptionHandler = {
  notification: 'state_runtimeVersion',
  unsubscribe: ['state_unsubscribeRuntimeVersion', 'chain_unsubscribeRuntimeVersion'],
  async subscribe({ chain, log }, _params, emit) {
    const last: RuntimeVersionJson = await chain.runtimeVersion();
    let lastJson = JSON.stringify(last);
    emit(last);
    // One look at a time, in head order: a later head's version is never overtaken by an earlier one's.
    const queue = serialQueue(log, 'state_subscribeRuntimeVersion');
    return chain.on('newHead', () =>
      queue.background(async () => {
        const v = await chain.runtimeVersion();
        const json = JSON.stringify(v);
        if (json === lastJson) return;
        lastJson = json;
        emit(v);
      }),
    );
  },
};

export const chain_subscribeRuntimeVersion = state_subscribeRuntimeVersion;

export const state_getStorage: Handler = ({ chain }, params) => {
  const key = storageKeyParam(params, 0, 'key');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  return chain.storage(key, at);
};

export const state_getStorageAt = state_getStorage;

/** blake2-256 of the value, null when there is none. */
export const state_getStorageHash: Handler = async ({ chain }, params) => {
  const key = storageKeyParam(params, 0, 'key');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  const value = await chain.storage(key, at);
  return value === null ? null : toHex(blake2_256(fromHex(value)));
};

export const state_getStorageHashAt = state_getStorageHash;

/**
 * Size of the value in bytes; when the key holds nothing, the summed size of every value
 * under it as a prefix (sc-rpc does the same); null when there is nothing at all.
 */
export const state_getStorageSize: Handler = async ({ chain }, params) => {
  const key = storageKeyParam(params, 0, 'key');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  const value = await chain.storage(key, at);
  if (value !== null) return byteLength(value);
  let sum = 0;
  let startKey: Hex | undefined;
  for (;;) {
    const page = await chain.storageKeys(key, at, KEYS_PAGED_MAX_COUNT, startKey);
    const after = startKey;
    const keys = after === undefined ? page : page.filter((k) => k > after);
    const values = await Promise.all(keys.map((k) => chain.storage(k, at)));
    for (const v of values) if (v !== null) sum += byteLength(v);
    if (page.length < KEYS_PAGED_MAX_COUNT || keys.length === 0) break;
    startKey = keys[keys.length - 1];
  }
  return sum > 0 ? sum : null;
};

export const state_getStorageSizeAt = state_getStorageSize;

/** Every key under the prefix (deprecated in Substrate in favour of getKeysPaged, still served). */
export const state_getKeys: Handler = ({ chain }, params) => {
  const prefix = storageKeyParam(params, 0, 'prefix');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  return chain.storageKeys(prefix, at);
};

export const state_getPairs: Handler = async ({ chain }, params) => {
  const prefix = storageKeyParam(params, 0, 'prefix');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  const keys = await chain.storageKeys(prefix, at);
  const values = await Promise.all(keys.map((k) => chain.storage(k, at)));
  return keys.flatMap((k, i) => (values[i] === null ? [] : [[k, values[i]]]));
};

/** Up to `count` (≤ 1000) keys under `prefix` (none: all keys) that sort after `startKey`. */
export const state_getKeysPaged: Handler = async ({ chain }, params) => {
  const prefix = storageKeyParam(params, 0, 'prefix', { optional: true }) ?? '0x';
  const count = numberParam(params, 1, 'count');
  const startKey = storageKeyParam(params, 2, 'startKey', { optional: true });
  const at = blockHashParam(params, 3, 'at', { optional: true });
  if (count > KEYS_PAGED_MAX_COUNT) {
    throw new RpcError(STATE_INVALID_COUNT, `count exceeds maximum value. value: ${count}, max: ${KEYS_PAGED_MAX_COUNT}`);
  }
  if (count === 0) {
    await requireBlock(chain, at);
    return [];
  }
  return chain.storageKeys(prefix, at, count, startKey);
};

export const state_getKeysPagedAt = state_getKeysPaged;

/** The values of the keys at one block: `[{block, changes: [[key, value|null], ...]}]` ([] for no keys). */
export const state_queryStorageAt: Handler = async ({ chain }, params) => {
  const keys = storageKeysParam(params, 0, 'keys');
  const at = blockHashParam(params, 1, 'at', { optional: true }) ?? chain.bestHash();
  return queryStorage(chain, keys, at, at);
};

/**
 * The history of the keys over `fromBlock`..`toBlock` (default best), both included: the
 * first block with every key, then one entry per block where any key changed.
 */
export const state_queryStorage: Handler = async ({ chain }, params) => {
  const keys = storageKeysParam(params, 0, 'keys');
  const from = blockHashParam(params, 1, 'fromBlock');
  const to = blockHashParam(params, 2, 'toBlock', { optional: true }) ?? chain.bestHash();
  return queryStorage(chain, keys, from, to);
};

/**
 * The current values of the keys at once, then the changed ones with each new best block
 * that changed any of them. Without keys Substrate watches all storage, an unsafe RPC it
 * only serves to trusted callers; this node refuses it.
 */
export const state_subscribeStorage: SubscriptionHandler = {
  notification: 'state_storage',
  unsubscribe: ['state_unsubscribeStorage'],
  async subscribe({ chain, log }, params, emit) {
    const keys = storageKeysParam(params, 0, 'keys', { optional: true });
    if (keys === undefined) {
      throw invalidParams('state_subscribeStorage needs the list of keys to watch (watching all storage is not served)');
    }
    const last = new Map<Hex, Hex | null>();
    const queue = serialQueue(log, 'state_subscribeStorage');
    const readAt = async (block: Hex): Promise<Change[]> => {
      const values = await Promise.all(keys.map((k) => chain.storage(k, block)));
      return changesSince(last, keys, values);
    };
    const off = chain.on('newHead', (_header, hash) =>
      queue.background(async () => {
        const changes = await readAt(hash);
        if (changes.length) emit({ block: hash, changes } satisfies StorageChangeSet);
      }),
    );
    try {
      await queue.run(async () => {
        const block = chain.bestHash();
        const changes = await readAt(block);
        if (changes.length) emit({ block, changes } satisfies StorageChangeSet);
      });
    } catch (err) {
      off();
      throw err;
    }
    return off;
  },
};

/** A runtime API call (e.g. 'Core_version') on SCALE-encoded arguments; returns the SCALE result. */
export const state_call: Handler = ({ chain }, params) => {
  const method = runtimeApiMethodParam(params, 0, 'method');
  const data = bytesParam(params, 1, 'data', { maxBytes: MAX_CALL_DATA_BYTES });
  const at = blockHashParam(params, 2, 'at', { optional: true });
  return chain.call(method, data, at);
};

export const state_callAt = state_call;

/** `Api_method`: a few dozen word characters; anything else names no runtime API. */
const RUNTIME_API_METHOD = /^[A-Za-z0-9_]{1,128}$/;

function runtimeApiMethodParam(params: RpcParams, i: number, name: string): string {
  const method = stringParam(params, i, name);
  if (!RUNTIME_API_METHOD.test(method))
    throw invalidParams(`${name} must be a runtime API method name such as Core_version, got ${JSON.stringify(preview(method, 40))}`);
  return method;
}

/** The keys whose value differs from the last one seen (all of them the first time); updates `last`. */
function changesSince(last: Map<Hex, Hex | null>, keys: Hex[], values: (Hex | null | undefined)[]): Change[] {
  const changes: Change[] = [];
  keys.forEach((k, i) => {
    const v = values[i] ?? null;
    if (last.has(k) && last.get(k) === v) return;
    last.set(k, v);
    changes.push([k, v]);
  });
  return changes;
}

async function queryStorage(chain: ChainApi, keys: Hex[], from: Hex, to: Hex): Promise<StorageChangeSet[]> {
  const hashes = await blockRange(chain, from, to);
  const out: StorageChangeSet[] = [];
  const last = new Map<Hex, Hex | null>();
  for (const block of hashes) {
    const values = await Promise.all(keys.map((k) => chain.storage(k, block)));
    const changes = changesSince(last, keys, values);
    if (changes.length) out.push({ block, changes });
  }
  return out;
}

/** The canonical hashes from `from` to `to`, both included, or sc-rpc's InvalidBlockRange error. */
async function blockRange(chain: ChainApi, from: Hex, to: Hex): Promise<Hex[]> {
  const rangeError = (fromText: string, toText: string, details: string): RpcError =>
    new RpcError(STATE_INVALID_BLOCK_RANGE, `Cannot resolve a block range ['${fromText}' ... '${toText}]. ${details}`);
  const [fromHeader, toHeader] = await Promise.all([chain.header(from), chain.header(to)]);
  const missing = fromHeader ? (toHeader ? undefined : to) : from;
  if (missing !== undefined) {
    throw rangeError(from, `Some(${to})`, `UnknownBlock: Header was not found in the database: ${missing}`);
  }
  const fromNumber = headerNumber(fromHeader!);
  const toNumber = headerNumber(toHeader!);
  const fromText = `${fromNumber} (${from})`;
  const toText = `${toNumber} (${to})`;
  if (fromNumber > toNumber) throw rangeError(fromText, toText, 'from number > to number');
  const numbers = Array.from({ length: toNumber - fromNumber + 1 }, (_, i) => fromNumber + i);
  const hashes = await Promise.all(numbers.map((n) => chain.blockHash(n)));
  if (hashes[0] !== from || hashes[hashes.length - 1] !== to) {
    throw rangeError(fromText, toText, 'from and to are on different forks');
  }
  if (hashes.some((h) => h === null)) throw rangeError(fromText, toText, 'UnknownBlock: a block of the range is not retained');
  return hashes as Hex[];
}

function byteLength(hex: Hex): number {
  return (hex.length - 2) / 2;
}
