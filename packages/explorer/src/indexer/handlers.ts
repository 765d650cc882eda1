/**
 * Event handlers: each turns one TFChain event into record and index writes. Records are
 * read-modify-write through the block's WriteSet, so several events of one block compose.
 */
import { key } from '../db/keys';
import { recordRewardInputs } from '../rewards/indexing';
import type { WriteSet } from './writeset';
import {
  addResources,
  contractOf,
  entityOf,
  farmOf,
  nodeOf,
  num,
  publicConfigOf,
  resources,
  serviceContractOf,
  solutionProviderOf,
  text,
  twinOf,
  variant,
  variantValue,
  type BillRecord,
  type ContractRecord,
  type FarmRecord,
  type NodeRecord,
  type ServiceContractRecord,
  type SolutionProviderRecord,
  type TwinRecord,
} from './records';

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

type Handler = (w: WriteSet, data: unknown[], b: BlockContext, e: BlockEvent) => Promise<void>;
const obj = (v: unknown) => (v ?? {}) as Record<string, unknown>;
/** The contract id of an event with named fields (`contract_id` first, arguments in order) or of a struct argument. */
const contractIdOf = (data: unknown[]): number => (data[0] !== null && typeof data[0] === 'object' ? num(obj(data[0]).contractId) : num(data[0]));

export async function putTwin(w: WriteSet, t: TwinRecord): Promise<void> {
  const prev = await w.get<TwinRecord>('twin', key(t.twinId));
  if (prev && prev.accountId !== t.accountId) w.del('twinByAccount', prev.accountId);
  w.put('twin', key(t.twinId), prev?.boundedAccount !== undefined && t.boundedAccount === undefined ? { ...t, boundedAccount: prev.boundedAccount } : t);
  w.put('twinByAccount', t.accountId, t.twinId);
}

export async function putFarm(w: WriteSet, j: Record<string, unknown>): Promise<void> {
  const id = num(j.id);
  const prev = await w.get<FarmRecord>('farm', key(id));
  const f = farmOf(j, prev);
  if (prev && prev.name !== f.name) w.del('farmByName', prev.name);
  w.put('farm', key(id), f);
  w.put('farmByName', f.name, id);
}

