/**
 * Event handlers: each turns one TFChain event into record and index writes. Records are
 * read-modify-write through the block's WriteSet, so several events of one block compose.
 */
import {
  decodeEvent,
  type Contract,
  type Farm,
  type Node,
  type ServiceContract,
  type TfchainEvent,
  type TfchainEventName,
  type TfchainEventOf,
} from '@tfgrid/client';
import { key } from '../db/keys';
import { recordRewardInputs } from './reward-inputs';
import type { WriteSet } from './writeset';
import {
  addResources,
  contractRecord,
  entityRecord,
  farmRecord,
  nodeRecord,
  publicConfigRecord,
  serviceContractRecord,
  solutionProviderRecord,
  twinRecord,
  type BillRecord,
  type ContractRecord,
  type FarmRecord,
  type NodeRecord,
  type ServiceContractRecord,
  type SolutionProviderRecord,
  type TwinRecord,
} from '../model/records';

/** An event as the chain's JSON (the client's events stream, or a test's or benchmark's hand-made one). */
export interface BlockEvent {
  name: string;
  data: unknown[];
  eventIndex: number;
}
export interface BlockContext {
  number: number;
  /** Chain time of the block, unix seconds. */
  timestamp: number;
}

/** `eventIndex`: the event's place in its block (keys of bills, uptime and NRU reports). */
type Handler<K extends TfchainEventName> = (w: WriteSet, ev: TfchainEventOf<K>, b: BlockContext, eventIndex: number) => Promise<void>;

export async function putTwin(w: WriteSet, t: TwinRecord): Promise<void> {
  const prev = await w.get<TwinRecord>('twin', key(t.twinId));
  if (prev && prev.accountId !== t.accountId) w.del('twinByAccount', prev.accountId);
  w.put(
    'twin',
    key(t.twinId),
    prev?.boundedAccount !== undefined && t.boundedAccount === undefined ? { ...t, boundedAccount: prev.boundedAccount } : t,
  );
  w.put('twinByAccount', t.accountId, t.twinId);
}

export async function putFarm(w: WriteSet, farm: Farm): Promise<void> {
  const id = farm.id;
  const prev = await w.get<FarmRecord>('farm', key(id));
  const f = farmRecord(farm, prev);
  if (prev && prev.name !== f.name) w.del('farmByName', prev.name);
  w.put('farm', key(id), f);
  w.put('farmByName', f.name, id);
}

export async function putNode(w: WriteSet, node: Node, now: number): Promise<void> {
  const id = node.id;
  const prev = await w.get<NodeRecord>('node', key(id));
  const n = nodeRecord(node, prev, now);
  if (prev && prev.farmId !== n.farmId) w.del('nodeByFarm', key(prev.farmId, id));
  w.put('node', key(id), n);
  w.put('nodeByFarm', key(n.farmId, id), id);
  w.put('nodeByTwin', key(n.twinId), id);
}

async function updateNode(w: WriteSet, id: number, f: (n: NodeRecord) => void): Promise<void> {
  const n = await w.get<NodeRecord>('node', key(id));
  if (!n) return;
  // Records are shared with the view: copy what the mutators may change in place (power); the
  // other fields they touch are replaced, not mutated. Cheaper than structuredClone per event.
  const next: NodeRecord = { ...n, power: { ...n.power } };
  f(next);
  w.put('node', key(id), next);
}

async function updateFarm(w: WriteSet, id: number, f: (n: FarmRecord) => void): Promise<void> {
  const farm = await w.get<FarmRecord>('farm', key(id));
  if (!farm) return;
  const next: FarmRecord = { ...farm, publicIps: farm.publicIps.map((p) => ({ ...p })) };
  f(next);
  w.put('farm', key(id), next);
}

/** Marks a farm's public IPs as taken by (or freed from) a contract. */
async function markIps(w: WriteSet, nodeId: number, ips: string[], contractId: number): Promise<void> {
  if (ips.length === 0) return;
  const node = await w.get<NodeRecord>('node', key(nodeId));
  if (!node) return;
  await updateFarm(w, node.farmId, (f) => {
    for (const ip of f.publicIps) if (ips.includes(ip.ip)) ip.contractId = contractId;
  });
}

