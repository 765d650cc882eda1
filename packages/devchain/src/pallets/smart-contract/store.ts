/**
 * SmartContractModule's storage, the TfgridModule and TFTPriceModule items it reads (bound
 * through their declarations, not their implementations), and the JS shapes of its values.
 */
import type { Overlay, StateReader } from '../../state/overlay';
import type { Enum } from '../../scale/codec';
import { storageOf } from '../storage';
import { moduleError, type DispatchFailure } from '../dispatch';
import { keyOf } from '../../util/hex';
import { palletDecl } from '../decls';
import type { ValueOf } from '../../scale/codec';
import type { Policy as PolicyCodec, PricingPolicy as PricingPolicyCodec } from '../definition/tfgrid-types';

/** Stored shapes come from the declaration, so they cannot drift from the metadata. */
export type Policy = ValueOf<typeof PolicyCodec>;
export type PricingPolicy = ValueOf<typeof PricingPolicyCodec>;
export const smartContract = palletDecl('SmartContractModule');
export const tfgrid = palletDecl('TfgridModule');
export const tftPrice = palletDecl('TFTPriceModule');

export const scError = (name: string): DispatchFailure => moduleError(smartContract, name);

// ---- value shapes (snake_case, as the metadata names the fields) ----

export interface PublicIp {
  ip: Uint8Array;
  gateway: Uint8Array;
  contract_id: bigint;
}
export interface Resources {
  hru: bigint;
  sru: bigint;
  cru: bigint;
  mru: bigint;
}
export interface NodeContract {
  node_id: number;
  deployment_hash: Uint8Array;
  deployment_data: Uint8Array;
  public_ips: number;
  public_ips_list: PublicIp[];
}
export type ContractData =
  | { type: 'NodeContract'; value: NodeContract }
  | { type: 'NameContract'; value: { name: Uint8Array } }
  | { type: 'RentContract'; value: { node_id: number } };
/** `Created`, `Deleted(Cause)` or `GracePeriod(start block)`. */
export type ContractState = { type: 'Created' } | { type: 'Deleted'; value: Enum } | { type: 'GracePeriod'; value: bigint };
export interface Contract {
  version: number;
  state: ContractState;
  contract_id: bigint;
  twin_id: number;
  contract_type: ContractData;
  solution_provider_id?: bigint;
}
export interface BillingInfo {
  previous_nu_reported: bigint;
  last_updated: bigint;
  amount_unbilled: bigint;
}
export interface PaymentState {
  standard_reserve: bigint;
  additional_reserve: bigint;
  standard_overdraft: bigint;
  additional_overdraft: bigint;
  last_updated_seconds: bigint;
  cycles: number;
}
export interface Provider {
  who: Uint8Array;
  take: number;
}
export interface SolutionProvider {
  solution_provider_id: bigint;
  providers: Provider[];
  description: Uint8Array;
  link: Uint8Array;
  approved: boolean;
}
export interface ServiceContract {
  service_contract_id: bigint;
  service_twin_id: number;
  consumer_twin_id: number;
  base_fee: bigint;
  variable_fee: bigint;
  metadata: Uint8Array;
  accepted_by_service: boolean;
  accepted_by_consumer: boolean;
  last_bill: bigint;
  state: Enum;
}

export interface Twin {
  id: number;
  account_id: Uint8Array;
}
export interface Farm {
  id: number;
  twin_id: number;
  pricing_policy_id: number;
  public_ips: PublicIp[];
  dedicated_farm: boolean;
  [k: string]: unknown;
}
export interface GridNode {
  id: number;
  farm_id: number;
  twin_id: number;
  resources: Resources;
  certification: Enum;
  [k: string]: unknown;
}
export interface NodePower {
  state: Enum;
  target: Enum;
}

// ---- SmartContractModule ----

export const Contracts = storageOf<Contract, [bigint]>(smartContract, 'Contracts');
export const ContractBillingInformationByID = storageOf<BillingInfo, [bigint]>(smartContract, 'ContractBillingInformationByID');
export const NodeContractResources = storageOf<{ contract_id: bigint; used: Resources }, [bigint]>(smartContract, 'NodeContractResources');
export const ContractIDByNodeIDAndHash = storageOf<bigint, [number, Uint8Array]>(smartContract, 'ContractIDByNodeIDAndHash');
export const ActiveNodeContracts = storageOf<bigint[], [number]>(smartContract, 'ActiveNodeContracts');
export const ContractsToBillAt = storageOf<bigint[], [bigint]>(smartContract, 'ContractsToBillAt');
export const ContractIDByNameRegistration = storageOf<bigint, [Uint8Array]>(smartContract, 'ContractIDByNameRegistration');
export const ActiveRentContractForNode = storageOf<bigint, [number]>(smartContract, 'ActiveRentContractForNode');
export const ContractID = storageOf<bigint, []>(smartContract, 'ContractID');
export const SolutionProviders = storageOf<SolutionProvider, [bigint]>(smartContract, 'SolutionProviders');
export const SolutionProviderID = storageOf<bigint, []>(smartContract, 'SolutionProviderID');
export const BillingFrequency = storageOf<bigint, []>(smartContract, 'BillingFrequency');
export const ServiceContracts = storageOf<ServiceContract, [bigint]>(smartContract, 'ServiceContracts');
export const ServiceContractID = storageOf<bigint, []>(smartContract, 'ServiceContractID');
export const DedicatedNodesExtraFee = storageOf<bigint, [number]>(smartContract, 'DedicatedNodesExtraFee');
export const ContractPaymentState = storageOf<PaymentState, [bigint]>(smartContract, 'ContractPaymentState');

