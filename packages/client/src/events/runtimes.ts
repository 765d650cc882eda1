/**
 * The runtime that made each block, and one decoding registry per runtime version. Keyed by spec
 * name and version, never by a registry object: @polkadot/api re-initializes its default registry
 * in place on a runtime upgrade, so anything keyed by that object silently changes meaning (pallet
 * indices moved by an upgrade then name events after the wrong pallet).
 */
import type { ApiPromise } from '@polkadot/api';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { getSpecTypes } from '@polkadot/types-known';
import type { Registry } from '@polkadot/types/types';
import { compactFromU8a, hexToU8a, u8aToString } from '@polkadot/util';

/** twox128("System") ++ twox128("LastRuntimeUpgrade"): the version that executed the block, set by its first block. */
export const LAST_RUNTIME_UPGRADE_KEY = '0x26aa394eea5630e07c48ae0c9558cef7f9cce9c888469bb1a0dceaa129672ef8';

/** What decoding one runtime version's events needs; never changed once made. */
export interface BlockRuntime {
  specName: string;
  specVersion: number;
  registry: Registry;
  /** Pallet index → the metadata's pallet name. */
  pallets: ReadonlyMap<number, string>;
}

interface RuntimeVersionJson {
  specName: string;
  specVersion: number;
}

/** Most runtime versions kept per API (a chain has had a few hundred at most; each holds its metadata). */
const MAX_VERSIONS = 64;

type RawRpc<A extends unknown[], R> = { raw(...args: A): Promise<R> };

class RuntimeCatalog {
  readonly #api: ApiPromise;
  readonly #byVersion = new Map<string, Promise<BlockRuntime>>();
  /** Cleared when a chain's LastRuntimeUpgrade disagrees with the version of the block's parent state: then every block asks. */
  #lastUpgradeTrusted = true;

  constructor(api: ApiPromise) {
    this.#api = api;
  }

  /**
   * The runtime that executed block `blockHash`. `lastUpgrade` is System.LastRuntimeUpgrade read
   * raw at that block (read with its events, so it costs no round trip); when the chain keeps none,
   * the version of the parent state (the code that ran the block) is asked.
   */
  async forBlock(blockHash: string, lastUpgrade: string | null): Promise<BlockRuntime> {
    const claimed = this.#lastUpgradeTrusted && lastUpgrade ? decodeLastUpgrade(lastUpgrade) : null;
    if (claimed) {
      const known = this.#byVersion.get(versionKey(claimed));
      if (known) return known;
    }
    const parent = await this.#parentOf(blockHash);
    const version = await this.#rpc<[string], RuntimeVersionJson>('state', 'getRuntimeVersion')(parent);
    if (claimed && versionKey(claimed) !== versionKey(version)) this.#lastUpgradeTrusted = false;
    return this.#runtime(version, parent);
  }

  #runtime(version: RuntimeVersionJson, stateHash: string): Promise<BlockRuntime> {
    const key = versionKey(version);
    let r = this.#byVersion.get(key);
    if (!r) {
      r = this.#load(version, stateHash);
      // A failed load (a dropped link) is asked again next time, not remembered.
      r.catch(() => this.#byVersion.get(key) === r && this.#byVersion.delete(key));
      if (this.#byVersion.size >= MAX_VERSIONS) this.#byVersion.delete(this.#byVersion.keys().next().value!);
      this.#byVersion.set(key, r);
    }
    return r;
  }

  async #load(version: RuntimeVersionJson, stateHash: string): Promise<BlockRuntime> {
    const api = this.#api;
    const raw = await this.#rpc<[string], `0x${string}`>('state', 'getMetadata')(stateHash);
    const registry = new TypeRegistry(hexToU8a(stateHash));
    const metadata = new Metadata(registry, raw);
    registry.setChainProperties(api.registry.getChainProperties());
    registry.setKnownTypes(api.registry.knownTypes);
    const text = (s: string) => registry.createType('Text', s);
    registry.register(getSpecTypes(registry, text(api.runtimeChain.toString()), text(version.specName), version.specVersion));
    // Only events are decoded with it: signed extensions do not matter, and their warning would repeat per version.
    registry.setMetadata(metadata, undefined, undefined, true);
    const pallets = new Map<number, string>();
    for (const p of metadata.asLatest.pallets) pallets.set(p.index.toNumber(), p.name.toString());
    return { specName: version.specName, specVersion: version.specVersion, registry, pallets };
  }

  async #parentOf(blockHash: string): Promise<string> {
    const header = await this.#rpc<[string], { parentHash: string; number: string }>('chain', 'getHeader')(blockHash);
    // The genesis block has no parent: its own state holds the code it was built with.
    return Number(header.number) === 0 ? blockHash : header.parentHash;
  }

  /** Raw RPC calls: @polkadot/api's decoded ones at a block hash swap in its own (mutable) registry. */
  #rpc<A extends unknown[], R>(section: 'state' | 'chain', method: string): (...args: A) => Promise<R> {
    const rpc = (this.#api.rpc as unknown as Record<string, Record<string, RawRpc<A, R>>>)[section]![method]!;
    return (...args: A) => rpc.raw(...args);
  }
}

const catalogs = new WeakMap<ApiPromise, RuntimeCatalog>();

/** The runtime catalog of one API connection. */
export function runtimesOf(api: ApiPromise): RuntimeCatalog {
  let c = catalogs.get(api);
  if (!c) catalogs.set(api, (c = new RuntimeCatalog(api)));
  return c;
}

function versionKey(v: RuntimeVersionJson): string {
  return `${v.specName}@${v.specVersion}`;
}

/** frame_system::LastRuntimeUpgradeInfo: Compact<u32> spec_version, then spec_name as a String. */
function decodeLastUpgrade(hex: string): RuntimeVersionJson | null {
  try {
    const bytes = hexToU8a(hex);
    const [n, version] = compactFromU8a(bytes);
    const [m, length] = compactFromU8a(bytes.subarray(n));
    const end = n + m + length.toNumber();
    if (end !== bytes.length) return null;
    return { specVersion: version.toNumber(), specName: u8aToString(bytes.subarray(n + m, end)) };
  } catch {
    return null;
  }
}
