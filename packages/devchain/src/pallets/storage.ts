/** Typed access to one storage item, with the same keys and encoding as the real runtime. */
import { concatBytes, hashKey, twox128 } from '../crypto/hashing';
import { decode, encode } from '../scale/codec';
import { keyOf } from '../util/hex';
import type { Overlay, StateReader } from '../state/overlay';
import type { PalletDecl, StorageDecl } from './definition/types';

export class StorageItem<V, K extends unknown[] = unknown[]> {
  readonly prefix: Uint8Array;
  readonly prefixKey: string;

  constructor(
    readonly pallet: string,
    readonly decl: StorageDecl<V>,
  ) {
    this.prefix = concatBytes(twox128(new TextEncoder().encode(pallet)), twox128(new TextEncoder().encode(decl.name)));
    this.prefixKey = keyOf(this.prefix);
  }

  keyBytes(...keys: K): Uint8Array {
    const { hashers, keys: codecs } = this.decl;
    if (keys.length !== hashers.length) throw new Error(`${this.pallet}.${this.decl.name}: expected ${hashers.length} key(s)`);
    return concatBytes(this.prefix, ...hashers.map((h, i) => hashKey(h, encode(codecs[i]!, keys[i]))));
  }

  /** Hashing a key costs more than the rest of a read: hot keys (accounts) are remembered. */
  readonly #keyCache = new Map<string, string>();

  #plainKey: string | undefined;

  key(...keys: K): string {
    if (keys.length === 0) return (this.#plainKey ??= keyOf(this.keyBytes(...keys)));
    if (keys.length === 1 && keys[0] instanceof Uint8Array) {
      const id = keyOf(keys[0]);
      let k = this.#keyCache.get(id);
      if (k === undefined) {
        if (this.#keyCache.size >= 100_000) this.#keyCache.clear();
        k = keyOf(this.keyBytes(...keys));
        this.#keyCache.set(id, k);
      }
      return k;
    }
    return keyOf(this.keyBytes(...keys));
  }

  /** Default items read their fallback where nothing is stored; Optional items read undefined. */
  get(state: StateReader, ...keys: K): V | undefined {
    const raw = state.get(this.key(...keys));
    if (raw === undefined) return this.decl.modifier === 'Default' ? this.decl.fallback : undefined;
    return decode(this.decl.value, raw);
  }

  /** For Default items: the value or the fallback (never undefined). */
  read(state: StateReader, ...keys: K): V {
    const v = this.get(state, ...keys);
    if (v === undefined) throw new Error(`${this.pallet}.${this.decl.name} has no value and no fallback`);
    return v;
  }

  exists(state: StateReader, ...keys: K): boolean {
    return state.get(this.key(...keys)) !== undefined;
  }

  set(state: Overlay, value: V, ...keys: K): void {
    state.set(this.key(...keys), encode(this.decl.value, value));
  }

  remove(state: Overlay, ...keys: K): void {
    state.delete(this.key(...keys));
  }

  encodeValue(value: V): Uint8Array {
    return encode(this.decl.value, value);
  }
}

/** Looks up a pallet's storage item by name, so pallets bind their items once at load time. */
export function storageOf<V = any, K extends unknown[] = unknown[]>(pallet: PalletDecl, name: string): StorageItem<V, K> {
  const decl = pallet.storage?.find((s) => s.name === name);
  if (!decl) throw new Error(`${pallet.name} has no storage item ${name}`);
  return new StorageItem<V, K>(pallet.name, decl as StorageDecl<V>);
}
