/** Reads one finalized block by number: its hash, chain time and events (decoded with its own runtime's metadata by the client). */
import type { ApiPromise } from '@polkadot/api';
import { blockEvents, finalizedNumber } from '@tfgrid/client';
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

/** Timestamp.Now (a little-endian u64 of unix ms) read raw: no decorated API per block. */
async function blockTime(api: ApiPromise, hash: string): Promise<number> {
  const raw = await (api.rpc.state.getStorage as unknown as { raw(key: string, at: string): Promise<string | null> }).raw(TIMESTAMP_NOW_KEY, hash);
  if (!raw || raw.length < 18) return 0;
  return Math.floor(Number(Buffer.from(raw.slice(2, 18), 'hex').readBigUInt64LE(0)) / 1000);
}

export async function fetchBlock(api: ApiPromise, number: number): Promise<FetchedBlock> {
  const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
  const [events, timestamp] = await Promise.all([blockEvents(api, number, hash), blockTime(api, hash)]);
  return { number, hash, timestamp, events };
}

export const finalizedHeight = finalizedNumber;
