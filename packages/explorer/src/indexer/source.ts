/** Reads one finalized block by number: its hash, chain time and events (decoded with its own runtime's metadata by the client). */
import type { ApiPromise } from '@polkadot/api';
import { blockEvents, finalizedNumber } from '@tfgrid/client';
import type { BlockEvent } from './handlers';

export interface FetchedBlock {
  number: number;
  hash: string;
  /** Unix seconds. */
  timestamp: number;
  events: BlockEvent[];
}

export async function fetchBlock(api: ApiPromise, number: number): Promise<FetchedBlock> {
  const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
  const [events, now] = await Promise.all([blockEvents(api, number, hash), (await api.at(hash)).query.timestamp.now()]);
  return { number, hash, timestamp: Math.floor(Number((now as unknown as { toString(): string }).toString()) / 1000), events };
}

export const finalizedHeight = finalizedNumber;
