/** What every module gets from the client: the API, a way to send, and the signer's address. */
import type { ApiPromise } from '@polkadot/api';
import type { ApiDecoration, SubmittableExtrinsic } from '@polkadot/api/types';
import type { StorageKey } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import type { SubmitOptions, TxResult } from '../tx/types';

export interface ModuleContext {
  api: ApiPromise;
  /** Signs with the client's key through its queue. */
  send(tx: SubmittableExtrinsic<'promise'>, options?: SubmitOptions): Promise<TxResult>;
  /** The signer's address; throws when the client has no key. */
  address(): string;
}

/** Reads at a block hash when one is given (an indexer's view of the past), else at the best block. */
export type ReadOptions = { at?: string };

export async function reader(api: ApiPromise, at?: string): Promise<ApiPromise | ApiDecoration<'promise'>> {
  return at ? api.at(at) : api;
}

/** The code of the failure a module reading a storage item the runtime lacks gives. */
export const RUNTIME_LACKS_ITEM = 'RUNTIME_LACKS_ITEM';

/** The runtime (at the block read) declares no such storage item: another runtime version than the client knows. */
export class RuntimeItemMissingError extends Error {
  override name = 'RuntimeItemMissingError';
  readonly code = RUNTIME_LACKS_ITEM;
  constructor(
    /** @polkadot/api's section name, e.g. 'tftPriceModule'. */
    readonly section: string,
    readonly item: string,
    readonly at?: string,
  ) {
    super(`the runtime${at ? ` at block ${at}` : ''} has no storage item ${section}.${item}`);
  }
}

type StorageQuery = ((...args: unknown[]) => Promise<Codec>) & { entries(...args: unknown[]): Promise<[StorageKey, Codec][]> };

/**
 * Storage items of one pallet, checked to exist before any query starts: a runtime without one
 * gives a RuntimeItemMissingError through the promise (no query is left running unawaited).
 */
export async function storageItems<K extends string>(
  api: ApiPromise,
  at: string | undefined,
  section: string,
  items: readonly K[],
): Promise<Record<K, StorageQuery>> {
  const r = await reader(api, at);
  const pallet = (r.query as unknown as Record<string, Record<string, StorageQuery | undefined> | undefined>)[section];
  const out = {} as Record<K, StorageQuery>;
  for (const item of items) {
    const q = pallet?.[item];
    if (typeof q !== 'function') throw new RuntimeItemMissingError(section, item, at);
    out[item] = q;
  }
  return out;
}

/** One storage item (see storageItems). */
export async function storageItem(api: ApiPromise, at: string | undefined, section: string, item: string): Promise<StorageQuery> {
  return (await storageItems(api, at, section, [item]))[item];
}

/** The data of the first `section.method` event of a result (e.g. `tfgridModule.TwinStored`). */
export function eventData(r: TxResult, name: string): unknown[] | undefined {
  const [section, method] = name.split('.');
  return r.events.find((e) => e.section === section && e.method === method)?.data;
}

/** The code of the failure when a transaction's result lacks the event that answers its caller. */
export const EVENT_MISSING = 'EVENT_MISSING';

/** The first argument of the first `section.method` event of a result; throws (`EVENT_MISSING`) when there is none. */
export function eventArg(r: TxResult, name: string): unknown {
  const data = eventData(r, name);
  if (!data) throw Object.assign(new Error(`transaction ${r.hash} emitted no ${name} event`), { code: EVENT_MISSING });
  return data[0];
}

/** A storage value as primitives: Bytes as text when printable, numbers as numbers, Option as null. */
export function prim<T>(codec: Codec): T {
  return codec.toPrimitive() as T;
}

/** The entry `section.item(key)` (at block `at`) decoded from its JSON by `decode`; undefined when the Option holds none. */
export async function readEntry<T>(
  api: ApiPromise,
  at: string | undefined,
  section: string,
  item: string,
  key: unknown,
  decode: (json: unknown) => T,
): Promise<T | undefined> {
  const v = unwrap(await (await storageItem(api, at, section, item))(key));
  return v ? decode(v.toJSON()) : undefined;
}

/** The inner value of a storage Option, or undefined. */
export function unwrap(codec: Codec): Codec | undefined {
  const o = codec as unknown as { isSome?: boolean; isNone?: boolean; unwrap(): Codec };
  if (o.isNone) return undefined;
  return o.isSome ? o.unwrap() : codec;
}