export async function putContract(w: WriteSet, contract: Contract, now: number): Promise<void> {
  const id = contract.id;
  const prev = await w.get<ContractRecord>('contract', key(id));
  const c = contractRecord(contract, prev, now);
  w.put('contract', key(id), c);
  w.put('contractByTwin', key(c.twinId, id), id);
  if (c.type !== 'name') w.put('contractByNode', key(c.nodeId, id), id);
  if (!prev && c.state !== 'Deleted') {
    if (c.type === 'node') {
      await updateNode(w, c.nodeId, (n) => void (n.activeContracts += 1));
      await markIps(
        w,
        c.nodeId,
        c.publicIps.map((p) => p.ip),
        id,
      );
    }
    if (c.type === 'rent') await updateNode(w, c.nodeId, (n) => ((n.rentContractId = id), (n.rentedByTwinId = c.twinId)));
  }
}

async function contractEnded(w: WriteSet, id: number, now: number): Promise<void> {
  const c = await w.get<ContractRecord>('contract', key(id));
  if (!c || c.state === 'Deleted') return;
  w.put('contract', key(id), { ...c, state: 'Deleted', updatedAt: now });
  if (c.type === 'node') {
    await updateNode(w, c.nodeId, (n) => {
      n.activeContracts = Math.max(0, n.activeContracts - 1);
      n.used = addResources(n.used, c.resources, -1);
    });
    await markIps(
      w,
      c.nodeId,
      c.publicIps.map((p) => p.ip),
      0,
    );
  }
  if (c.type === 'rent') await updateNode(w, c.nodeId, (n) => ((n.rentContractId = 0), (n.rentedByTwinId = 0)));
}

async function updateContract(w: WriteSet, id: number, f: (c: ContractRecord) => void): Promise<void> {
  const c = await w.get<ContractRecord>('contract', key(id));
  if (!c) return;
  const next = { ...c };
  f(next);
  w.put('contract', key(id), next);
}

async function putServiceContract(w: WriteSet, sc: ServiceContract, f?: (s: ServiceContractRecord) => void): Promise<void> {
  const id = sc.serviceContractId;
  const next = serviceContractRecord(sc, await w.get<ServiceContractRecord>('service', key(id)));
  f?.(next);
  w.put('service', key(id), next);
}

async function setContractState(w: WriteSet, id: number, state: ContractRecord['state'], now: number): Promise<void> {
  const c = await w.get<ContractRecord>('contract', key(id));
  if (c && c.state !== 'Deleted') w.put('contract', key(id), { ...c, state, updatedAt: now });
}

