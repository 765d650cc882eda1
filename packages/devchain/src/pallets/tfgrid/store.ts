/** TfgridModule's declaration, its storage items and the JS shapes of its stored values. */
import type { StateReader } from '../../state/overlay';
import { decode, type Enum } from '../../scale/codec';
import { moduleError, type DispatchFailure } from '../dispatch';
import { storageOf, type StorageItem } from '../storage';
import { palletDecl } from '../decls';
import type { ValueOf } from '../../scale/codec';
import type { Policy as PolicyCodec, PricingPolicy as PricingPolicyCodec } from '../definition/tfgrid-types';

/** Stored shapes come from the declaration, so they cannot drift from the metadata. */
export type Policy = ValueOf<typeof PolicyCodec>;
export type PricingPolicy = ValueOf<typeof PricingPolicyCodec>;

export const tfgrid = palletDecl('TfgridModule');

/** `TfgridModule.<name>` as a DispatchFailure. */
export const err = (name: string): DispatchFailure => moduleError(tfgrid, name);

export interface PublicIP {
  ip: Uint8Array;
  gateway: Uint8Array;
  contract_id: bigint;
}
export interface FarmingPolicyLimit {
  farming_policy_id: number;
  cu?: bigint;
  su?: bigint;
  end?: bigint;
  node_count?: number;
  node_certification: boolean;
}
export interface Farm {
  version: number;
  id: number;
  name: Uint8Array;
  twin_id: number;
  pricing_policy_id: number;
  certification: Enum;
  public_ips: PublicIP[];
  dedicated_farm: boolean;
  farming_policy_limits?: FarmingPolicyLimit;
}
export interface Resources {
  hru: bigint;
  sru: bigint;
  cru: bigint;
  mru: bigint;
}
export interface Location {
  city: Uint8Array;
  country: Uint8Array;
  latitude: Uint8Array;
  longitude: Uint8Array;
}
export interface Interface {
  name: Uint8Array;
  mac: Uint8Array;
  ips: Uint8Array[];
}
export interface PublicConfig {
  ip4: { ip: Uint8Array; gw: Uint8Array };
  ip6?: { ip: Uint8Array; gw: Uint8Array };
  domain?: Uint8Array;
}
export interface Node {
  version: number;
  id: number;
  farm_id: number;
  twin_id: number;
  resources: Resources;
  location: Location;
  public_config?: PublicConfig;
  created: bigint;
  farming_policy_id: number;
  interfaces: Interface[];
  certification: Enum;
  secure_boot: boolean;
  virtualized: boolean;
  serial_number?: Uint8Array;
  connection_price: number;
}
export interface EntityProof {
  entity_id: number;
  signature: Uint8Array;
}
export interface Twin {
  id: number;
  account_id: Uint8Array;
  relay?: Uint8Array;
  entities: EntityProof[];
  pk?: Uint8Array;
}
export interface Entity {
  version: number;
  id: number;
  name: Uint8Array;
  account_id: Uint8Array;
  country: Uint8Array;
  city: Uint8Array;
}
export interface FarmingPolicy {
  version: number;
  id: number;
  name: Uint8Array;
  cu: number;
  su: number;
  nu: number;
  ipv4: number;
  minimal_uptime: number;
  policy_created: number;
  policy_end: number;
  immutable: boolean;
  default: boolean;
  node_certification: Enum;
  farm_certification: Enum;
}
export interface TermsAndConditions {
  account_id: Uint8Array;
  timestamp: bigint;
  document_link: Uint8Array;
  document_hash: Uint8Array;
}
export interface NodePowerValue {
  state: Enum;
  target: Enum;
}

