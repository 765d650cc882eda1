/** What the database holds, and how chain JSON (hex text, enum objects) becomes it. */
export interface Resources {
  cru: number;
  sru: number;
  hru: number;
  mru: number;
}
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
  certificationType: string;
  dedicated: boolean;
  stellarAddress: string;
  publicIps: PublicIpRecord[];
  /** The farming policy limits the council attached (`FarmingPolicySet`), as the chain's JSON. */
  farmingPolicyLimits?: unknown;
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
  certificationType: string;
  secureBoot: boolean;
  virtualized: boolean;
  serialNumber: string;
  connectionPrice: number;
  /** Last reported uptime (seconds since boot) and when it was reported (unix s). */
  uptime: number;
  lastUptimeReport: number;
  /** Unix s of the last NodeStored/NodeUpdated. */
  updatedAt: number;
  power: { state: 'Up' | 'Down'; target: 'Up' | 'Down'; downSinceBlock: number | null; downAt: number | null };
  activeContracts: number;
  rentContractId: number;
  rentedByTwinId: number;
  deleted: boolean;
  /** The dedicated node's extra fee (`NodeExtraFeeSet`, TFChain's unit: mUSD per month); absent = 0. */
  extraFee?: number;
}

export type ContractType = 'node' | 'name' | 'rent';
export interface ContractRecord {
  contractId: number;
  twinId: number;
  type: ContractType;
  state: 'Created' | 'Deleted' | 'GracePeriod';
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

/** `SmartContractModule` service contracts (`ServiceContract*` events). */
export interface ServiceContractRecord {
  serviceContractId: number;
  serviceTwinId: number;
  consumerTwinId: number;
  baseFee: number;
  variableFee: number;
  metadata: string;
  acceptedByService: boolean;
  acceptedByConsumer: boolean;
  lastBill: number;
  state: string;
  /** Sum of the `ServiceContractBilled` amounts. */
  billed: number;
  /** Set by `ServiceContractCanceled`: its cause. */
  canceled: string | null;
}

/** A solution provider (`SolutionProviderCreated`, `SolutionProviderApproved`). */
export interface SolutionProviderRecord {
  solutionProviderId: number;
  providers: { who: string; take: number }[];
  description: string;
  link: string;
  approved: boolean;
}

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

/** Chain `Bytes` arrive as 0x hex: the UTF-8 text they hold. */
export function text(v: unknown): string {
  if (typeof v !== 'string') return v == null ? '' : String(v);
  if (/^0x([0-9a-f]{2})*$/i.test(v)) return Buffer.from(v.slice(2), 'hex').toString('utf8');
  return v;
}

/** An enum as JSON (`"Gold"`, `{ created: null }`, `{ down: 16 }`): its variant name, capitalised. */
export function variant(v: unknown): string {
  const name = typeof v === 'string' ? v : v && typeof v === 'object' ? Object.keys(v)[0] ?? '' : '';
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function variantValue(v: unknown): unknown {
  return v && typeof v === 'object' ? Object.values(v)[0] : undefined;
}

export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.startsWith('0x') ? Number(BigInt(v)) : Number(v);
  return 0;
}

export function resources(v: unknown): Resources {
  const r = (v ?? {}) as Record<string, unknown>;
  return { cru: num(r.cru), sru: num(r.sru), hru: num(r.hru), mru: num(r.mru) };
}

export function addResources(a: Resources, b: Resources, sign = 1): Resources {
  return { cru: a.cru + sign * b.cru, sru: a.sru + sign * b.sru, hru: a.hru + sign * b.hru, mru: a.mru + sign * b.mru };
}

export function twinOf(j: Record<string, unknown>): TwinRecord {
  return { twinId: num(j.id), accountId: String(j.accountId), relay: j.relay == null ? null : text(j.relay), publicKey: j.pk == null ? null : String(j.pk) };
}

export function publicIpsOf(v: unknown): PublicIpRecord[] {
  return ((v ?? []) as Record<string, unknown>[]).map((p) => ({ ip: text(p.ip), gateway: text(p.gateway), contractId: num(p.contractId) }));
}

export function farmOf(j: Record<string, unknown>, prev?: FarmRecord): FarmRecord {
  return {
    farmId: num(j.id),
    name: text(j.name),
    twinId: num(j.twinId),
    pricingPolicyId: num(j.pricingPolicyId),
    certificationType: variant(j.certification),
    dedicated: Boolean(j.dedicatedFarm),
    stellarAddress: prev?.stellarAddress ?? '',
    publicIps: publicIpsOf(j.publicIps),
    ...(prev?.farmingPolicyLimits !== undefined ? { farmingPolicyLimits: prev.farmingPolicyLimits } : {}),
  };
}

function publicConfigOf(v: unknown): NodeRecord['publicConfig'] {
  const c = v as { ip4?: { ip: unknown; gw: unknown }; ip6?: { ip: unknown; gw: unknown } | null; domain?: unknown } | null;
  return {
    ipv4: text(c?.ip4?.ip),
    gw4: text(c?.ip4?.gw),
    ipv6: text(c?.ip6?.ip),
    gw6: text(c?.ip6?.gw),
    domain: text(c?.domain),
  };
}
export { publicConfigOf };

/** A node from its chain struct, keeping what only events tell (power, uptime, usage, rent). */
export function nodeOf(j: Record<string, unknown>, prev: NodeRecord | undefined, now: number): NodeRecord {
  const loc = (j.location ?? {}) as Record<string, unknown>;
  return {
    nodeId: num(j.id),
    farmId: num(j.farmId),
    twinId: num(j.twinId),
    gridVersion: num(j.version),
    total: resources(j.resources),
    used: prev?.used ?? { ...ZERO },
    location: { country: text(loc.country), city: text(loc.city), latitude: text(loc.latitude), longitude: text(loc.longitude) },
    publicConfig: publicConfigOf(j.publicConfig),
    interfaces: ((j.interfaces ?? []) as Record<string, unknown>[]).map((i) => ({ name: text(i.name), mac: text(i.mac), ips: ((i.ips ?? []) as unknown[]).map(text) })),
    created: num(j.created),
    farmingPolicyId: num(j.farmingPolicyId),
    certificationType: variant(j.certification),
    secureBoot: Boolean(j.secureBoot),
    virtualized: Boolean(j.virtualized),
    serialNumber: text(j.serialNumber),
    connectionPrice: num(j.connectionPrice),
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

export function contractOf(j: Record<string, unknown>, prev: ContractRecord | undefined, now: number): ContractRecord {
  const t = (j.contractType ?? {}) as Record<string, Record<string, unknown>>;
  const kind = Object.keys(t)[0] ?? '';
  const d = t[kind] ?? {};
  const type: ContractType = kind === 'nameContract' ? 'name' : kind === 'rentContract' ? 'rent' : 'node';
  const state = variant(j.state);
  return {
    contractId: num(j.contractId),
    twinId: num(j.twinId),
    type,
    state: state === 'Deleted' ? 'Deleted' : state === 'GracePeriod' ? 'GracePeriod' : 'Created',
    nodeId: num(d.nodeId),
    name: type === 'name' ? text(d.name) : '',
    deploymentHash: type === 'node' ? text(d.deploymentHash) : '',
    deploymentData: type === 'node' ? text(d.deploymentData) : '',
    numberOfPublicIps: num(d.publicIps),
    publicIps: publicIpsOf(d.publicIpsList),
    solutionProviderId: j.solutionProviderId == null ? null : num(j.solutionProviderId),
    resources: prev?.resources ?? { ...ZERO },
    createdAt: prev?.createdAt ?? now,
    updatedAt: now,
    billed: prev?.billed ?? 0,
    ...(prev?.overdraft !== undefined ? { overdraft: prev.overdraft } : {}),
    ...(prev?.rentWaivedAt !== undefined ? { rentWaivedAt: prev.rentWaivedAt } : {}),
  };
}

export function serviceContractOf(j: Record<string, unknown>, prev: ServiceContractRecord | undefined): ServiceContractRecord {
  return {
    serviceContractId: num(j.serviceContractId),
    serviceTwinId: num(j.serviceTwinId),
    consumerTwinId: num(j.consumerTwinId),
    baseFee: num(j.baseFee),
    variableFee: num(j.variableFee),
    metadata: text(j.metadata),
    acceptedByService: Boolean(j.acceptedByService),
    acceptedByConsumer: Boolean(j.acceptedByConsumer),
    lastBill: num(j.lastBill),
    state: variant(j.state),
    billed: prev?.billed ?? 0,
    canceled: prev?.canceled ?? null,
  };
}

export function solutionProviderOf(j: Record<string, unknown>): SolutionProviderRecord {
  return {
    solutionProviderId: num(j.solutionProviderId),
    providers: ((j.providers ?? []) as Record<string, unknown>[]).map((p) => ({ who: String(p.who), take: num(p.take) })),
    description: text(j.description),
    link: text(j.link),
    approved: Boolean(j.approved),
  };
}

export function entityOf(j: Record<string, unknown>): EntityRecord {
  return { entityId: num(j.id), version: num(j.version), name: text(j.name), accountId: String(j.accountId), country: text(j.country), city: text(j.city) };
}
