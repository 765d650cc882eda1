/** Reads one finalized block by number: its hash, chain time and events (decoded with its own runtime's metadata). */
import type { ApiPromise } from '@polkadot/api';
import type { BlockEvent } from './handlers';

export interface FetchedBlock {
  number: number;
  hash: string;
  /** Unix seconds. */
  timestamp: number;
  events: BlockEvent[];
}

interface RawRecord {
  event: { index: Uint8Array; section: string; method: string; data: { toJSON(): unknown }[] };
}

export async function fetchBlock(api: ApiPromise, number: number): Promise<FetchedBlock> {
  const hash = (await api.rpc.chain.getBlockHash(number)).toHex();
  const at = await api.at(hash);
  const [records, now] = await Promise.all([at.query.system.events(), at.query.timestamp.now()]);
  const pallets = new Map<number, string>();
  for (const p of at.registry.metadata.pallets) pallets.set(p.index.toNumber(), p.name.toString());
  const events = (records as unknown as RawRecord[]).map((r, eventIndex) => ({
    name: `${pallets.get(r.event.index[0]) ?? r.event.section}.${r.event.method}`,
    data: r.event.data.map((x) => x.toJSON()),
    eventIndex,
  }));
  return { number, hash, timestamp: Math.floor(Number((now as unknown as { toString(): string }).toString()) / 1000), events };
}

export async function finalizedHeight(api: ApiPromise): Promise<number> {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}
