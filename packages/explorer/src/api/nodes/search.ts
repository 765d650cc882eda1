/**
 * Answers a /nodes query from the in-memory view. Plan: a selective equality filter (node, twin,
 * farms, farm name, country, city) gives a small candidate set that is filtered and sorted;
 * otherwise the sorted index of the requested field is walked in order and the walk stops once
 * the page is full (unless the total count is asked for). Status and reputation are evaluated
 * at request time; sorting by them sorts the matching nodes.
 */
import { freeCapacity } from '@tfgrid/client';
import type { NodeRecord } from '../../indexer/records';
import type { GridView } from '../../view/grid';
import { STATIC_NODE_SORT, compareKeys, staticSortKey, type StaticNodeSort } from '../../view/node-index';
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

/** Lower-cased strings, memoized: record fields take few distinct values, so a hot loop allocates nothing. */
const lowered = new Map<string, string>();
function lower(s: string): string {
  let l = lowered.get(s);
  if (l === undefined) {
    if (lowered.size > 100_000) lowered.clear(); // bounded: distinct names only grow with the grid
    lowered.set(s, (l = s.toLowerCase()));
  }
  return l;
}

/** The farm ids of `farm_ids`, without repeats (parsed once per request). */
const farmIdsOf = (q: NodesQuery): number[] | undefined => {
  const ids = idList(q.farm_ids);
  return ids && [...new Set(ids)];
};

/**
 * The filter as one closure over the query's values read once. Checks run cheapest first: plain
 * numeric and string fields of the record, then those needing a lookup (farm, free IPs), then
 * status (computed from "now"), reputation last (it walks the coverage intervals).
 */
export function nodePredicate(view: GridView, q: NodesQuery, now: number, gateways: boolean): (n: NodeRecord) => boolean {
  const farmList = farmIdsOf(q);
  const farmSet = farmList && new Set(farmList);
  const { node_id: nodeId, twin_id: twinId, rented: wantRented, rented_by: rentedBy, available_for: availableFor } = q;
  // free (total − reserved − used, never negative) ≥ min: a minimum of 0 always holds.
  const positive = (x: number | undefined) => (x === 0 ? undefined : x);
  const [fCru, fMru, fSru, fHru] = [positive(q.free_cru), positive(q.free_mru), positive(q.free_sru), positive(q.free_hru)];
  const anyFree = fCru !== undefined || fMru !== undefined || fSru !== undefined || fHru !== undefined;
  const { total_cru: tCru, total_mru: tMru, total_sru: tSru, total_hru: tHru } = q;
  const { ipv4, ipv6, domain, status, dedicated: wantDedicated, rentable: wantRentable, free_ips: freeIps } = q;
  const country = q.country === undefined ? undefined : q.country.toLowerCase();
  const city = q.city === undefined ? undefined : q.city.toLowerCase();
  const cert = q.certification_type === undefined ? undefined : q.certification_type.toLowerCase();
  const farmName = q.farm_name === undefined ? undefined : q.farm_name.toLowerCase();
  const needFarm = wantDedicated !== undefined || wantRentable !== undefined || farmName !== undefined;
  const reps: [ReputationWindow, number][] = [];
  if (q.min_reputation_24h !== undefined) reps.push(['24h', q.min_reputation_24h]);
  if (q.min_reputation_7d !== undefined) reps.push(['7d', q.min_reputation_7d]);
  if (q.min_reputation_30d !== undefined) reps.push(['30d', q.min_reputation_30d]);
  return (n) => {
    if (nodeId !== undefined && n.nodeId !== nodeId) return false;
    if (twinId !== undefined && n.twinId !== twinId) return false;
    if (gateways && n.publicConfig.domain === '') return false;
    if (farmSet !== undefined && !farmSet.has(n.farmId)) return false;
    const t = n.total;
    if (anyFree) {
      const f = freeCapacity(t, n.used);
      if ((fMru !== undefined && f.mru < fMru) || (fSru !== undefined && f.sru < fSru) || (fHru !== undefined && f.hru < fHru) || (fCru !== undefined && f.cru < fCru)) return false;
    }
    if (tCru !== undefined && t.cru < tCru) return false;
    if (tMru !== undefined && t.mru < tMru) return false;
    if (tSru !== undefined && t.sru < tSru) return false;
    if (tHru !== undefined && t.hru < tHru) return false;
    const rented = n.rentContractId !== 0;
    if (wantRented !== undefined && rented !== wantRented) return false;
    if (rentedBy !== undefined && n.rentedByTwinId !== rentedBy) return false;
    if (availableFor !== undefined && rented && n.rentedByTwinId !== availableFor) return false;
    if (ipv4 !== undefined && (n.publicConfig.ipv4 !== '') !== ipv4) return false;
    if (ipv6 !== undefined && (n.publicConfig.ipv6 !== '') !== ipv6) return false;
    if (domain !== undefined && (n.publicConfig.domain !== '') !== domain) return false;
    if (cert !== undefined && lower(n.certificationType) !== cert) return false;
    if (country !== undefined && lower(n.location.country) !== country) return false;
    if (city !== undefined && lower(n.location.city) !== city) return false;
    if (wantRentable !== undefined && wantRentable && rented) return false; // rentable needs not rented: decided without the farm
    if (needFarm) {
      const farm = view.farms.get(n.farmId);
      const dedicated = farm !== undefined && farm.dedicated;
      if (wantDedicated !== undefined && dedicated !== wantDedicated) return false;
      if (wantRentable !== undefined && (!rented && (dedicated || n.activeContracts === 0)) !== wantRentable) return false;
      if (farmName !== undefined && lower(farm?.name ?? '') !== farmName) return false;
    }
    if (freeIps !== undefined && (view.farmFreeIps.get(n.farmId) ?? 0) < freeIps) return false;
    if (status !== undefined && nodeStatus(n, now) !== status) return false;
    for (let i = 0; i < reps.length; i++) if (nodeReputation(view, n, reps[i]![0], now) < reps[i]![1]) return false;
    return true;
  };
}

