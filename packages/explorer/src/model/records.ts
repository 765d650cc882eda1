/**
 * What the database holds, and how the client's typed chain values (`@tfgrid/client` decodes
 * every struct and event) become it.
 */
import type {
  Contract,
  ContractState,
  Entity,
  Farm,
  FarmCertification,
  FarmingPolicyLimit,
  Node,
  NodeCertification,
  Power,
  PublicConfig,
  Resources,
  ServiceContract,
  SolutionProvider,
  Twin,
} from '@tfgrid/client';

export type { Resources };
export const ZERO: Resources = { cru: 0, sru: 0, hru: 0, mru: 0 };

export interface TwinRecord {
  twinId: number;
  accountId: string;
  relay: string | null;
  publicKey: string | null;
  /** The stash account bonded to the twin (`TwinAccountBounded`). */
  boundedAccount?: string;
}

export interface PublicIpRecord {
  ip: string;
  gateway: string;
  contractId: number;
}
export interface FarmRecord {
  farmId: number;
  name: string;
  twinId: number;
  pricingPolicyId: number;
  certificationType: FarmCertification;
  dedicated: boolean;
  stellarAddress: string;
  publicIps: PublicIpRecord[];
  /** The farming policy limits the council attached (`FarmingPolicySet`); null when it removed them. */
  farmingPolicyLimits?: FarmingPolicyLimit | null;
}

export interface NodeRecord {
  nodeId: number;
  farmId: number;
  twinId: number;
  gridVersion: number;
  total: Resources;
  /** Sum of the used resources of its active contracts. */
  used: Resources;
  location: { country: string; city: string; latitude: string; longitude: string };
  publicConfig: { ipv4: string; gw4: string; ipv6: string; gw6: string; domain: string };
  interfaces: { name: string; mac: string; ips: string[] }[];
  created: number;
  farmingPolicyId: number;
  certificationType: NodeCertification;
  secureBoot: boolean;
  virtualized: boolean;
  serialNumber: string;
  connectionPrice: number;
  /** Last reported uptime (seconds since boot) and when it was reported (unix s). */
  uptime: number;
  lastUptimeReport: number;
  /** Unix s of the last NodeStored/NodeUpdated. */
  updatedAt: number;
  power: { state: Power; target: Power; downSinceBlock: number | null; downAt: number | null };
  activeContracts: number;
  rentContractId: number;
  rentedByTwinId: number;
  deleted: boolean;
  /** The dedicated node's extra fee (`NodeExtraFeeSet`, TFChain's unit: mUSD per month); absent = 0. */
  extraFee?: number;
}

/** The kind of a contract (the client's `ContractKind['kind']`). */
export type ContractType = Contract['type']['kind'];
export interface ContractRecord {
  contractId: number;
  twinId: number;
  type: ContractType;
  state: ContractState;
  nodeId: number;
  name: string;
  deploymentHash: string;
  deploymentData: string;
  numberOfPublicIps: number;
  publicIps: PublicIpRecord[];
  solutionProviderId: number | null;
  resources: Resources;
  createdAt: number;
  updatedAt: number;
  billed: number;
  /** What the twin still owes after a partial bill (`ContractPaymentOverdrawn`); absent = 0. */
  overdraft?: number;
  /** Chain time of the last `RentWaived` (a rented node in standby). */
  rentWaivedAt?: number;
}

/** `SmartContractModule` service contracts (`ServiceContract*` events): the chain's struct, with what the bills and the cancel add. */
export interface ServiceContractRecord extends ServiceContract {
  /** Sum of the `ServiceContractBilled` amounts. */
  billed: number;
  /** Set by `ServiceContractCanceled`: its cause. */
  canceled: string | null;
}

/** A solution provider (`SolutionProviderCreated`, `SolutionProviderApproved`): the chain's struct as stored. */
export type SolutionProviderRecord = SolutionProvider;

/** A TFChain entity (`EntityStored`, `EntityUpdated`, `EntityDeleted`). */
export interface EntityRecord {
  entityId: number;
  version: number;
  name: string;
  accountId: string;
  country: string;
  city: string;
}

export interface BillRecord {
  contractId: number;
  timestamp: number;
  discountLevel: string;
  amountBilled: number;
  /** Left unpaid when the bill was partial (`ContractPaymentOverdrawn`). */
  overdraft?: number;
}

export function addResources(a: Resources, b: Resources, sign = 1): Resources {
  return { cru: a.cru + sign * b.cru, sru: a.sru + sign * b.sru, hru: a.hru + sign * b.hru, mru: a.mru + sign * b.mru };
}

