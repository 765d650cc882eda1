/**
 * Answers a /nodes query from the in-memory view. Plan: a selective equality filter (node, twin,
 * farms, farm name, country, city) gives a small candidate set that is filtered and sorted;
 * otherwise the sorted index of the requested field is walked in order and the walk stops once
 * the page is full (unless the total count is asked for). Status and reputation are evaluated
 * at request time; sorting by them sorts the matching nodes.
 */
import type { NodeRecord } from '../../indexer/records';
import type { GridView } from '../../view/grid';
import { STATIC_NODE_SORT, compareKeys, freeOf, staticSortKey, type StaticNodeSort } from '../../view/node-index';
import type { ReputationWindow } from '../../view/reputation';
import { idList, DEFAULT_PAGE_SIZE } from '../common';
import type { NodeSort, NodesQuery } from './query';
import { nodeReputation, nodeStatus } from './view';

/**
 * Filtering and sorting a candidate set costs about its size; walking the sorted index costs
 * about (rows to skip and return) × (all nodes / candidates) checks when the candidate filter is
 * the selective one. Take the candidates when size² ≤ rows × all (and always for a count).
 */
const useCandidates = (size: number, rows: number, all: number, count: boolean) => count || size * size <= rows * all;

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function nodePredicate(view: GridView, q: NodesQuery, now: number, gateways: boolean): (n: NodeRecord) => boolean {
  const farms = idList(q.farm_ids);
  const reps: [ReputationWindow, number][] = [];
  if (q.min_reputation_24h !== undefined) reps.push(['24h', q.min_reputation_24h]);
  if (q.min_reputation_7d !== undefined) reps.push(['7d', q.min_reputation_7d]);
  if (q.min_reputation_30d !== undefined) reps.push(['30d', q.min_reputation_30d]);
  return (n) => {
    if (gateways && n.publicConfig.domain === '') return false;
    if (q.node_id !== undefined && n.nodeId !== q.node_id) return false;
    if (q.twin_id !== undefined && n.twinId !== q.twin_id) return false;
    if (farms !== undefined && !farms.includes(n.farmId)) return false;
    if (q.free_cru !== undefined && freeOf(n, 'cru') < q.free_cru) return false;
    if (q.free_mru !== undefined && freeOf(n, 'mru') < q.free_mru) return false;
    if (q.free_sru !== undefined && freeOf(n, 'sru') < q.free_sru) return false;
    if (q.free_hru !== undefined && freeOf(n, 'hru') < q.free_hru) return false;
    if (q.total_cru !== undefined && n.total.cru < q.total_cru) return false;
    if (q.total_mru !== undefined && n.total.mru < q.total_mru) return false;
    if (q.total_sru !== undefined && n.total.sru < q.total_sru) return false;
    if (q.total_hru !== undefined && n.total.hru < q.total_hru) return false;
    if (q.country !== undefined && !eq(n.location.country, q.country)) return false;
    if (q.city !== undefined && !eq(n.location.city, q.city)) return false;
    const rented = n.rentContractId !== 0;
    if (q.rented !== undefined && rented !== q.rented) return false;
    if (q.rented_by !== undefined && n.rentedByTwinId !== q.rented_by) return false;
    if (q.available_for !== undefined && rented && n.rentedByTwinId !== q.available_for) return false;
    if (q.ipv4 !== undefined && (n.publicConfig.ipv4 !== '') !== q.ipv4) return false;
    if (q.ipv6 !== undefined && (n.publicConfig.ipv6 !== '') !== q.ipv6) return false;
    if (q.domain !== undefined && (n.publicConfig.domain !== '') !== q.domain) return false;
    if (q.certification_type !== undefined && !eq(n.certificationType, q.certification_type)) return false;
    if (q.free_ips !== undefined && (view.farmFreeIps.get(n.farmId) ?? 0) < q.free_ips) return false;
    if (q.dedicated !== undefined || q.rentable !== undefined || q.farm_name !== undefined) {
      const farm = view.farms.get(n.farmId);
      const dedicated = farm?.dedicated ?? false;
      if (q.dedicated !== undefined && dedicated !== q.dedicated) return false;
      if (q.rentable !== undefined && (!rented && (dedicated || n.activeContracts === 0)) !== q.rentable) return false;
      if (q.farm_name !== undefined && !eq(farm?.name ?? '', q.farm_name)) return false;
    }
    if (q.status !== undefined && nodeStatus(n, now) !== q.status) return false;
    for (const [w, min] of reps) if (nodeReputation(view, n, w, now) < min) return false;
    return true;
  };
}