interface IdSet {
  ids: Iterable<number>;
  size: number;
}
const setOf = (s: Set<number> | undefined): IdSet => ({ ids: s ?? [], size: s?.size ?? 0 });
const listOf = (a: number[]): IdSet => ({ ids: a, size: a.length });

/** The smallest set of node ids an equality filter allows, or undefined when none applies. */
function candidates(view: GridView, q: NodesQuery): IdSet | undefined {
  let best: IdSet | undefined;
  const offer = (s: IdSet) => {
    if (best === undefined || s.size < best.size) best = s;
  };
  const ix = view.nodeIndex;
  if (q.node_id !== undefined) offer(listOf(view.nodes.has(q.node_id) ? [q.node_id] : []));
  if (q.twin_id !== undefined) offer(setOf(ix.byTwin.get(q.twin_id)));
  if (q.country !== undefined) offer(setOf(ix.byCountry.get(q.country.toLowerCase())));
  if (q.city !== undefined) offer(setOf(ix.byCity.get(q.city.toLowerCase())));
  // A node is in one farm: the union of distinct farms' sets is their concatenation.
  const farms = farmIdsOf(q);
  if (farms !== undefined) offer(listOf(concat(farms.map((f) => ix.byFarm.get(f)))));
  if (q.farm_name !== undefined) {
    const name = q.farm_name.toLowerCase();
    const sets: (Set<number> | undefined)[] = [];
    for (const f of view.farms.values()) if (lower(f.name) === name) sets.push(ix.byFarm.get(f.farmId));
    offer(listOf(concat(sets)));
  }
  return best;
}

function concat(sets: (Set<number> | undefined)[]): number[] {
  const out: number[] = [];
  for (const s of sets) if (s) for (const id of s) out.push(id);
  return out;
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

const STATIC = new Set<string>(STATIC_NODE_SORT);

export function searchNodes(view: GridView, q: NodesQuery, now: number, gateways: boolean): NodePage {
  const keep = nodePredicate(view, q, now, gateways);
  const by = (q.sort_by ?? 'node_id') as NodeSort;
  const desc = q.sort_order === 'desc';
  const size = q.size ?? DEFAULT_PAGE_SIZE;
  const from = ((q.page ?? 1) - 1) * size;
  const isStatic = STATIC.has(by);
  const cand = candidates(view, q);
  const nodes = view.nodes;

  if (!isStatic || (cand && useCandidates(cand.size, from + size, nodes.size, q.ret_count === true))) {
    // Few candidates, or a key computed now: filter, then sort what matched.
    const key = isStatic ? staticSortKey(by as StaticNodeSort) : dynamicKey(view, by, now);
    const list: { k: number | string; n: NodeRecord }[] = [];
    for (const id of cand ? cand.ids : nodes.keys()) {
      const n = nodes.get(id);
      if (n !== undefined && keep(n)) list.push({ k: key(n), n });
    }
    const dir = desc ? -1 : 1;
    list.sort((a, b) => (compareKeys(a.k, b.k) || a.n.nodeId - b.n.nodeId) * dir);
    const items: NodeRecord[] = [];
    for (let i = from; i < list.length && i < from + size; i++) items.push(list[i]!.n);
    return { items, count: q.ret_count ? list.length : undefined };
  }

  // Walk the sorted index; stop once the page is full unless the count is wanted.
  const ids = view.nodeIndex.sorted(by as StaticNodeSort);
  const items: NodeRecord[] = [];
  const count = q.ret_count === true;
  const last = ids.length - 1;
  let matched = 0;
  for (let i = 0; i <= last; i++) {
    const n = nodes.get(ids[desc ? last - i : i]!)!;
    if (!keep(n)) continue;
    if (matched >= from && items.length < size) items.push(n);
    matched++;
    if (!count && items.length === size) break;
  }
  return { items, count: count ? matched : undefined };
}
