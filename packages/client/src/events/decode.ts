/** One block's events as plain objects, decoded with the metadata of the runtime that made the block. */
import type { ApiPromise } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import { LAST_RUNTIME_UPGRADE_KEY, runtimesOf, type BlockRuntime } from './runtimes';
import type { ChainEvent, EventPhase } from './types';

/** twox128("System") ++ twox128("Events"): the same in every runtime version. */
export const SYSTEM_EVENTS_KEY = '0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7';

/** Most extra keys read with a block's events (a node caps a storage query's keys too). */
export const MAX_EXTRA_KEYS = 64;

type StorageAt = (keys: string[], at: string) => Promise<{ block: string; changes: [string, string | null][] }[]>;

export async function blockEvents(api: ApiPromise, blockNumber: number, blockHash: string): Promise<ChainEvent[]> {
  return (await blockEventsWith(api, blockNumber, blockHash, [])).events;
}

/**
 * A block's events and the raw values of `keys` at that block, read in the same round trip (an
 * indexer's Timestamp.Now, say).
 */
export async function blockEventsWith(
  api: ApiPromise,
  blockNumber: number,
  blockHash: string,
  keys: readonly string[],
): Promise<{ events: ChainEvent[]; values: (string | null)[] }> {
  if (keys.length > MAX_EXTRA_KEYS)
    throw new RangeError(`at most ${MAX_EXTRA_KEYS} keys are read with a block's events, got ${keys.length}`);
  const { runtime, events, values } = await rawBlockEvents(api, blockHash, keys);
  return { events: decodeEvents(runtime, events, blockNumber, blockHash), values };
}

/** Most blocks one `rangeEventsWith` reads (its reply holds every block's events). */
export const MAX_RANGE_BLOCKS = 1000;

type StorageRange = (keys: string[], from: string, to: string) => Promise<{ block: string; changes: [string, string | null][] }[]>;

/**
 * The events and the raw values of `keys` of blocks `firstNumber`..`firstNumber + count - 1`
 * (hashes `fromHash`, `toHash`), in one `state_queryStorage` over the range: it answers every
 * key at the first block, then the keys that changed at each later block. Every block must be
 * in the answer for its hash to be known, so `keys` should hold one that changes with every
 * block (Timestamp.Now does); when a block is missing the answer is null (read those blocks one
 * by one). Each block is decoded with the runtime version that made it, as `blockEventsWith`
 * does, so an upgrade inside the range switches metadata at the block that names it. Substrate
 * serves the call only with unsafe RPC methods: its refusal is the caller's to handle.
 */
export async function rangeEventsWith(
  api: ApiPromise,
  firstNumber: number,
  count: number,
  fromHash: string,
  toHash: string,
  keys: readonly string[],
): Promise<{ number: number; hash: string; events: ChainEvent[]; values: (string | null)[] }[] | null> {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_RANGE_BLOCKS)
    throw new RangeError(`a range holds 1 to ${MAX_RANGE_BLOCKS} blocks, got ${count}`);
  if (keys.length > MAX_EXTRA_KEYS)
    throw new RangeError(`at most ${MAX_EXTRA_KEYS} keys are read with a block's events, got ${keys.length}`);
  const query = (api.rpc.state.queryStorage as unknown as { raw: StorageRange }).raw;
  const all = [SYSTEM_EVENTS_KEY, LAST_RUNTIME_UPGRADE_KEY, ...keys].map((k) => k.toLowerCase());
  const sets = await query(all, fromHash, toHash);
  if (
    sets.length !== count ||
    sets[0]?.block.toLowerCase() !== fromHash.toLowerCase() ||
    sets[count - 1]?.block.toLowerCase() !== toHash.toLowerCase()
  )
    return null;
  // The values so far: a key absent from a block's changes kept its previous block's value.
  const current = new Map<string, string | null>();
  const out: { number: number; hash: string; events: ChainEvent[]; values: (string | null)[] }[] = [];
  for (let i = 0; i < count; i++) {
    const { block: hash, changes } = sets[i]!;
    for (const [k, v] of changes) current.set(k.toLowerCase(), v);
    const [events = null, lastUpgrade = null, ...values] = all.map((k) => current.get(k) ?? null);
    const runtime = await runtimesOf(api).forBlock(hash, lastUpgrade);
    out.push({ number: firstNumber + i, hash, events: decodeEvents(runtime, events, firstNumber + i, hash), values });
  }
  return out;
}

/** A block's System.Events records (codecs), read as `blockEvents` reads them. */
export async function blockEventRecords(api: ApiPromise, blockHash: string): Promise<EventRecord[]> {
  const { runtime, events } = await rawBlockEvents(api, blockHash, []);
  if (events === null || events.length === 0) return [];
  return runtime.registry.createType('Vec<EventRecord>', events) as unknown as EventRecord[];
}

async function rawBlockEvents(
  api: ApiPromise,
  blockHash: string,
  keys: readonly string[],
): Promise<{ runtime: BlockRuntime; events: string | null; values: (string | null)[] }> {
  // One read for the events, the version of the runtime that executed the block
  // (System.LastRuntimeUpgrade) and the caller's keys. Raw: api.at() would build a whole decorated
  // API per block, which dominates a backfill; and @polkadot/api keeps the failure of a decoded
  // read at a block hash caught by a dropped link (its memo replays it), while raw reads are asked again.
  const query = (api.rpc.state.queryStorageAt as unknown as { raw: StorageAt }).raw;
  const all = [SYSTEM_EVENTS_KEY, LAST_RUNTIME_UPGRADE_KEY, ...keys];
  const sets = await query(all, blockHash);
  const found = new Map<string, string | null>();
  for (const set of sets) for (const [k, v] of set.changes) found.set(k.toLowerCase(), v);
  const [events = null, lastUpgrade = null, ...values] = all.map((k) => found.get(k.toLowerCase()) ?? null);
  // Decoded with the registry of the runtime version that made the block, so blocks from before
  // a runtime upgrade decode with the metadata they were written with, and after it with the new one.
  const runtime = await runtimesOf(api).forBlock(blockHash, lastUpgrade);
  return { runtime, events, values };
}

/** Decodes a block's raw System.Events value with the runtime version that made the block. */
export function decodeEvents(runtime: BlockRuntime, raw: string | Uint8Array | null, blockNumber: number, blockHash: string): ChainEvent[] {
  if (raw === null || raw.length === 0) return [];
  const { registry, pallets } = runtime;
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