// ---- TfgridModule (read; farms are written to reserve and free public IPs) ----

export const Twins = storageOf<Twin, [number]>(tfgrid, 'Twins');
export const TwinIdByAccountID = storageOf<number, [Uint8Array]>(tfgrid, 'TwinIdByAccountID');
export const TwinBoundedAccountID = storageOf<Uint8Array, [number]>(tfgrid, 'TwinBoundedAccountID');
export const Farms = storageOf<Farm, [number]>(tfgrid, 'Farms');
export const Nodes = storageOf<GridNode, [number]>(tfgrid, 'Nodes');
export const NodeIdByTwinID = storageOf<number, [number]>(tfgrid, 'NodeIdByTwinID');
export const PricingPolicies = storageOf<PricingPolicy, [number]>(tfgrid, 'PricingPolicies');
export const NodePowerOf = storageOf<NodePower, [number]>(tfgrid, 'NodePower');

// ---- TFTPriceModule ----

export const AverageTftPrice = storageOf<number, []>(tftPrice, 'AverageTftPrice');
export const MinTftPrice = storageOf<number, []>(tftPrice, 'MinTftPrice');
export const MaxTftPrice = storageOf<number, []>(tftPrice, 'MaxTftPrice');

// ---- runtime parameters the real chain compiles in (kept in state so each chain has its own) ----

/** `T::GracePeriod` in blocks: 14 days on the real runtime, from the chain spec here. */
const GRACE_PERIOD_KEY = keyOf(new TextEncoder().encode(':tfgrid:smart_contract:grace_period'));
export const DEFAULT_GRACE_PERIOD = 201_600n;

export function gracePeriod(state: StateReader): bigint {
  const raw = state.get(GRACE_PERIOD_KEY);
  if (!raw) return DEFAULT_GRACE_PERIOD;
  return new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
}

export function setGracePeriod(state: Overlay, blocks: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, blocks, true);
  state.set(GRACE_PERIOD_KEY, b);
}

/** `T::DistributionFrequency`: rewards are distributed every 24 billing cycles. */
export const DISTRIBUTION_FREQUENCY = 24;
/** `CONTRACT_VERSION` of spec 152. */
export const CONTRACT_VERSION = 4;
/** `T::BillingReferencePeriod`: prices in the pricing policy are per hour. */
export const SECS_PER_HOUR = 3600n;
export const SECS_PER_MONTH = 30n * 24n * 3600n;
/** Staking pool account of the real runtime: 5CNposRewardAccount11111111111111111111111111FSU. */
export const STAKING_POOL_ACCOUNT = Uint8Array.from([
  13, 209, 209, 166, 229, 163, 90, 168, 199, 245, 229, 126, 30, 221, 12, 63, 189, 106, 191, 46, 170, 142, 244, 37, 72, 152, 110, 84, 162,
  86, 32, 0,
]);

/** Seconds since the epoch of the block being built (`pallet_timestamp::now() / 1000`). */
export const nowSecs = (block: { timestamp: bigint }): bigint => block.timestamp / 1000n;

export function nodeIdOf(c: Contract): number {
  return c.contract_type.type === 'NameContract' ? 0 : c.contract_type.value.node_id;
}

export function twinOfAccount(state: StateReader, who: Uint8Array): number {
  const id = TwinIdByAccountID.get(state, who);
  if (id === undefined) throw scError('TwinNotExists');
  return id;
}

/** `NodePower::is_standby_phase`: down, or told to go down. */
export function isStandbyPhase(state: StateReader, nodeId: number): boolean {
  const p = NodePowerOf.read(state, nodeId);
  return p.state.type === 'Down' || p.target.type === 'Down';
}

/** `NodePower::is_standby`: the node is down. */
export function isStandby(state: StateReader, nodeId: number): boolean {
  return NodePowerOf.read(state, nodeId).state.type === 'Down';
}
