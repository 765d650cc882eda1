/** Chain spec (Substrate's human-readable shape) → genesis state and genesis header. */
import { readFileSync } from 'node:fs';
import { blake2_256, concatBytes } from '../crypto/hashing';
import {
  Account,
  LastRuntimeUpgrade,
  NEW_LOGIC_FLAG,
  ParentHash,
  BlockHash,
  UpgradedToTripleRefCount,
  UpgradedToU32RefCount,
} from '../pallets/system';
import { TotalIssuance } from '../pallets/balances';
import { Members as CouncilMembers } from '../pallets/council';
import { MembershipMembers } from '../pallets/council-membership';
import { keyOf } from '../util/hex';
import { pallets } from '../runtime/pallets';
import { Executive } from '../runtime/executive';
import { ChainSpecError, resolveAccount } from '../pallets/genesis-input';
import { encodeHeader } from './header';
import { Overlay, MemoryState } from '../state/overlay';

export { ChainSpecError, resolveAccount };

export interface ChainSpec {
  name: string;
  id: string;
  chainType: 'Development' | 'Local' | 'Live';
  properties: Record<string, unknown>;
  genesis: {
    balances?: { balances: [string, string | number][] };
    council?: { members: string[] };
    councilMembership?: { members: string[] };
    aura?: { authorities: string[] };
    [pallet: string]: unknown;
  };
}

export function loadChainSpec(file: string): ChainSpec {
  let spec: ChainSpec;
  try {
    spec = JSON.parse(readFileSync(file, 'utf8')) as ChainSpec;
  } catch (e) {
    throw new ChainSpecError(`cannot read chain spec ${file}: ${(e as Error).message}`);
  }
  for (const field of ['name', 'id', 'genesis'] as const) {
    if (!spec[field]) throw new ChainSpecError(`chain spec ${file} has no "${field}"`);
  }
  spec.chainType ??= 'Development';
  spec.properties ??= {};
  return spec;
}

/** The dev chain's block author (fees go to it, as DealWithFees pays the Aura author). */
export function authorOf(spec: ChainSpec): Uint8Array {
  return resolveAccount(spec.genesis.aura?.authorities[0] ?? '//Alice');
}

/** Substrate's placeholder for the parent of block 1 (`hash69`). */
const HASH69 = new Uint8Array(32).fill(69);
/** The root of an empty trie (blake2-256): the extrinsics root of a block with none. */
export const EMPTY_TRIE_ROOT = Uint8Array.from(Buffer.from('03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314', 'hex'));

export interface Genesis {
  state: MemoryState;
  header: Uint8Array;
  hash: Uint8Array;
  stateRoot: Uint8Array;
}

export function buildGenesis(spec: ChainSpec, version: { specVersion: number; specName: string }): Genesis {
  const state = new Overlay(new MemoryState());
  let issuance = 0n;
  for (const [who, amount] of spec.genesis.balances?.balances ?? []) {
    const free = BigInt(amount);
    if (free < 500n) throw new ChainSpecError(`chain spec: balance of ${who} is below the existential deposit (500)`);
    Account.set(
      state,
      { nonce: 0, consumers: 0, providers: 1, sufficients: 0, data: { free, reserved: 0n, frozen: 0n, flags: NEW_LOGIC_FLAG } },
      resolveAccount(who),
    );
    issuance += free;
  }
  TotalIssuance.set(state, issuance);
  const sorted = (l: string[]): Uint8Array[] => l.map(resolveAccount).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  CouncilMembers.set(state, sorted(spec.genesis.council?.members ?? []));
  MembershipMembers.set(state, sorted(spec.genesis.councilMembership?.members ?? spec.genesis.council?.members ?? []));
  BlockHash.set(state, HASH69, 0);
  ParentHash.set(state, HASH69);
  UpgradedToU32RefCount.set(state, true);
  UpgradedToTripleRefCount.set(state, true);
  LastRuntimeUpgrade.set(state, { spec_version: version.specVersion, spec_name: version.specName });
  state.set(keyOf(new TextEncoder().encode(':extrinsic_index')), new Uint8Array(4));
  new Executive(pallets).genesis(state, spec.genesis as Record<string, unknown>);

  const memory = new MemoryState();
  memory.apply(state.changes);
  const keys = [...state.changes.keys()].sort();
  const stateRoot = blake2_256(concatBytes(...keys.flatMap((k) => [Buffer.from(k, 'hex'), state.changes.get(k)!])));
  const header = encodeHeader({
    parentHash: new Uint8Array(32),
    number: 0,
    stateRoot,
    extrinsicsRoot: EMPTY_TRIE_ROOT,
    digest: { logs: [] },
  });
  return { state: memory, header, hash: blake2_256(header), stateRoot };
}