/** The smallest set of node ids an equality filter allows, or undefined when none applies. */
function candidates(view: GridView, q: NodesQuery): Iterable<number> & { size: number } | undefined {
  const sets: (Iterable<number> & { size: number })[] = [];
  const ix = view.nodeIndex;
  if (q.node_id !== undefined) sets.push(new Set(view.nodes.has(q.node_id) ? [q.node_id] : []));
  if (q.twin_id !== undefined) sets.push(ix.byTwin.get(q.twin_id) ?? new Set());
  const farms = idList(q.farm_ids);
  if (farms !== undefined) sets.push(new Set(farms.flatMap((f) => [...(ix.byFarm.get(f) ?? [])])));
  if (q.farm_name !== undefined) {
    const ids = [...view.farms.values()].filter((f) => eq(f.name, q.farm_name!)).flatMap((f) => [...(ix.byFarm.get(f.farmId) ?? [])]);
    sets.push(new Set(ids));
  }
  if (q.country !== undefined) sets.push(ix.byCountry.get(q.country.toLowerCase()) ?? new Set());
  if (q.city !== undefined) sets.push(ix.byCity.get(q.city.toLowerCase()) ?? new Set());
  if (sets.length === 0) return undefined;
  return sets.reduce((a, b) => (b.size < a.size ? b : a));
}

function dynamicKey(view: GridView, by: NodeSort, now: number): (n: NodeRecord) => number | string {
  if (by === 'status') return (n) => nodeStatus(n, now);
  const w = by.slice('reputation_'.length) as ReputationWindow;
  return (n) => nodeReputation(view, n, w, now);
}

export interface NodePage {
  items: NodeRecord[];
  /** Total matching nodes, when asked for. */
  count?: number;
}

export function searchNodes(view: GridView, q: NodesQuery, now: number, gateways: boolean): NodePage {
  const keep = nodePredicate(view, q, now, gateways);
  const by = (q.sort_by ?? 'node_id') as NodeSort;
  const desc = q.sort_order === 'desc';
  const size = q.size ?? DEFAULT_PAGE_SIZE;
  const from = ((q.page ?? 1) - 1) * size;
  const isStatic = (STATIC_NODE_SORT as readonly string[]).includes(by);
  const cand = candidates(view, q);

  if (!isStatic || (cand && useCandidates(cand.size, from + size, view.nodes.size, q.ret_count === true))) {
    // Few candidates, or a key computed now: filter, then sort what matched.
    const key = isStatic ? staticSortKey(by as StaticNodeSort) : dynamicKey(view, by, now);
    const list: [number | string, NodeRecord][] = [];
    for (const id of cand ?? view.nodes.keys()) {
      const n = view.nodes.get(id);
      if (n && keep(n)) list.push([key(n), n]);
    }
    list.sort((a, b) => (compareKeys(a[0], b[0]) || a[1].nodeId - b[1].nodeId) * (desc ? -1 : 1));
    return { items: list.slice(from, from + size).map((x) => x[1]), count: q.ret_count ? list.length : undefined };
  }

  // Walk the sorted index; stop once the page is full unless the count is wanted.
  const ids = view.nodeIndex.sorted(by as StaticNodeSort);
  const items: NodeRecord[] = [];
  let matched = 0;
  for (let i = 0; i < ids.length; i++) {
    const n = view.nodes.get(ids[desc ? ids.length - 1 - i : i]!)!;
    if (!keep(n)) continue;
    if (matched >= from && items.length < size) items.push(n);
    matched++;
    if (items.length === size && !q.ret_count) break;
  }
  return { items, count: q.ret_count ? matched : undefined };
}
