/**
 * The inputs of a node's reward for a period, read from the explorer's store: the node snapshot
 * at the period's end (nodeHistory), its farming policy, its uptime reports in the period and 27 h
 * after, the NRU reports of its node contracts in the period, and its twin.
 */
import { key } from '../db/keys';
import type { ExplorerDb } from '../db/store';
import type { FarmingPolicy } from '@tfgrid/client';
import type { ContractRecord, NodeRecord } from '../model/records';
import type { GridView } from '../view/grid';
import { computeReward, nodeState, type RewardPolicy, type NodeReward, type NodeState, type UsageInput } from './compute';
import { POST_PERIOD_SECONDS, type Period } from './period';
import type { PowerEvent, PowerInput, UptimeReport } from './uptime';

export interface RewardSource {
  db: ExplorerDb;
  view: GridView;
}

/**
 * The node at the end of the period: its last snapshot by then, else its earliest known state.
 * Virtualized if it was at the start or at any update within the period ("once a VM, always a VM").
 */
async function stateAt(db: ExplorerDb, n: NodeRecord, p: Period): Promise<NodeState> {
  const sub = db.sub('nodeHistory');
  const prefix = key(n.nodeId) + '/';
  const upToEnd = (await sub.values({ gte: prefix, lt: key(n.nodeId, p.end + 1) }).all()) as NodeState[];
  const last = upToEnd[upToEnd.length - 1];
  if (last) {
    const atStart = upToEnd.filter((s) => (s.at ?? 0) <= p.start).pop();
    const within = upToEnd.filter((s) => (s.at ?? 0) > p.start);
    return { ...last, virtualized: [atStart, ...within].some((s) => s?.virtualized) };
  }
  const [after] = (await sub.values({ gte: prefix, lt: prefix + '\xff', limit: 1 }).all()) as NodeState[];
  return after ?? nodeState(n, null);
}

/** The reward's part of the farming policy the store holds (the client's decoded policy). */
export function rewardPolicy(p: FarmingPolicy | undefined): RewardPolicy | null {
  if (!p) return null;
  return {
    id: p.id,
    name: p.name,
    cu: p.cu,
    su: p.su,
    nu: p.nu,
    ipv4: p.ipv4,
    minimalUptime: p.minimalUptime,
    default: p.default,
    immutable: p.immutable,
  };
}

async function uptimeReports(db: ExplorerDb, nodeId: number, p: Period): Promise<UptimeReport[]> {
  const rows = (await db
    .sub('uptime')
    .values({ gte: key(nodeId, p.start), lt: key(nodeId, p.end + POST_PERIOD_SECONDS + 1) })
    .all()) as UptimeReport[];
  return rows.map((r) =>
    r.block === undefined ? { timestamp: r.timestamp, uptime: r.uptime } : { timestamp: r.timestamp, uptime: r.uptime, block: r.block },
  );
}

/** The node's power target and state at the period's start and its changes up to 27 h after the end. */
async function powerOf(db: ExplorerDb, nodeId: number, p: Period): Promise<PowerInput> {
  const all = (await db
    .sub('power')
    .values({ gte: key(nodeId) + '/', lt: key(nodeId, p.end + POST_PERIOD_SECONDS + 1) })
    .all()) as PowerEvent[];
  const atStart: PowerInput['atStart'] = { target: 'Up', state: 'Up', downAt: null };
  const events: PowerEvent[] = [];
  for (const e of all) {
    if (e.timestamp > p.start) events.push(e);
    else if (e.target) atStart.target = e.target;
    else if (e.state) {
      // Down since its first Down state event after being up.
      if (e.state === 'Up') atStart.downAt = null;
      else if (atStart.state === 'Up') atStart.downAt = e.timestamp;
      atStart.state = e.state;
    }
  }
  return { atStart, events };
}

/** Public traffic and IP time from the NRU reports of the node's contracts within the period. */
async function usage(src: RewardSource, nodeId: number, p: Period): Promise<UsageInput> {
  const u: UsageInput = { nruBytes: 0, publicIpSeconds: 0, nruReports: 0 };
  const ids = src.view.contractsByNode.get(nodeId) ?? new Set<number>();
  for (const id of ids) {
    const c: ContractRecord | undefined = src.view.contracts.get(id);
    if (!c || c.type !== 'node') continue;
    const reports = (await src.db.values<{ timestamp: number; window: number; nru: number }>('nru', key(id) + '/')).sort(
      (a, b) => a.timestamp - b.timestamp,
    );
    let last = 0;
    for (const r of reports) {
      // Reports out of order or repeated are skipped, as minting does.
      if (r.timestamp < p.start || r.timestamp > p.end || r.timestamp <= last) continue;
      last = r.timestamp;
      u.nruBytes += r.nru;
      u.publicIpSeconds += c.numberOfPublicIps * r.window;
      u.nruReports++;
    }
  }
  return u;
}

export async function nodeReward(src: RewardSource, n: NodeRecord, p: Period): Promise<NodeReward> {
  const state = await stateAt(src.db, n, p);
  const twin = src.view.twins.get(state.twinId);
  const registeredAfter = n.created > p.end;
  const r = computeReward({
    period: p,
    node: state,
    policy: rewardPolicy(await src.db.get<FarmingPolicy>('farming', key(state.farmingPolicyId))),
    reports: registeredAfter ? [] : await uptimeReports(src.db, n.nodeId, p),
    power: await powerOf(src.db, n.nodeId, p),
    usage: registeredAfter ? { nruBytes: 0, publicIpSeconds: 0, nruReports: 0 } : await usage(src, n.nodeId, p),
    twin: twin ? { relay: twin.relay, publicKey: twin.publicKey } : null,
    indexedUntil: src.view.chainTime,
  });
  if (registeredAfter) r.reason = 'the node registered after the period ended';
  return r;
}
