/** One block's events as plain objects, decoded with the metadata of the runtime that made the block. */
import type { ApiPromise } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { ChainEvent, EventPhase } from './types';

export async function blockEvents(api: ApiPromise, blockNumber: number, blockHash: string): Promise<ChainEvent[]> {
  // api.at loads the registry of the block's runtime version, so blocks from before a runtime
  // upgrade decode with the metadata they were written with.
  const at = await api.at(blockHash);
  const records = (await at.query.system.events()) as unknown as EventRecord[];
  const pallets = new Map<number, string>();
  for (const p of at.registry.metadata.pallets) pallets.set(p.index.toNumber(), p.name.toString());
  return records.map((r, eventIndex) => {
    const { event, phase } = r;
    const pallet = pallets.get(event.index[0]) ?? event.section;
    const data = event.data.map((x) => x.toJSON());
    const names = event.data.names;
    const fields = names && names.length === data.length ? Object.fromEntries(names.map((n, i) => [n, data[i]])) : null;
    return {
      blockNumber,
      blockHash,
      eventIndex,
      extrinsicIndex: phase.isApplyExtrinsic ? phase.asApplyExtrinsic.toNumber() : null,
      phase: phase.type as EventPhase,
      section: event.section,
      method: event.method,
      pallet,
      name: `${pallet}.${event.method}`,
      data,
      fields,
      cursor: { blockNumber, eventIndex },
    };
  });
}

/** The number of the chain's finalized head. */
export async function finalizedNumber(api: ApiPromise): Promise<number> {
  const hash = await api.rpc.chain.getFinalizedHead();
  return (await api.rpc.chain.getHeader(hash)).number.toNumber();
}