export async function putNode(w: WriteSet, j: Record<string, unknown>, now: number): Promise<void> {
  const id = num(j.id);
  const prev = await w.get<NodeRecord>('node', key(id));
  const n = nodeOf(j, prev, now);
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

export async function putContract(w: WriteSet, j: Record<string, unknown>, now: number): Promise<void> {
  const id = num(j.contractId);
  const prev = await w.get<ContractRecord>('contract', key(id));
  const c = contractOf(j, prev, now);
  w.put('contract', key(id), c);
  w.put('contractByTwin', key(c.twinId, id), id);
  if (c.type !== 'name') w.put('contractByNode', key(c.nodeId, id), id);
  if (!prev && c.state !== 'Deleted') {
    if (c.type === 'node') {
      await updateNode(w, c.nodeId, (n) => void (n.activeContracts += 1));
      await markIps(w, c.nodeId, c.publicIps.map((p) => p.ip), id);
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
    await markIps(w, c.nodeId, c.publicIps.map((p) => p.ip), 0);
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

async function putServiceContract(w: WriteSet, j: Record<string, unknown>, f?: (s: ServiceContractRecord) => void): Promise<void> {
  const id = num(j.serviceContractId);
  const next = serviceContractOf(j, await w.get<ServiceContractRecord>('service', key(id)));
  f?.(next);
  w.put('service', key(id), next);
}

async function setContractState(w: WriteSet, id: number, state: ContractRecord['state'], now: number): Promise<void> {
  const c = await w.get<ContractRecord>('contract', key(id));
  if (c && c.state !== 'Deleted') w.put('contract', key(id), { ...c, state, updatedAt: now });
}

const handlers: Record<string, Handler> = {
  'TfgridModule.TwinStored': (w, [t]) => putTwin(w, twinOf(obj(t))),
  'TfgridModule.TwinUpdated': (w, [t]) => putTwin(w, twinOf(obj(t))),
  'TfgridModule.FarmStored': (w, [f]) => putFarm(w, obj(f)),
  'TfgridModule.FarmUpdated': (w, [f]) => putFarm(w, obj(f)),
  'TfgridModule.FarmDeleted': async (w, [id]) => {
    const f = await w.get<FarmRecord>('farm', key(num(id)));
    if (f) w.del('farmByName', f.name);
    w.del('farm', key(num(id)));
  },
  'TfgridModule.FarmPayoutV2AddressRegistered': (w, [id, addr]) => updateFarm(w, num(id), (f) => void (f.stellarAddress = text(addr))),
  'TfgridModule.FarmCertificationSet': (w, [id, c]) => updateFarm(w, num(id), (f) => void (f.certificationType = variant(c))),
  'TfgridModule.NodeStored': (w, [n], b) => putNode(w, obj(n), b.timestamp),
  'TfgridModule.NodeUpdated': (w, [n], b) => putNode(w, obj(n), b.timestamp),
  'TfgridModule.NodeDeleted': async (w, [id]) => {
    const n = await w.get<NodeRecord>('node', key(num(id)));
    if (!n) return;
    w.del('node', key(n.nodeId));
    w.del('nodeByFarm', key(n.farmId, n.nodeId));
    w.del('nodeByTwin', key(n.twinId));
  },
  'TfgridModule.NodeCertificationSet': (w, [id, c]) => updateNode(w, num(id), (n) => void (n.certificationType = variant(c))),
  'TfgridModule.NodePublicConfigStored': (w, [id, c]) => updateNode(w, num(id), (n) => void (n.publicConfig = publicConfigOf(c))),
  'TfgridModule.NodeUptimeReported': async (w, [id, now, uptime], b, e) => {
    const nodeId = num(id);
    const at = num(now);
    await updateNode(w, nodeId, (n) => ((n.uptime = num(uptime)), (n.lastUptimeReport = at)));
    w.put('uptime', key(nodeId, at, e.eventIndex), { timestamp: at, uptime: num(uptime), block: b.number });
  },
  'TfgridModule.PowerStateChanged': (w, [, id, state], b) =>
    updateNode(w, num(id), (n) => {
      const s = variant(state) === 'Down' ? 'Down' : 'Up';
      if (s === n.power.state) return;
      n.power.state = s;
      n.power.downSinceBlock = s === 'Down' ? num(variantValue(state)) : null;
      n.power.downAt = s === 'Down' ? b.timestamp : null;
    }),
  'TfgridModule.PowerTargetChanged': (w, [, id, target]) => updateNode(w, num(id), (n) => void (n.power.target = variant(target) === 'Down' ? 'Down' : 'Up')),
  'TfgridModule.PricingPolicyStored': async (w, [p]) => w.put('pricing', key(num(obj(p).id)), policyOf(obj(p))),
  'TfgridModule.FarmingPolicyStored': async (w, [p]) => w.put('farming', key(num(obj(p).id)), policyOf(obj(p))),
  'TfgridModule.FarmingPolicyUpdated': async (w, [p]) => w.put('farming', key(num(obj(p).id)), policyOf(obj(p))),
  'SmartContractModule.ContractCreated': (w, [c], b) => putContract(w, obj(c), b.timestamp),
  'SmartContractModule.ContractUpdated': (w, [c], b) => putContract(w, obj(c), b.timestamp),
  'SmartContractModule.NodeContractCanceled': (w, d, b) => contractEnded(w, contractIdOf(d), b.timestamp),
  'SmartContractModule.NameContractCanceled': (w, d, b) => contractEnded(w, contractIdOf(d), b.timestamp),
  'SmartContractModule.RentContractCanceled': (w, d, b) => contractEnded(w, contractIdOf(d), b.timestamp),
  'SmartContractModule.ContractGracePeriodStarted': (w, d, b) => setContractState(w, contractIdOf(d), 'GracePeriod', b.timestamp),
  'SmartContractModule.ContractGracePeriodEnded': (w, d, b) => setContractState(w, contractIdOf(d), 'Created', b.timestamp),
  'SmartContractModule.UpdatedUsedResources': async (w, [d], b) => {
    const id = num(obj(d).contractId);
    const c = await w.get<ContractRecord>('contract', key(id));
    if (!c) return;
    const used = resources(obj(d).used);
    w.put('contract', key(id), { ...c, resources: used, updatedAt: b.timestamp });
    if (c.type === 'node' && c.state !== 'Deleted') await updateNode(w, c.nodeId, (n) => void (n.used = addResources(addResources(n.used, c.resources, -1), used)));
  },
  'SmartContractModule.ContractBilled': async (w, [d], b, e) => {
    const bill: BillRecord = { contractId: num(obj(d).contractId), timestamp: num(obj(d).timestamp) || b.timestamp, discountLevel: variant(obj(d).discountLevel), amountBilled: num(obj(d).amountBilled) };
    w.put('bill', key(bill.contractId, b.number, e.eventIndex), bill);
    const c = await w.get<ContractRecord>('contract', key(bill.contractId));
    if (c) w.put('contract', key(c.contractId), { ...c, billed: c.billed + bill.amountBilled });
  },
  'SmartContractModule.NruConsumptionReportReceived': async (w, [d], b, e) => {
    const r = obj(d);
    w.put('nru', key(num(r.contractId), b.number, e.eventIndex), { contractId: num(r.contractId), timestamp: num(r.timestamp), window: num(r.window), nru: num(r.nru) });
  },
  'SmartContractModule.ContractPaymentOverdrawn': async (w, [id, timestamp, partial, overdraft], b, e) => {
    // A partial bill: what was taken counts as billed, the rest stays owed.
    const contractId = num(id);
    const bill: BillRecord = { contractId, timestamp: num(timestamp) || b.timestamp, discountLevel: 'None', amountBilled: num(partial), overdraft: num(overdraft) };
    w.put('bill', key(contractId, b.number, e.eventIndex), bill);
    await updateContract(w, contractId, (c) => ((c.billed += bill.amountBilled), (c.overdraft = bill.overdraft)));
  },
  'SmartContractModule.RentWaived': (w, [id], b) => updateContract(w, num(id), (c) => void (c.rentWaivedAt = b.timestamp)),
  'SmartContractModule.NodeExtraFeeSet': (w, [id, fee]) => updateNode(w, num(id), (n) => void (n.extraFee = num(fee))),
  'SmartContractModule.SolutionProviderCreated': async (w, [p]) => {
    const sp = solutionProviderOf(obj(p));
    w.put('provider', key(sp.solutionProviderId), sp);
  },
  'SmartContractModule.SolutionProviderApproved': async (w, [id, approved]) => {
    const sp = await w.get<SolutionProviderRecord>('provider', key(num(id)));
    if (sp) w.put('provider', key(sp.solutionProviderId), { ...sp, approved: Boolean(approved) });
  },
  'SmartContractModule.ServiceContractCreated': (w, [sc]) => putServiceContract(w, obj(sc)),
  'SmartContractModule.ServiceContractMetadataSet': (w, [sc]) => putServiceContract(w, obj(sc)),
  'SmartContractModule.ServiceContractFeesSet': (w, [sc]) => putServiceContract(w, obj(sc)),
  'SmartContractModule.ServiceContractApproved': (w, [sc]) => putServiceContract(w, obj(sc)),
  'SmartContractModule.ServiceContractBilled': (w, [sc, , amount]) => putServiceContract(w, obj(sc), (s) => void (s.billed += num(amount))),
  'SmartContractModule.ServiceContractCanceled': async (w, [id, cause]) => {
    const s = await w.get<ServiceContractRecord>('service', key(num(id)));
    if (s) w.put('service', key(s.serviceContractId), { ...s, canceled: variant(cause) || 'Canceled' });
  },
  'SmartContractModule.BillingFrequencyChanged': async (w, [f]) => w.put('meta', 'billingFrequency', num(f)),
  'TfgridModule.ZosVersionUpdated': async (w, [v]) => w.put('meta', 'zosVersion', text(v)),
  'TfgridModule.ConnectionPriceSet': async (w, [p]) => w.put('meta', 'connectionPrice', num(p)),
  'TfgridModule.TwinAccountBounded': async (w, [id, account]) => {
    // The twin's bonded stash account (billing draws on it too); the twin's own account is unchanged.
    const t = await w.get<TwinRecord>('twin', key(num(id)));
    if (t) w.put('twin', key(t.twinId), { ...t, boundedAccount: String(account) });
  },
  'TfgridModule.TwinDeleted': async (w, [id]) => {
    const t = await w.get<TwinRecord>('twin', key(num(id)));
    if (!t) return;
    w.del('twin', key(t.twinId));
    w.del('twinByAccount', t.accountId);
  },
  'TfgridModule.FarmMarkedAsDedicated': (w, [id]) => updateFarm(w, num(id), (f) => void (f.dedicated = true)),
  'TfgridModule.FarmingPolicySet': (w, [id, limits]) => updateFarm(w, num(id), (f) => void (f.farmingPolicyLimits = limits ?? null)),
  'TfgridModule.EntityStored': async (w, [x]) => {
    const en = entityOf(obj(x));
    w.put('entity', key(en.entityId), en);
  },
  'TfgridModule.EntityUpdated': async (w, [x]) => {
    const en = entityOf(obj(x));
    w.put('entity', key(en.entityId), en);
  },
  'TfgridModule.EntityDeleted': async (w, [id]) => w.del('entity', key(num(id))),
  'SmartContractModule.IPsFreed': async (w, d) => {
    const c = await w.get<ContractRecord>('contract', key(contractIdOf(d)));
    const ips = (typeof d[0] === 'object' && d[0] !== null ? obj(d[0]).publicIps : d[1]) ?? [];
    if (c) await markIps(w, c.nodeId, (ips as Record<string, unknown>[]).map((p) => text(p.ip)), 0);
  },
};

export function policyOf(j: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(j).map(([k, v]) => [k, k === 'name' ? text(v) : v]));
}

export const HANDLED = Object.keys(handlers);

/** Applies one event; answers whether the explorer handles it. */
export async function applyEvent(w: WriteSet, e: BlockEvent, b: BlockContext): Promise<boolean> {
  const h = handlers[e.name];
  if (!h) return false;
  await h(w, e.data, b, e);
  await recordRewardInputs(w, e, b);
  return true;
}