export const Farms = storageOf<Farm, [number]>(tfgrid, 'Farms');
export const NodesByFarmID = storageOf<number[], [number]>(tfgrid, 'NodesByFarmID');
export const FarmIdByName = storageOf<number, [Uint8Array]>(tfgrid, 'FarmIdByName');
export const FarmPayoutV2AddressByFarmID = storageOf<Uint8Array, [number]>(tfgrid, 'FarmPayoutV2AddressByFarmID');
export const Nodes = storageOf<Node, [number]>(tfgrid, 'Nodes');
export const NodeIdByTwinID = storageOf<number, [number]>(tfgrid, 'NodeIdByTwinID');
export const Entities = storageOf<Entity, [number]>(tfgrid, 'Entities');
export const EntityIdByAccountID = storageOf<number, [Uint8Array]>(tfgrid, 'EntityIdByAccountID');
export const EntityIdByName = storageOf<number, [Uint8Array]>(tfgrid, 'EntityIdByName');
export const Twins = storageOf<Twin, [number]>(tfgrid, 'Twins');
export const TwinIdByAccountID = storageOf<number, [Uint8Array]>(tfgrid, 'TwinIdByAccountID');
export const TwinBoundedAccountID = storageOf<Uint8Array, [number]>(tfgrid, 'TwinBoundedAccountID');
export const PricingPolicies = storageOf<PricingPolicy, [number]>(tfgrid, 'PricingPolicies');
export const PricingPolicyIdByName = storageOf<number, [Uint8Array]>(tfgrid, 'PricingPolicyIdByName');
export const FarmingPoliciesMap = storageOf<FarmingPolicy, [number]>(tfgrid, 'FarmingPoliciesMap');
export const UsersTermsAndConditions = storageOf<TermsAndConditions[], [Uint8Array]>(tfgrid, 'UsersTermsAndConditions');
export const AllowedNodeCertifiers = storageOf<Uint8Array[], []>(tfgrid, 'AllowedNodeCertifiers');
export const ConnectionPrice = storageOf<number, []>(tfgrid, 'ConnectionPrice');
export const FarmID = storageOf<number, []>(tfgrid, 'FarmID');
export const NodeID = storageOf<number, []>(tfgrid, 'NodeID');
export const EntityID = storageOf<number, []>(tfgrid, 'EntityID');
export const TwinID = storageOf<number, []>(tfgrid, 'TwinID');
export const PricingPolicyID = storageOf<number, []>(tfgrid, 'PricingPolicyID');
export const FarmingPolicyID = storageOf<number, []>(tfgrid, 'FarmingPolicyID');
export const PalletVersion = storageOf<Enum, []>(tfgrid, 'PalletVersion');
export const ZosVersion = storageOf<Uint8Array, []>(tfgrid, 'ZosVersion');
export const NodePower = storageOf<NodePowerValue, [number]>(tfgrid, 'NodePower');

/** Every value of a map, in storage-key order (the order the real runtime's `iter()` visits them). */
export function values<V>(state: StateReader, item: StorageItem<V, any[]>): V[] {
  return state.keys(item.prefixKey).map((k) => decode(item.decl.value, state.get(k)!));
}

/** Versions of the stored structs (pallet_tfgrid's TFGRID_*_VERSION constants). */
export const VERSION = { entity: 1, farm: 4, node: 5, pricingPolicy: 2, farmingPolicy: 2 } as const;

/** The twin id of an account, or TwinNotExists. */
export function twinIdOf(state: StateReader, who: Uint8Array): number {
  const id = TwinIdByAccountID.get(state, who);
  if (id === undefined) throw err('TwinNotExists');
  return id;
}

export function farmOf(state: StateReader, id: number): Farm {
  const farm = Farms.get(state, id);
  if (!farm) throw err('FarmNotExists');
  return farm;
}

export function nodeOf(state: StateReader, id: number): Node {
  const node = Nodes.get(state, id);
  if (!node) throw err('NodeNotExists');
  return node;
}

export function twinOf(state: StateReader, id: number): Twin {
  const twin = Twins.get(state, id);
  if (!twin) throw err('TwinNotExists');
  return twin;
}

/** The node of the twin that signs, or TwinNotExists / NodeNotExists. */
export function ownNode(state: StateReader, who: Uint8Array): Node {
  const twinId = twinIdOf(state, who);
  if (!NodeIdByTwinID.exists(state, twinId)) throw err('NodeNotExists');
  return nodeOf(state, NodeIdByTwinID.read(state, twinId));
}

export const utf8 = (b: Uint8Array): string => Buffer.from(b).toString('utf8');
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
