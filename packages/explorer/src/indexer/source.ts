/** Reads one finalized block by number: its hash, chain time and events (decoded with its own runtime's metadata by the client). */
import type { ApiPromise } from '@polkadot/api';
import { blockEventsWith, finalizedNumber } from '@tfgrid/client';
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

export const finalizedHeight = finalizedNumber;
