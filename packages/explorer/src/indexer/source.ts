/**
 * Reads finalized blocks by number: hash, chain time and events (decoded with each block's own
 * runtime metadata by the client), one block at a time or a range of blocks per round trip.
 */
import type { ApiPromise } from '@polkadot/api';
import { blockEventsWith, finalizedNumber, isLinkError, rangeEventsWith } from '@tfgrid/client';
import type { BlockEvent } from './handlers';

/** twox128("Timestamp") ++ twox128("Now"). */
const TIMESTAMP_NOW_KEY = '0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb';

export interface FetchedBlock {
  number: number;
  hash: string;
  /** Unix seconds. */
  timestamp: number;
  events: BlockEvent[];
}

/** Timestamp.Now: a little-endian u64 of unix ms. */
function blockTime(raw: string | null): number {
  if (!raw || raw.length < 18) return 0;
  return Math.floor(Number(Buffer.from(raw.slice(2, 18), 'hex').readBigUInt64LE(0)) / 1000);
}

export async function fetchBlock(api: ApiPromise, number: number): Promise<FetchedBlock> {
  const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
  // The time is read with the events (one round trip), which are decoded with the metadata of
  // the runtime version that made this block (the client follows upgrades from block to block).
  const { events, values } = await blockEventsWith(api, number, hash, [TIMESTAMP_NOW_KEY]);
  return { number, hash, timestamp: blockTime(values[0] ?? null), events };
}

type RawHash = { raw: (n: number) => Promise<string> };

/** Connections whose node refused a range read (Substrate serves state_queryStorage only as an unsafe method). */
const rangeRefused = new WeakSet<ApiPromise>();

/** Whether this connection's node refused range reads (the indexer then reads block by block). */
export const rangeReadsRefused = (api: ApiPromise): boolean => rangeRefused.has(api);

/**
 * Blocks `from`..`to` (at most MAX_RANGE_BLOCKS): two round trips for the whole range (both
 * ends' hashes together, then one state_queryStorage of the events, LastRuntimeUpgrade and
 * Timestamp.Now, which changes with every block so each block is in the answer). A node that
 * refuses the range read, or an answer missing a block, is read block by block instead.
 */
export async function fetchRange(api: ApiPromise, from: number, to: number): Promise<FetchedBlock[]> {
  if (to < from) return [];
  if (from === to || rangeRefused.has(api)) return Promise.all(blocksOf(api, from, to));
  const hashOf = (api.rpc.chain.getBlockHash as unknown as RawHash).raw;
  try {
    const [first, last] = await Promise.all([hashOf(from), hashOf(to)]);
    const range = await rangeEventsWith(api, from, to - from + 1, first, last, [TIMESTAMP_NOW_KEY]);
    if (range) return range.map((b) => ({ number: b.number, hash: b.hash, timestamp: blockTime(b.values[0] ?? null), events: b.events }));
  } catch (err) {
    if (isLinkError(err)) throw err;
    // An RPC error: the node does not serve ranges; the same answer would come every time.
    rangeRefused.add(api);
  }
  return Promise.all(blocksOf(api, from, to));
}

function blocksOf(api: ApiPromise, from: number, to: number): Promise<FetchedBlock>[] {
  return Array.from({ length: to - from + 1 }, (_, i) => fetchBlock(api, from + i));
}

export const finalizedHeight = finalizedNumber;
