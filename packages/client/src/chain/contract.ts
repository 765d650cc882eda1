/** TFChain's smart-contract structs (`pallet_smart_contract::types`) and their decoders. */
import { big, fieldsOf, num, text, variant, variantValue } from './json';
import { decodePublicIps, type PublicIp } from './farm';
import { decodeResources, type Resources } from './node';

export type ContractState = 'Created' | 'GracePeriod' | 'Deleted';

export type ContractKind =
  | { kind: 'node'; nodeId: number; deploymentHash: string; deploymentData: string; publicIps: number; publicIpsList: PublicIp[] }
  | { kind: 'name'; name: string }
  | { kind: 'rent'; nodeId: number };

export type DeletedCause = 'CanceledByUser' | 'OutOfFunds' | 'CanceledByCollective';

export interface Contract {
  id: number;
  twinId: number;
  state: ContractState;
  /** Block at which the grace period started (state GracePeriod). */
  gracePeriodSince?: number;
  /** Why it was deleted (state Deleted). */
  deletedCause?: DeletedCause;
  solutionProviderId: number | null;
  type: ContractKind;
}

export interface BillingInfo {
  previousNuReported: number;
  lastUpdated: number;
  amountUnbilled: bigint;
}

export interface NruReport {
  contractId: number;
  /** Unix seconds. */
  timestamp: number;
  /** Seconds covered. */
  window: number;
  /** Bytes of public traffic. */
  nru: number;
}

/** A contract's bill (`ContractBill`, the `ContractBilled` event). */
export interface ContractBill {
  contractId: number;
  /** Unix seconds; 0 when the chain gave none. */
  timestamp: number;
  /** `None`, `Default`, `Bronze`, `Silver` or `Gold`. */
  discountLevel: string;
  amountBilled: bigint;
}

/** What a node reported a contract uses (`ContractResources`). */
export interface ContractResources {
  contractId: number;
  used: Resources;
}

const contractState = (v: unknown): ContractState => {
  const s = variant(v);
  return s === 'Deleted' ? 'Deleted' : s === 'GracePeriod' ? 'GracePeriod' : 'Created';
};

function contractKind(v: unknown): ContractKind {
  const t = fieldsOf(v);
  const key = Object.keys(t)[0] ?? '';
  const d = fieldsOf(t[key]);
  if (key === 'nameContract') return { kind: 'name', name: text(d.name) };
  if (key === 'rentContract') return { kind: 'rent', nodeId: num(d.nodeId) };
  return {
    kind: 'node',
    nodeId: num(d.nodeId),
    deploymentHash: text(d.deploymentHash),
    deploymentData: text(d.deploymentData),
    publicIps: num(d.publicIps),
    publicIpsList: decodePublicIps(d.publicIpsList),
  };
}

export function decodeContract(v: unknown): Contract {
  const j = fieldsOf(v);
  const state = contractState(j.state);
  const c: Contract = {
    id: num(j.contractId),
    twinId: num(j.twinId),
    state,
    solutionProviderId: j.solutionProviderId == null ? null : num(j.solutionProviderId),
    type: contractKind(j.contractType),
  };
  if (state === 'GracePeriod') c.gracePeriodSince = num(variantValue(j.state));
  if (state === 'Deleted') c.deletedCause = variant(variantValue(j.state)) as DeletedCause;
  return c;
}

/** The node a contract is on (node and rent contracts), else undefined. */
export const contractNodeId = (c: Contract): number | undefined => (c.type.kind === 'name' ? undefined : c.type.nodeId);

export function decodeNruReport(v: unknown): NruReport {
  const r = fieldsOf(v);
  return { contractId: num(r.contractId), timestamp: num(r.timestamp), window: num(r.window), nru: num(r.nru) };
}

export function decodeContractBill(v: unknown): ContractBill {
  const b = fieldsOf(v);
  return {
    contractId: num(b.contractId),
    timestamp: num(b.timestamp),
    discountLevel: variant(b.discountLevel),
    amountBilled: big(b.amountBilled),
  };
}

export function decodeContractResources(v: unknown): ContractResources {
  const r = fieldsOf(v);
  return { contractId: num(r.contractId), used: decodeResources(r.used) };
}

export function decodeBillingInfo(v: unknown): BillingInfo {
  const b = fieldsOf(v);
  return { previousNuReported: num(b.previousNuReported), lastUpdated: num(b.lastUpdated), amountUnbilled: big(b.amountUnbilled) };
}