const handlers: { [K in TfchainEventName]?: Handler<K> } = {
  'TfgridModule.TwinStored': (w, { twin }) => putTwin(w, twinRecord(twin)),
  'TfgridModule.TwinUpdated': (w, { twin }) => putTwin(w, twinRecord(twin)),
  'TfgridModule.FarmStored': (w, { farm }) => putFarm(w, farm),
  'TfgridModule.FarmUpdated': (w, { farm }) => putFarm(w, farm),
  'TfgridModule.FarmDeleted': async (w, { farmId }) => {
    const f = await w.get<FarmRecord>('farm', key(farmId));
    if (f) w.del('farmByName', f.name);
    w.del('farm', key(farmId));
  },
  'TfgridModule.FarmPayoutV2AddressRegistered': (w, { farmId, stellarAddress }) =>
    updateFarm(w, farmId, (f) => void (f.stellarAddress = stellarAddress)),
  'TfgridModule.FarmCertificationSet': (w, { farmId, certification }) =>
    updateFarm(w, farmId, (f) => void (f.certificationType = certification)),
  'TfgridModule.NodeStored': (w, { node }, b) => putNode(w, node, b.timestamp),
  'TfgridModule.NodeUpdated': (w, { node }, b) => putNode(w, node, b.timestamp),
  'TfgridModule.NodeDeleted': async (w, { nodeId }) => {
    const n = await w.get<NodeRecord>('node', key(nodeId));
    if (!n) return;
    w.del('node', key(n.nodeId));
    w.del('nodeByFarm', key(n.farmId, n.nodeId));
    w.del('nodeByTwin', key(n.twinId));
  },
  'TfgridModule.NodeCertificationSet': (w, { nodeId, certification }) =>
    updateNode(w, nodeId, (n) => void (n.certificationType = certification)),
  'TfgridModule.NodePublicConfigStored': (w, { nodeId, config }) =>
    updateNode(w, nodeId, (n) => void (n.publicConfig = publicConfigRecord(config))),
  'TfgridModule.NodeUptimeReported': async (w, { nodeId, timestamp, uptime }, b, eventIndex) => {
    await updateNode(w, nodeId, (n) => ((n.uptime = uptime), (n.lastUptimeReport = timestamp)));
    w.put('uptime', key(nodeId, timestamp, eventIndex), { timestamp, uptime, block: b.number });
  },
  'TfgridModule.PowerStateChanged': (w, { nodeId, state, downSince }, b) =>
    updateNode(w, nodeId, (n) => {
      if (state === n.power.state) return;
      n.power.state = state;
      n.power.downSinceBlock = state === 'Down' ? downSince : null;
      n.power.downAt = state === 'Down' ? b.timestamp : null;
    }),
  'TfgridModule.PowerTargetChanged': (w, { nodeId, target }) => updateNode(w, nodeId, (n) => void (n.power.target = target)),
  'TfgridModule.PricingPolicyStored': async (w, { policy }) => w.put('pricing', key(policy.id), policy),
  'TfgridModule.FarmingPolicyStored': async (w, { policy }) => w.put('farming', key(policy.id), policy),
  'TfgridModule.FarmingPolicyUpdated': async (w, { policy }) => w.put('farming', key(policy.id), policy),
  'SmartContractModule.ContractCreated': (w, { contract }, b) => putContract(w, contract, b.timestamp),
  'SmartContractModule.ContractUpdated': (w, { contract }, b) => putContract(w, contract, b.timestamp),
  'SmartContractModule.NodeContractCanceled': (w, { contractId }, b) => contractEnded(w, contractId, b.timestamp),
  'SmartContractModule.NameContractCanceled': (w, { contractId }, b) => contractEnded(w, contractId, b.timestamp),
  'SmartContractModule.RentContractCanceled': (w, { contractId }, b) => contractEnded(w, contractId, b.timestamp),
  'SmartContractModule.ContractGracePeriodStarted': (w, { contractId }, b) => setContractState(w, contractId, 'GracePeriod', b.timestamp),
  'SmartContractModule.ContractGracePeriodEnded': (w, { contractId }, b) => setContractState(w, contractId, 'Created', b.timestamp),
  'SmartContractModule.UpdatedUsedResources': async (w, { contractId, used }, b) => {
    const c = await w.get<ContractRecord>('contract', key(contractId));
    if (!c) return;
    w.put('contract', key(contractId), { ...c, resources: used, updatedAt: b.timestamp });
    if (c.type === 'node' && c.state !== 'Deleted')
      await updateNode(w, c.nodeId, (n) => void (n.used = addResources(addResources(n.used, c.resources, -1), used)));
  },
  'SmartContractModule.ContractBilled': async (w, ev, b, eventIndex) => {
    const bill: BillRecord = {
      contractId: ev.contractId,
      timestamp: ev.timestamp || b.timestamp,
      discountLevel: ev.discountLevel,
      amountBilled: Number(ev.amountBilled),
    };
    w.put('bill', key(bill.contractId, b.number, eventIndex), bill);
    const c = await w.get<ContractRecord>('contract', key(bill.contractId));
    if (c) w.put('contract', key(c.contractId), { ...c, billed: c.billed + bill.amountBilled });
  },
  'SmartContractModule.NruConsumptionReportReceived': async (w, { contractId, timestamp, window, nru }, b, eventIndex) => {
    w.put('nru', key(contractId, b.number, eventIndex), { contractId, timestamp, window, nru });
  },
  'SmartContractModule.ContractPaymentOverdrawn': async (w, ev, b, eventIndex) => {
    // A partial bill: what was taken counts as billed, the rest stays owed.
    const contractId = ev.contractId;
    const bill: BillRecord = {
      contractId,
      timestamp: ev.timestamp || b.timestamp,
      discountLevel: 'None',
      amountBilled: Number(ev.partiallyBilledAmount),
      overdraft: Number(ev.overdraft),
    };
    w.put('bill', key(contractId, b.number, eventIndex), bill);
    await updateContract(w, contractId, (c) => ((c.billed += bill.amountBilled), (c.overdraft = bill.overdraft)));
  },
  'SmartContractModule.RentWaived': (w, { contractId }, b) => updateContract(w, contractId, (c) => void (c.rentWaivedAt = b.timestamp)),
  'SmartContractModule.NodeExtraFeeSet': (w, { nodeId, extraFee }) => updateNode(w, nodeId, (n) => void (n.extraFee = extraFee)),
  'SmartContractModule.SolutionProviderCreated': async (w, { provider }) => {
    const sp = solutionProviderRecord(provider);
    w.put('provider', key(sp.solutionProviderId), sp);
  },
  'SmartContractModule.SolutionProviderApproved': async (w, { solutionProviderId, approved }) => {
    const sp = await w.get<SolutionProviderRecord>('provider', key(solutionProviderId));
    if (sp) w.put('provider', key(sp.solutionProviderId), { ...sp, approved });
  },
  'SmartContractModule.ServiceContractCreated': (w, { serviceContract }) => putServiceContract(w, serviceContract),
  'SmartContractModule.ServiceContractMetadataSet': (w, { serviceContract }) => putServiceContract(w, serviceContract),
  'SmartContractModule.ServiceContractFeesSet': (w, { serviceContract }) => putServiceContract(w, serviceContract),
  'SmartContractModule.ServiceContractApproved': (w, { serviceContract }) => putServiceContract(w, serviceContract),
  'SmartContractModule.ServiceContractBilled': (w, { serviceContract, amount }) =>
    putServiceContract(w, serviceContract, (s) => void (s.billed += Number(amount))),
  'SmartContractModule.ServiceContractCanceled': async (w, { serviceContractId, cause }) => {
    const s = await w.get<ServiceContractRecord>('service', key(serviceContractId));
    if (s) w.put('service', key(s.serviceContractId), { ...s, canceled: cause || 'Canceled' });
  },
  'SmartContractModule.BillingFrequencyChanged': async (w, { frequency }) => w.put('meta', 'billingFrequency', frequency),
  'TfgridModule.ZosVersionUpdated': async (w, { version }) => w.put('meta', 'zosVersion', version),
  'TfgridModule.ConnectionPriceSet': async (w, { price }) => w.put('meta', 'connectionPrice', price),
  'TfgridModule.TwinAccountBounded': async (w, { twinId, account }) => {
    // The twin's bonded stash account (billing draws on it too); the twin's own account is unchanged.
    const t = await w.get<TwinRecord>('twin', key(twinId));
    if (t) w.put('twin', key(t.twinId), { ...t, boundedAccount: account });
  },
  'TfgridModule.TwinDeleted': async (w, { twinId }) => {
    const t = await w.get<TwinRecord>('twin', key(twinId));
    if (!t) return;
    w.del('twin', key(t.twinId));
    w.del('twinByAccount', t.accountId);
  },
  'TfgridModule.FarmMarkedAsDedicated': (w, { farmId }) => updateFarm(w, farmId, (f) => void (f.dedicated = true)),
  'TfgridModule.FarmingPolicySet': (w, { farmId, limits }) => updateFarm(w, farmId, (f) => void (f.farmingPolicyLimits = limits)),
  'TfgridModule.EntityStored': async (w, { entity }) => {
    const en = entityRecord(entity);
    w.put('entity', key(en.entityId), en);
  },
  'TfgridModule.EntityUpdated': async (w, { entity }) => {
    const en = entityRecord(entity);
    w.put('entity', key(en.entityId), en);
  },
  'TfgridModule.EntityDeleted': async (w, { entityId }) => w.del('entity', key(entityId)),
  'SmartContractModule.IPsFreed': async (w, { contractId, publicIps }) => {
    const c = await w.get<ContractRecord>('contract', key(contractId));
    if (c)
      await markIps(
        w,
        c.nodeId,
        publicIps.map((p) => p.ip),
        0,
      );
  },
};

export const HANDLED = Object.keys(handlers);

/** Applies one event; answers whether the explorer handles it. */
export async function applyEvent(w: WriteSet, e: BlockEvent, b: BlockContext): Promise<boolean> {
  if (!Object.hasOwn(handlers, e.name)) return false;
  const ev = decodeEvent(e);
  return ev ? applyDecoded(w, ev, b, e.eventIndex) : false;
}

/** Applies one decoded event (the state import replays what storage holds as such); answers whether the explorer handles it. */
export async function applyDecoded(w: WriteSet, ev: TfchainEvent, b: BlockContext, eventIndex: number): Promise<boolean> {
  const h = handlers[ev.name] as ((w: WriteSet, ev: TfchainEvent, b: BlockContext, eventIndex: number) => Promise<void>) | undefined;
  if (!h) return false;
  await h(w, ev, b, eventIndex);
  await recordRewardInputs(w, ev, b, eventIndex);
  return true;
}
