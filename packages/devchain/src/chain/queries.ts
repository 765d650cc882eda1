/** What the RPC layer reads from the chain: blocks, state, runtime version and metadata, runtime API calls. */
import { decodeAddress } from '@polkadot/util-crypto';
import { CODE_KEY, useVariant, variantOfCode, type RuntimeVariant } from '../runtime/variant';
import { runtimeVersionJson } from '../runtime/version';
import { fromHex, isHex, preview, toHex, type Hex } from '../util/hex';
import type { HeaderJson, RuntimeVersionJson, SignedBlockJson } from './api';
import { ChainError } from './error';
import { headerJson } from './header';
import type { BlockProducer } from './producer';
import { callRuntimeApi, queryInfoJson, type RuntimeApiHost } from './runtime-api';

export class ChainQueries {
  constructor(readonly producer: BlockProducer) {}

  async blockHash(n?: number): Promise<Hex | null> {
    const { head, store } = this.producer;
    if (n === undefined) return head.hex;
    if (n > head.number || n < 0) return null;
    const h = this.producer.recentHash(n);
    if (h) return toHex(h);
    await store.flushed();
    const b = await store.blockByNumber(n);
    return b ? (b.hash as Hex) : null;
  }

  async header(hash?: Hex): Promise<HeaderJson | null> {
    const { head } = this.producer;
    if (hash === undefined || hash.toLowerCase() === head.hex) return headerJson(head.header);
    const b = await this.producer.blockAt(hash);
    return b ? headerJson(b.header) : null;
  }

  async block(hash?: Hex): Promise<SignedBlockJson | null> {
    const b = await this.producer.blockAt(hash);
    if (!b) return null;
    return { block: { header: headerJson(b.header), extrinsics: b.extrinsics.map(toHex) }, justifications: null };
  }

  async runtimeVersion(at?: Hex): Promise<RuntimeVersionJson> {
    return runtimeVersionJson((await this.#variantAt(await this.#at(at))).version);
  }

  async metadata(at?: Hex): Promise<Hex> {
    return toHex((await this.#variantAt(await this.#at(at))).metadata.v14);
  }

  /** The runtime block n's state names in `:code`. */
  async #variantAt(n: number): Promise<RuntimeVariant> {
    if (n === this.producer.head.number) return this.producer.variant;
    return variantOfCode(await this.#value(CODE_KEY, n));
  }

  /** The block number a query refers to; throws UnknownBlock for hashes this node does not hold. */
  async #at(at?: Hex): Promise<number> {
    if (at === undefined) return this.producer.head.number;
    const n = await this.producer.numberOf(at);
    if (n === undefined) throw new ChainError('UnknownBlock', `Header was not found in the database: ${at}`);
    return n;
  }

  async #value(key: string, n: number): Promise<Uint8Array | undefined> {
    const { state, store } = this.producer;
    if (n === this.producer.head.number) return state.get(key);
    await store.flushed();
    return store.valueAt(key, n);
  }

  async storage(key: Hex, at?: Hex): Promise<Hex | null> {
    const n = await this.#at(at);
    const v = await this.#value(key.slice(2).toLowerCase(), n);
    return v ? toHex(v) : null;
  }

  async storageKeys(prefix: Hex, at?: Hex, count?: number, startKey?: Hex): Promise<Hex[]> {
    const n = await this.#at(at);
    const p = prefix.slice(2).toLowerCase();
    const start = startKey?.slice(2).toLowerCase();
    let keys: string[];
    if (n === this.producer.head.number) {
      keys = this.producer.state.keys(p);
      if (start) keys = keys.filter((k) => k > start);
      if (count !== undefined) keys = keys.slice(0, count);
    } else {
      await this.producer.store.flushed();
      keys = await this.producer.store.keysAt(p, n, count, start);
    }
    return keys.map((k) => `0x${k}` as Hex);
  }

  async call(method: string, data: Hex, at?: Hex): Promise<Hex> {
    const n = await this.#at(at);
    const v = await this.#variantAt(n);
    const host: RuntimeApiHost = {
      executive: this.producer.executive,
      metadata: v.metadata,
      version: v.version,
      valueAt: (key, at) => this.#value(key, at),
    };
    // Inputs (extrinsics) are decoded synchronously from here on, with the runtime of block n.
    useVariant(v);
    return toHex(await callRuntimeApi(host, method, fromHex(data), n));
  }

  async queryInfo(extrinsic: Hex, at?: Hex): Promise<unknown> {
    await this.#at(at);
    useVariant(this.producer.variant);
    return queryInfoJson(this.producer.executive, fromHex(extrinsic));
  }

  async accountNextIndex(address: string): Promise<number> {
    let who: Uint8Array;
    try {
      who = isHex(address) && address.length === 66 ? fromHex(address) : decodeAddress(address);
    } catch {
      throw new ChainError('InvalidParams', `${preview(address)} is not an SS58 address or 32-byte hex account`);
    }
    return this.producer.nextNonce(who);
  }
}