export function twinRecord(t: Twin): TwinRecord {
  return { twinId: t.id, accountId: t.accountId, relay: t.relay, publicKey: t.pk };
}

/** A farm from its chain struct, keeping what only events tell (payout address, policy limits). */
export function farmRecord(f: Farm, prev?: FarmRecord): FarmRecord {
  return {
    farmId: f.id,
    name: f.name,
    twinId: f.twinId,
    pricingPolicyId: f.pricingPolicyId,
    certificationType: f.certification,
    dedicated: f.dedicated,
    stellarAddress: prev?.stellarAddress ?? '',
    publicIps: f.publicIps,
    ...(prev?.farmingPolicyLimits !== undefined ? { farmingPolicyLimits: prev.farmingPolicyLimits } : {}),
  };
}

/** grid-proxy's flat public config: '' for what the node has none of. */
export function publicConfigRecord(c: PublicConfig | null): NodeRecord['publicConfig'] {
  return { ipv4: c?.ip4.ip ?? '', gw4: c?.ip4.gw ?? '', ipv6: c?.ip6?.ip ?? '', gw6: c?.ip6?.gw ?? '', domain: c?.domain ?? '' };
}

/** A node from its chain struct, keeping what only events tell (power, uptime, usage, rent). */
export function nodeRecord(n: Node, prev: NodeRecord | undefined, now: number): NodeRecord {
  return {
    nodeId: n.id,
    farmId: n.farmId,
    twinId: n.twinId,
    gridVersion: n.version,
    total: n.resources,
    used: prev?.used ?? { ...ZERO },
    location: { country: n.location.country, city: n.location.city, latitude: n.location.latitude, longitude: n.location.longitude },
    publicConfig: publicConfigRecord(n.publicConfig),
    interfaces: n.interfaces,
    created: n.created,
    farmingPolicyId: n.farmingPolicyId,
    certificationType: n.certification,
    secureBoot: n.secureBoot,
    virtualized: n.virtualized,
    serialNumber: n.serialNumber ?? '',
    connectionPrice: n.connectionPrice,
    uptime: prev?.uptime ?? 0,
    lastUptimeReport: prev?.lastUptimeReport ?? 0,
    updatedAt: now,
    power: prev?.power ?? { state: 'Up', target: 'Up', downSinceBlock: null, downAt: null },
    activeContracts: prev?.activeContracts ?? 0,
    rentContractId: prev?.rentContractId ?? 0,
    rentedByTwinId: prev?.rentedByTwinId ?? 0,
    deleted: false,
    ...(prev?.extraFee ? { extraFee: prev.extraFee } : {}),
  };
}

/** A contract from its chain struct, keeping what only events tell (used resources, bills, creation time). */
export function contractRecord(c: Contract, prev: ContractRecord | undefined, now: number): ContractRecord {
  const t = c.type;
  return {
    contractId: c.id,
    twinId: c.twinId,
    type: t.kind,
    state: c.state,
    nodeId: t.kind === 'name' ? 0 : t.nodeId,
    name: t.kind === 'name' ? t.name : '',
    deploymentHash: t.kind === 'node' ? t.deploymentHash : '',
    deploymentData: t.kind === 'node' ? t.deploymentData : '',
    numberOfPublicIps: t.kind === 'node' ? t.publicIps : 0,
    publicIps: t.kind === 'node' ? t.publicIpsList : [],
    solutionProviderId: c.solutionProviderId,
    resources: prev?.resources ?? { ...ZERO },
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    billed: prev?.billed ?? 0,
    ...(prev?.overdraft !== undefined ? { overdraft: prev.overdraft } : {}),
    ...(prev?.rentWaivedAt !== undefined ? { rentWaivedAt: prev.rentWaivedAt } : {}),
  };
}

export function serviceContractRecord(s: ServiceContract, prev: ServiceContractRecord | undefined): ServiceContractRecord {
  return { ...s, billed: prev?.billed ?? 0, canceled: prev?.canceled ?? null };
}

export function solutionProviderRecord(p: SolutionProvider): SolutionProviderRecord {
  return {
    solutionProviderId: p.solutionProviderId,
    providers: p.providers,
    description: p.description,
    link: p.link,
    approved: p.approved,
  };
}

export function entityRecord(e: Entity): EntityRecord {
  return { entityId: e.id, version: e.version, name: e.name, accountId: e.accountId, country: e.country, city: e.city };
}
