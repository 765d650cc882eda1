/**
 * TFChain's events as typed values: `decodeEvent({ name, data })` reads an event of the stream
 * (`ChainEvent`, its data as chain JSON) into `{ name, ...fields }` with the structs decoded, for
 * the events the grid's tools act on; any other event is undefined.
 */
import { big, fieldsOf, num, text, variant } from './json';
import {
  decodeContract,
  decodeContractBill,
  decodeContractResources,
  decodeNruReport,
  type Contract,
  type ContractBill,
  type ContractResources,
  type NruReport,
} from './contract';
import {
  decodeFarm,
  decodeFarmCertification,
  decodeFarmingPolicyLimit,
  decodePublicIps,
  type Farm,
  type FarmCertification,
  type FarmingPolicyLimit,
  type PublicIp,
} from './farm';
import {
  decodeNode,
  decodeNodeCertification,
  decodePower,
  decodePowerState,
  decodePublicConfig,
  type Node,
  type NodeCertification,
  type Power,
  type PublicConfig,
} from './node';
import { decodeFarmingPolicy, decodePricingPolicy, type FarmingPolicy, type PricingPolicy } from './policy';
import { decodeServiceContract, decodeSolutionProvider, type ServiceContract, type SolutionProvider } from './service';
import { decodeEntity, decodeTwin, type Entity, type Twin } from './twin';

/** Each event's fields, by its metadata name. Balances (u128) are bigints. */
export interface TfchainEvents {
  'TfgridModule.TwinStored': { twin: Twin };
  'TfgridModule.TwinUpdated': { twin: Twin };
  'TfgridModule.TwinDeleted': { twinId: number };
  'TfgridModule.TwinAccountBounded': { twinId: number; account: string };
  'TfgridModule.FarmStored': { farm: Farm };
  'TfgridModule.FarmUpdated': { farm: Farm };
  'TfgridModule.FarmDeleted': { farmId: number };
  'TfgridModule.FarmPayoutV2AddressRegistered': { farmId: number; stellarAddress: string };
  'TfgridModule.FarmCertificationSet': { farmId: number; certification: FarmCertification };
  'TfgridModule.FarmMarkedAsDedicated': { farmId: number };
  'TfgridModule.FarmingPolicySet': { farmId: number; limits: FarmingPolicyLimit | null };
  'TfgridModule.NodeStored': { node: Node };
  'TfgridModule.NodeUpdated': { node: Node };
  'TfgridModule.NodeDeleted': { nodeId: number };
  'TfgridModule.NodeCertificationSet': { nodeId: number; certification: NodeCertification };
  'TfgridModule.NodePublicConfigStored': { nodeId: number; config: PublicConfig | null };
  /** `timestamp`: the chain's time of the report (unix s); `uptime`: seconds since the node booted. */
  'TfgridModule.NodeUptimeReported': { nodeId: number; timestamp: number; uptime: number };
  /** `downSince`: the block the node went down at (state Down), else null. */
  'TfgridModule.PowerStateChanged': { farmId: number; nodeId: number; state: Power; downSince: number | null };
  'TfgridModule.PowerTargetChanged': { farmId: number; nodeId: number; target: Power };
  'TfgridModule.PricingPolicyStored': { policy: PricingPolicy };
  'TfgridModule.FarmingPolicyStored': { policy: FarmingPolicy };
  'TfgridModule.FarmingPolicyUpdated': { policy: FarmingPolicy };
  'TfgridModule.EntityStored': { entity: Entity };
  'TfgridModule.EntityUpdated': { entity: Entity };
  'TfgridModule.EntityDeleted': { entityId: number };
  'TfgridModule.ZosVersionUpdated': { version: string };
  'TfgridModule.ConnectionPriceSet': { price: number };
  'SmartContractModule.ContractCreated': { contract: Contract };
  'SmartContractModule.ContractUpdated': { contract: Contract };
  'SmartContractModule.NodeContractCanceled': { contractId: number; nodeId: number; twinId: number };
  'SmartContractModule.NameContractCanceled': { contractId: number };
  'SmartContractModule.RentContractCanceled': { contractId: number };
  'SmartContractModule.ContractGracePeriodStarted': { contractId: number; nodeId: number; twinId: number; blockNumber: number };
  'SmartContractModule.ContractGracePeriodEnded': { contractId: number; nodeId: number; twinId: number };
  'SmartContractModule.ContractGracePeriodElapsed': { contractId: number; gracePeriod: number };
  'SmartContractModule.IPsFreed': { contractId: number; publicIps: PublicIp[] };
  'SmartContractModule.UpdatedUsedResources': ContractResources;
  'SmartContractModule.ContractBilled': ContractBill;
  'SmartContractModule.NruConsumptionReportReceived': NruReport;
  /** A partial bill: `partiallyBilledAmount` was taken, `overdraft` stays owed. */
  'SmartContractModule.ContractPaymentOverdrawn': {
    contractId: number;
    timestamp: number;
    partiallyBilledAmount: bigint;
    overdraft: bigint;
  };
  'SmartContractModule.RentWaived': { contractId: number };
  'SmartContractModule.NodeExtraFeeSet': { nodeId: number; extraFee: number };
  'SmartContractModule.SolutionProviderCreated': { provider: SolutionProvider };
  'SmartContractModule.SolutionProviderApproved': { solutionProviderId: number; approved: boolean };
  'SmartContractModule.ServiceContractCreated': { serviceContract: ServiceContract };
  'SmartContractModule.ServiceContractMetadataSet': { serviceContract: ServiceContract };
  'SmartContractModule.ServiceContractFeesSet': { serviceContract: ServiceContract };
  'SmartContractModule.ServiceContractApproved': { serviceContract: ServiceContract };
  'SmartContractModule.ServiceContractBilled': { serviceContract: ServiceContract; amount: bigint };
  /** `cause`: the variant of `Cause` (`CanceledByUser`, `OutOfFunds`), '' when none. */
  'SmartContractModule.ServiceContractCanceled': { serviceContractId: number; cause: string };
  'SmartContractModule.BillingFrequencyChanged': { frequency: number };
}

