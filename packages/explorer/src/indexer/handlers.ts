/**
 * Event handlers: each turns one TFChain event into record and index writes. Records are
 * read-modify-write through the block's WriteSet, so several events of one block compose.
 */
import { key } from '../db/keys';
import type { WriteSet } from './writeset';
import {
  addResources,
  contractOf,
  farmOf,
  nodeOf,
  num,
  publicConfigOf,
  resources,
  text,
  twinOf,
  variant,
  variantValue,
  type BillRecord,
  type ContractRecord,
  type FarmRecord,
  type NodeRecord,
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
  w.put('twin', key(t.twinId), t);
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
  'TfgridModule.NodeUptimeReported': async (w, [id, now, uptime], _b, e) => {
    const nodeId = num(id);
    const at = num(now);
    await updateNode(w, nodeId, (n) => ((n.uptime = num(uptime)), (n.lastUptimeReport = at)));
    w.put('uptime', key(nodeId, at, e.eventIndex), { timestamp: at, uptime: num(uptime) });
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
  return true;
}
