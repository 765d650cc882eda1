/** One block's events as plain objects, decoded with the metadata of the runtime that made the block. */
import type { ApiPromise } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { Registry } from '@polkadot/types/types';
import { hexToU8a } from '@polkadot/util';
import type { ChainEvent, EventPhase } from './types';

/** twox128("System") ++ twox128("Events"): the same in every runtime version. */
export const SYSTEM_EVENTS_KEY = '0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7';

type RawStorage = (key: string, at: string) => Promise<string | null>;

export async function blockEvents(api: ApiPromise, blockNumber: number, blockHash: string): Promise<ChainEvent[]> {
  const { registry, events } = await rawBlockEvents(api, blockHash);
  return decodeEvents(registry, events, blockNumber, blockHash);
}

/** A block's System.Events records (codecs), read as `blockEvents` reads them. */
export async function blockEventRecords(api: ApiPromise, blockHash: string): Promise<EventRecord[]> {
  const { registry, events } = await rawBlockEvents(api, blockHash);
  if (events === null || events.length === 0) return [];
  return registry.createType('Vec<EventRecord>', events) as unknown as EventRecord[];
}

async function rawBlockEvents(api: ApiPromise, blockHash: string): Promise<{ registry: Registry; events: string | null }> {
  // The registry of the block's runtime version (cached per version by @polkadot/api), so blocks
  // from before a runtime upgrade decode with the metadata they were written with. Storage is read
  // raw: api.at() would build a whole decorated API per block, which dominates a backfill; and
  // @polkadot/api keeps the failure of a decoded read at a block hash caught by a dropped link
  // (its memo replays it), while raw reads are asked again.
  const raw = (api.rpc.state.getStorage as unknown as { raw: RawStorage }).raw;
  const [{ registry }, events] = await Promise.all([api.getBlockRegistry(hexToU8a(blockHash)), raw(SYSTEM_EVENTS_KEY, blockHash)]);
  return { registry, events };
}

const palletNames = new WeakMap<Registry, Map<number, string>>();

/** Decodes a block's raw System.Events value with the registry of its runtime. */
export function decodeEvents(registry: Registry, raw: string | Uint8Array | null, blockNumber: number, blockHash: string): ChainEvent[] {
  if (raw === null || raw.length === 0) return [];
  let pallets = palletNames.get(registry);
  if (!pallets) {
    pallets = new Map();
    for (const p of registry.metadata.pallets) pallets.set(p.index.toNumber(), p.name.toString());
    palletNames.set(registry, pallets);
  }
  const records = registry.createType('Vec<EventRecord>', raw) as unknown as EventRecord[];
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
  // Raw, like the storage reads above: a decoded header read at a hash can keep a dropped link's failure.
  const header = await (api.rpc.chain.getHeader as unknown as { raw(h: unknown): Promise<{ number: string }> }).raw(hash);
  return Number(header.number);
}