export type TfchainEventName = keyof TfchainEvents;
/** One decoded event: its name and its fields. */
export type TfchainEvent = { [K in TfchainEventName]: { name: K } & TfchainEvents[K] }[TfchainEventName];
/** The decoded event of one name. */
export type TfchainEventOf<K extends TfchainEventName> = { name: K } & TfchainEvents[K];

/**
 * The contract id of a contract event: its first argument, or the `contractId` of a struct in
 * that place (runtime versions differ in which they send).
 */
const contractIdOf = (d: unknown[]): number => (d[0] !== null && typeof d[0] === 'object' ? num(fieldsOf(d[0]).contractId) : num(d[0]));
const contractIds = (d: unknown[]) => ({ contractId: contractIdOf(d), nodeId: num(d[1]), twinId: num(d[2]) });

const decoders: { [K in TfchainEventName]: (d: unknown[]) => TfchainEvents[K] } = {
  'TfgridModule.TwinStored': ([t]) => ({ twin: decodeTwin(t) }),
  'TfgridModule.TwinUpdated': ([t]) => ({ twin: decodeTwin(t) }),
  'TfgridModule.TwinDeleted': ([id]) => ({ twinId: num(id) }),
  'TfgridModule.TwinAccountBounded': ([id, account]) => ({ twinId: num(id), account: String(account) }),
  'TfgridModule.FarmStored': ([f]) => ({ farm: decodeFarm(f) }),
  'TfgridModule.FarmUpdated': ([f]) => ({ farm: decodeFarm(f) }),
  'TfgridModule.FarmDeleted': ([id]) => ({ farmId: num(id) }),
  'TfgridModule.FarmPayoutV2AddressRegistered': ([id, address]) => ({ farmId: num(id), stellarAddress: text(address) }),
  'TfgridModule.FarmCertificationSet': ([id, c]) => ({ farmId: num(id), certification: decodeFarmCertification(c) }),
  'TfgridModule.FarmMarkedAsDedicated': ([id]) => ({ farmId: num(id) }),
  'TfgridModule.FarmingPolicySet': ([id, limits]) => ({ farmId: num(id), limits: decodeFarmingPolicyLimit(limits) }),
  'TfgridModule.NodeStored': ([n]) => ({ node: decodeNode(n) }),
  'TfgridModule.NodeUpdated': ([n]) => ({ node: decodeNode(n) }),
  'TfgridModule.NodeDeleted': ([id]) => ({ nodeId: num(id) }),
  'TfgridModule.NodeCertificationSet': ([id, c]) => ({ nodeId: num(id), certification: decodeNodeCertification(c) }),
  'TfgridModule.NodePublicConfigStored': ([id, c]) => ({ nodeId: num(id), config: decodePublicConfig(c) }),
  'TfgridModule.NodeUptimeReported': ([id, timestamp, uptime]) => ({ nodeId: num(id), timestamp: num(timestamp), uptime: num(uptime) }),
  'TfgridModule.PowerStateChanged': ([farm, id, state]) => ({ farmId: num(farm), nodeId: num(id), ...decodePowerState(state) }),
  'TfgridModule.PowerTargetChanged': ([farm, id, target]) => ({ farmId: num(farm), nodeId: num(id), target: decodePower(target) }),
  'TfgridModule.PricingPolicyStored': ([p]) => ({ policy: decodePricingPolicy(p) }),
  'TfgridModule.FarmingPolicyStored': ([p]) => ({ policy: decodeFarmingPolicy(p) }),
  'TfgridModule.FarmingPolicyUpdated': ([p]) => ({ policy: decodeFarmingPolicy(p) }),
  'TfgridModule.EntityStored': ([e]) => ({ entity: decodeEntity(e) }),
  'TfgridModule.EntityUpdated': ([e]) => ({ entity: decodeEntity(e) }),
  'TfgridModule.EntityDeleted': ([id]) => ({ entityId: num(id) }),
  'TfgridModule.ZosVersionUpdated': ([v]) => ({ version: text(v) }),
  'TfgridModule.ConnectionPriceSet': ([p]) => ({ price: num(p) }),
  'SmartContractModule.ContractCreated': ([c]) => ({ contract: decodeContract(c) }),
  'SmartContractModule.ContractUpdated': ([c]) => ({ contract: decodeContract(c) }),
  'SmartContractModule.NodeContractCanceled': contractIds,
  'SmartContractModule.NameContractCanceled': (d) => ({ contractId: contractIdOf(d) }),
  'SmartContractModule.RentContractCanceled': (d) => ({ contractId: contractIdOf(d) }),
  'SmartContractModule.ContractGracePeriodStarted': (d) => ({ ...contractIds(d), blockNumber: num(d[3]) }),
  'SmartContractModule.ContractGracePeriodEnded': contractIds,
  'SmartContractModule.ContractGracePeriodElapsed': (d) => ({ contractId: contractIdOf(d), gracePeriod: num(d[1]) }),
  'SmartContractModule.IPsFreed': (d) => ({
    contractId: contractIdOf(d),
    publicIps: decodePublicIps(d[0] !== null && typeof d[0] === 'object' ? fieldsOf(d[0]).publicIps : d[1]),
  }),
  'SmartContractModule.UpdatedUsedResources': ([r]) => decodeContractResources(r),
  'SmartContractModule.ContractBilled': ([b]) => decodeContractBill(b),
  'SmartContractModule.NruConsumptionReportReceived': ([r]) => decodeNruReport(r),
  'SmartContractModule.ContractPaymentOverdrawn': ([id, timestamp, partial, overdraft]) => ({
    contractId: num(id),
    timestamp: num(timestamp),
    partiallyBilledAmount: big(partial),
    overdraft: big(overdraft),
  }),
  'SmartContractModule.RentWaived': (d) => ({ contractId: contractIdOf(d) }),
  'SmartContractModule.NodeExtraFeeSet': ([id, fee]) => ({ nodeId: num(id), extraFee: num(fee) }),
  'SmartContractModule.SolutionProviderCreated': ([p]) => ({ provider: decodeSolutionProvider(p) }),
  'SmartContractModule.SolutionProviderApproved': ([id, approved]) => ({ solutionProviderId: num(id), approved: Boolean(approved) }),
  'SmartContractModule.ServiceContractCreated': ([s]) => ({ serviceContract: decodeServiceContract(s) }),
  'SmartContractModule.ServiceContractMetadataSet': ([s]) => ({ serviceContract: decodeServiceContract(s) }),
  'SmartContractModule.ServiceContractFeesSet': ([s]) => ({ serviceContract: decodeServiceContract(s) }),
  'SmartContractModule.ServiceContractApproved': ([s]) => ({ serviceContract: decodeServiceContract(s) }),
  'SmartContractModule.ServiceContractBilled': ([s, , amount]) => ({ serviceContract: decodeServiceContract(s), amount: big(amount) }),
  'SmartContractModule.ServiceContractCanceled': ([id, cause]) => ({ serviceContractId: num(id), cause: variant(cause) }),
  'SmartContractModule.BillingFrequencyChanged': ([f]) => ({ frequency: num(f) }),
};

/** The names `decodeEvent` decodes. */
export const TFCHAIN_EVENTS = Object.keys(decoders) as TfchainEventName[];

export const isTfchainEventName = (name: string): name is TfchainEventName => Object.prototype.hasOwnProperty.call(decoders, name);

/** The typed event of `e` (`name` as the metadata names it, `data` as chain JSON), or undefined for an event not listed. */
export function decodeEvent(e: { name: string; data: readonly unknown[] }): TfchainEvent | undefined {
  if (!isTfchainEventName(e.name)) return undefined;
  const decode = decoders[e.name] as (d: unknown[]) => TfchainEvents[TfchainEventName];
  return { name: e.name, ...decode(e.data as unknown[]) } as TfchainEvent;
}
