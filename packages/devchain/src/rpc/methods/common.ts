// Helpers shared by the namespace files: the Substrate error shapes for unknown blocks, param
// readers for block hashes and storage keys, and a serial queue that keeps a subscription's
// notifications in order while each one waits on async chain reads.

import type { Logger } from 'pino';
import type { ChainApi } from '../../chain/api';
import { RpcError, invalidParams } from '../error';
import type { Hex } from '../../util/hex';
import { arrayParam, hexParam, type OptionalOption } from '../params';
import type { RpcParams } from '../types';

/** sc-rpc-api error bases: chain 3000, state 4000 (+1 block range, +2 count, +3 client). */
export const CHAIN_OTHER_ERROR = 3001;
export const STATE_INVALID_BLOCK_RANGE = 4001;
export const STATE_INVALID_COUNT = 4002;
export const STATE_CLIENT_ERROR = 4003;

/**
 * What Substrate's state RPC answers for a block hash it does not hold. (A chain read at an
 * unknown block throws ChainError `UnknownBlock`, which the dispatcher maps to the same answer.)
 */
export function unknownBlock(hash: string): RpcError {
  return new RpcError(STATE_CLIENT_ERROR, `Client error: UnknownBlock: Header was not found in the database: ${hash}`);
}

/** Throws Substrate's UnknownBlock error when `at` is given and is not a block the chain holds. */
export async function requireBlock(chain: ChainApi, at: Hex | undefined): Promise<void> {
  if (at !== undefined && (await chain.header(at)) === null) throw unknownBlock(at);
}

/** A 32-byte block hash (H256), lowercased as Substrate prints it. */
export function blockHashParam(params: RpcParams, i: number, name: string): Hex;
export function blockHashParam(params: RpcParams, i: number, name: string, opts: { optional: true }): Hex | undefined;
export function blockHashParam(params: RpcParams, i: number, name: string, opts: OptionalOption = {}): Hex | undefined {
  const hash = opts.optional ? hexParam(params, i, name, { bytes: 32, optional: true }) : hexParam(params, i, name, { bytes: 32 });
  return hash === undefined ? undefined : lower(hash);
}

/** Storage keys are a few hashes long; far longer ones are refused before they are read. */
export const MAX_STORAGE_KEY_BYTES = 1024;
/** TFChain's largest block (BlockLength 5 MiB): no extrinsic can be longer. */
export const MAX_EXTRINSIC_BYTES = 5 * 1024 * 1024;
/** runtime API arguments: an extrinsic and its length at most */
export const MAX_CALL_DATA_BYTES = MAX_EXTRINSIC_BYTES + 16;

interface BytesOptions extends OptionalOption {
  maxBytes?: number;
}

/** Raw bytes (a storage key, an extrinsic, call data), lowercased; `maxBytes` is checked first. */
export function bytesParam(params: RpcParams, i: number, name: string, opts?: BytesOptions & { optional?: false }): Hex;
export function bytesParam(params: RpcParams, i: number, name: string, opts: BytesOptions & { optional: true }): Hex | undefined;
export function bytesParam(params: RpcParams, i: number, name: string, opts: BytesOptions = {}): Hex | undefined {
  const value = opts.optional
    ? hexParam(params, i, name, { optional: true, maxBytes: opts.maxBytes })
    : hexParam(params, i, name, { maxBytes: opts.maxBytes });
  return value === undefined ? undefined : lower(value);
}

/** A storage key or key prefix. */
export function storageKeyParam(params: RpcParams, i: number, name: string): Hex;
export function storageKeyParam(params: RpcParams, i: number, name: string, opts: { optional: true }): Hex | undefined;
export function storageKeyParam(params: RpcParams, i: number, name: string, opts: OptionalOption = {}): Hex | undefined {
  return opts.optional
    ? bytesParam(params, i, name, { optional: true, maxBytes: MAX_STORAGE_KEY_BYTES })
    : bytesParam(params, i, name, { maxBytes: MAX_STORAGE_KEY_BYTES });
}

/** A SCALE-encoded extrinsic, at most a block long. */
export function extrinsicParam(params: RpcParams, i: number, name: string): Hex {
  return bytesParam(params, i, name, { maxBytes: MAX_EXTRINSIC_BYTES });
}

/** most keys one storage query or subscription may name */
export const MAX_STORAGE_KEYS = 1000;

/** A list of storage keys, each validated, lowercased, duplicates dropped (order kept). */
export function storageKeysParam(params: RpcParams, i: number, name: string): Hex[];
export function storageKeysParam(params: RpcParams, i: number, name: string, opts: { optional: true }): Hex[] | undefined;
export function storageKeysParam(params: RpcParams, i: number, name: string, opts: OptionalOption = {}): Hex[] | undefined {
  const list = opts.optional ? arrayParam(params, i, name, { optional: true }) : arrayParam(params, i, name);
  if (list === undefined) return undefined;
  if (list.length > MAX_STORAGE_KEYS) throw invalidParams(`${name} may hold at most ${MAX_STORAGE_KEYS} keys, got ${list.length}`);
  const keys = list.map((_, k) => storageKeyParam(list, k, `${name}[${k}]`));
  return [...new Set(keys)];
}

/** A plain JSON object (not null, not an array). */
export function objectParam(params: RpcParams, i: number, name: string): Record<string, unknown> | undefined {
  const value = params[i];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParams(`${name} must be an object`);
  return value as Record<string, unknown>;
}

/** Block numbers in headers are hex (`"0x1a"`). */
export function headerNumber(header: { number: string }): number {
  return Number.parseInt(header.number.slice(2), 16);
}

function lower(hex: Hex): Hex {
  return hex.toLowerCase() as Hex;
}

export interface SerialQueue {
  /** Runs `task` after every task queued before it; the promise settles with the task. */
  run(task: () => void | Promise<void>): Promise<void>;
  /** Like run, for event listeners nobody awaits: a failure is logged, not thrown. */
  background(task: () => void | Promise<void>): void;
}

export function serialQueue(log: Logger, what: string): SerialQueue {
  let tail: Promise<void> = Promise.resolve();
  const run = (task: () => void | Promise<void>): Promise<void> => {
    const done = tail.then(task);
    tail = done.catch(() => undefined);
    return done;
  };
  return {
    run,
    background(task) {
      run(task).catch((err: unknown) => log.error({ err, subscription: what }, 'subscription update failed'));
    },
  };
}
