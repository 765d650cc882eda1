/** What every module gets from the client: the API, a way to send, and the signer's address. */
import type { ApiPromise } from '@polkadot/api';
import type { ApiDecoration, SubmittableExtrinsic } from '@polkadot/api/types';
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

/** The data of the first `section.method` event of a result (e.g. `tfgridModule.TwinStored`). */
export function eventData(r: TxResult, name: string): unknown[] | undefined {
  const [section, method] = name.split('.');
  return r.events.find((e) => e.section === section && e.method === method)?.data;
}

/** A storage value as primitives: Bytes as text when printable, numbers as numbers, Option as null. */
export function prim<T>(codec: Codec): T {
  return codec.toPrimitive() as T;
}

/** The inner value of a storage Option, or undefined. */
export function unwrap(codec: Codec): Codec | undefined {
  const o = codec as unknown as { isSome?: boolean; isNone?: boolean; unwrap(): Codec };
  if (o.isNone) return undefined;
  return o.isSome ? o.unwrap() : codec;
}

/** A BTreeMap-free way to name enum values: basic enums are their name; `{down: 12}` → 'Down'. */
export function enumName(v: unknown): string {
  if (typeof v === 'string') return v;
  const key = Object.keys(v as object)[0]!;
  return key.charAt(0).toUpperCase() + key.slice(1);
}
