/**
 * Answers a /nodes query from the in-memory view. Plan: a selective equality filter (node, twin,
 * farms, farm name, country, city) gives a small candidate set that is filtered and sorted;
 * otherwise the sorted index of the requested field is walked in order and the walk stops once
 * the page is full (unless the total count is asked for). Status and reputation are evaluated
 * at request time; sorting by them sorts the matching nodes.
 */
import type { NodeRecord } from '../../model/records';
import type { GridView } from '../../view/grid';
import { COVERED, HAS_DOMAIN, HAS_IPV4, HAS_IPV6, POWER_ON, RENTED, type NodeColumns } from '../../view/node-columns';
import { STATIC_NODE_SORT, compareKeys, nodeFree, staticSortKey, type StaticNodeSort } from '../../view/node-index';
import type { ReputationWindow } from '../../view/reputation';
import { idList, shuffle, DEFAULT_PAGE_SIZE } from '../shared/schemas';
import { nodeFeatures, nodeGpus, priceUsd } from '../../view/node-facts';
import { NodesQuery, type NodeSort } from './query';
import { regionOf } from './regions';
import { nodeStatus, statusOf, type NodeStatus } from '../../view/node-status';
import { nodeReputation } from './view';

/** The query, plus what a farm filter asks of its nodes beyond grid-proxy's node names (node_certified). */
export type NodeFilter = NodesQuery & { certified?: boolean };

/** Rentable: not rented, and in a dedicated farm or without contracts (grid-proxy). */
const rentableIn = (n: NodeRecord, dedicatedFarm: boolean): boolean => n.rentContractId === 0 && (dedicatedFarm || n.activeContracts === 0);
/** available_for / rentable_or_rented_by: the twin's rented nodes come first (grid-proxy's order). */
export const rentedFirst = (q: NodesQuery): boolean =>
  !q.randomize && (q.available_for !== undefined || q.rentable_or_rented_by !== undefined);

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

/**
 * Every filter name with `undefined`: the one shape a query is copied into. Queries come in many
 * shapes (each its own set of parameters), so reading the ~60 names straight off them makes every
 * property read megamorphic (each absent name a slow lookup: ~10 µs per request); off this shape
 * the reads are monomorphic, and only the names present are copied.
 */
const FILTER_NAMES = [...Object.keys(NodesQuery.properties), 'certified'];
// Built by assignment, not Object.fromEntries (which gives a slow dictionary-mode object).
const EMPTY_FILTER = FILTER_NAMES.reduce<Record<string, undefined>>((o, k) => ((o[k] = undefined), o), {}) as NodeFilter;
const FILTER_NAME_SET = new Set(FILTER_NAMES);
/** The names nodePrefilter checks over the columns: left out of the record's check after it. */
const COLUMN_CHECKED: Partial<Record<keyof NodeFilter, undefined>> = {
  domain: undefined,
  ipv4: undefined,
  ipv6: undefined,
  has_ipv6: undefined,
  rented: undefined,
  farm_ids: undefined,
  country: undefined,
  city: undefined,
  certification_type: undefined,
  free_cru: undefined,
  free_mru: undefined,
  free_sru: undefined,
  free_hru: undefined,
  total_cru: undefined,
  total_mru: undefined,
  total_sru: undefined,
  total_hru: undefined,
  status: undefined,
  healthy: undefined,
};
const COLUMN_CHECKED_NAMES = new Set(Object.keys(COLUMN_CHECKED));
/** Names that are not filters (paging, order, the price's balance). */
const NOT_FILTERS = new Set(['page', 'size', 'ret_count', 'sort_by', 'sort_order', 'randomize', 'balance']);
const normalized = new WeakSet<NodeFilter>();
function normalize(q: NodeFilter): NodeFilter {
  if (normalized.has(q)) return q;
  const out = { ...EMPTY_FILTER } as Record<string, unknown>;
  for (const k of Object.keys(q)) if (FILTER_NAME_SET.has(k)) out[k] = (q as Record<string, unknown>)[k];
  normalized.add(out as NodeFilter);
  return out as NodeFilter;
}

/** The farm ids of `farm_ids`, without repeats (parsed once per request). */
const farmIdsOf = (q: NodesQuery): number[] | undefined => {
  const ids = idList(q.farm_ids);
  return ids && [...new Set(ids)];
};

/*
 * Helpers of the per-request setup, at module level: a closure bound to a name inside a function is
 * given its name at run time by the TypeScript loader (a defineProperty per closure and request).
 */
const lowOrUndefined = (x: string | undefined) => (x === undefined ? undefined : x.toLowerCase());
/** A free-capacity minimum: 0 always holds, as no minimum. */
const positiveOrUndefined = (x: number | undefined) => (x === 0 ? undefined : x);
/** A minimum for the columns' check, -1 when none (0 always holds). */
const positiveOrNone = (x: number | undefined) => (x === undefined || x === 0 ? -1 : x);
/** A lower-cased name's code in the columns, -2 when not asked (see nodePrefilter). */
const codeIn = (c: NodeColumns, x: string | undefined) => (x === undefined ? -2 : c.codeOf(x.toLowerCase()));

/**
 * The filter as one closure over the query's values read once. Checks run cheapest first: plain
 * fields of the record, then its capacity, then those needing a lookup (farm, free IPs), then
 * status (computed from "now"), reputation last (it walks the coverage intervals).
 */
export function nodePredicate(view: GridView, query: NodeFilter, now: number, gateways: boolean): (n: NodeRecord) => boolean {
  return recordPredicate(view, normalize(query), now, gateways, false)!;
}

/**
 * The predicate; with `afterColumns`, without the checks nodePrefilter made over the columns (for
 * nodes they cover), and undefined when nothing is left to check on the record.
 */
function recordPredicate(
  view: GridView,
  q: NodeFilter,
  now: number,
  gatewaysAsked: boolean,
  afterColumns: boolean,
): ((n: NodeRecord) => boolean) | undefined {
  // The filters nodePrefilter checks over the columns.
  if (afterColumns) {
    // Nothing left for the record: no predicate (and none of its setup).
    if (FILTER_NAMES.every((k) => (q as Record<string, unknown>)[k] === undefined || NOT_FILTERS.has(k) || COLUMN_CHECKED_NAMES.has(k)))
      return undefined;
    q = { ...q, ...COLUMN_CHECKED };
  }
  const gateways = gatewaysAsked && !afterColumns;
  const farmList = farmIdsOf(q);
  const nodeIds = q.node_ids === undefined ? undefined : new Set(idList(q.node_ids));
  const excluded = q.excluded === undefined ? undefined : new Set(idList(q.excluded));
  const statuses = q.status === undefined ? undefined : new Set(q.status.split(',') as NodeStatus[]);
  const features = q.features?.split(',');
  const low = lowOrUndefined;
  const [countryHas, cityHas, farmNameHas, region] = [
    low(q.country_contains),
    low(q.city_contains),
    low(q.farm_name_contains),
    low(q.region),
  ];
  const {
    in_dedicated_farm: inDedicated,
    owned_by: ownedBy,
    rentable_or_rented_by: rentableOrRentedBy,
    healthy,
    has_ipv6: hasIpv6,
    certified,
  } = q;
  const { has_gpu: hasGpu, num_gpu: numGpu, gpu_available: gpuAvailable, price_min: priceMin, price_max: priceMax } = q;
  const gpuText = [low(q.gpu_device_id), low(q.gpu_device_name), low(q.gpu_vendor_id), low(q.gpu_vendor_name)] as const;
  const gpuFilter = hasGpu !== undefined || gpuAvailable !== undefined || gpuText.some((t) => t !== undefined);
  const balance = q.balance ?? 0;
  const farmSet = farmList && new Set(farmList);
  const { node_id: nodeId, twin_id: twinId, rented: wantRented, rented_by: rentedBy, available_for: availableFor } = q;
  // free (total − reserved − used, never negative) ≥ min: a minimum of 0 always holds.
  const positive = positiveOrUndefined;
  const [fCru, fMru, fSru, fHru] = [positive(q.free_cru), positive(q.free_mru), positive(q.free_sru), positive(q.free_hru)];
  const anyFree = fCru !== undefined || fMru !== undefined || fSru !== undefined || fHru !== undefined;
  const { total_cru: tCru, total_mru: tMru, total_sru: tSru, total_hru: tHru } = q;
  const { ipv4, ipv6, domain, dedicated: wantDedicated, rentable: wantRentable, free_ips: freeIps } = q;
  const country = q.country === undefined ? undefined : q.country.toLowerCase();
  const city = q.city === undefined ? undefined : q.city.toLowerCase();
  const cert = q.certification_type === undefined ? undefined : q.certification_type.toLowerCase();
  const farmName = q.farm_name === undefined ? undefined : q.farm_name.toLowerCase();
  const needFarm =
    wantDedicated !== undefined ||
    wantRentable !== undefined ||
    farmName !== undefined ||
    farmNameHas !== undefined ||
    inDedicated !== undefined ||
    ownedBy !== undefined ||
    rentableOrRentedBy !== undefined ||
    availableFor !== undefined;
  const reps: [ReputationWindow, number][] = [];
  if (q.min_reputation_24h !== undefined) reps.push(['24h', q.min_reputation_24h]);
  if (q.min_reputation_7d !== undefined) reps.push(['7d', q.min_reputation_7d]);
  if (q.min_reputation_30d !== undefined) reps.push(['30d', q.min_reputation_30d]);
  return (n) => {
    if (nodeId !== undefined && n.nodeId !== nodeId) return false;
    if (nodeIds !== undefined && !nodeIds.has(n.nodeId)) return false;
    if (excluded !== undefined && excluded.has(n.nodeId)) return false;
    if (twinId !== undefined && n.twinId !== twinId) return false;
    if (gateways && n.publicConfig.domain === '') return false;
    if (farmSet !== undefined && !farmSet.has(n.farmId)) return false;
    const rented = n.rentContractId !== 0;
    if (wantRented !== undefined && rented !== wantRented) return false;
    if (rentedBy !== undefined && n.rentedByTwinId !== rentedBy) return false;
    if (availableFor !== undefined && rented && n.rentedByTwinId !== availableFor) return false;
    if (availableFor !== undefined && !rented && (n.extraFee ?? 0) !== 0) return false; // a free node with an extra fee is for renting only
    if (hasIpv6 !== undefined && (n.publicConfig.ipv6 !== '') !== hasIpv6) return false;
    if (certified !== undefined && (n.certificationType === 'Certified') !== certified) return false;
    if (countryHas !== undefined && !lower(n.location.country).includes(countryHas)) return false;
    if (cityHas !== undefined && !lower(n.location.city).includes(cityHas)) return false;
    if (region !== undefined && lower(regionOf(n.location.country)) !== region) return false;
    if (ipv4 !== undefined && (n.publicConfig.ipv4 !== '') !== ipv4) return false;
    if (ipv6 !== undefined && (n.publicConfig.ipv6 !== '') !== ipv6) return false;
    if (domain !== undefined && (n.publicConfig.domain !== '') !== domain) return false;
    if (cert !== undefined && lower(n.certificationType) !== cert) return false;
    if (country !== undefined && lower(n.location.country) !== country) return false;
    if (city !== undefined && lower(n.location.city) !== city) return false;
    if (wantRentable !== undefined && wantRentable && rented) return false; // rentable needs not rented: decided without the farm
    // Capacity after the record's own fields: its numbers sit in objects of their own (another memory read).
    const t = n.total;
    if (anyFree) {
      const f = nodeFree(n);
      if (
        (fMru !== undefined && f.mru < fMru) ||
        (fSru !== undefined && f.sru < fSru) ||
        (fHru !== undefined && f.hru < fHru) ||
        (fCru !== undefined && f.cru < fCru)
      )
        return false;
    }
    if (tCru !== undefined && t.cru < tCru) return false;
    if (tMru !== undefined && t.mru < tMru) return false;
    if (tSru !== undefined && t.sru < tSru) return false;
    if (tHru !== undefined && t.hru < tHru) return false;
    if (needFarm) {
      const farm = view.farms.get(n.farmId);
      const dedicated = farm !== undefined && farm.dedicated;
      if (wantDedicated !== undefined && dedicated !== wantDedicated) return false;
      if (wantRentable !== undefined && (!rented && (dedicated || n.activeContracts === 0)) !== wantRentable) return false;
      if (farmName !== undefined && lower(farm?.name ?? '') !== farmName) return false;
      if (farmNameHas !== undefined && !lower(farm?.name ?? '').includes(farmNameHas)) return false;
      if (inDedicated !== undefined && dedicated !== inDedicated) return false;
      if (ownedBy !== undefined && (farm?.twinId ?? 0) !== ownedBy) return false;
      // grid-proxy: a free node is available to anyone only outside a dedicated farm.
      if (availableFor !== undefined && !rented && dedicated) return false;
      if (rentableOrRentedBy !== undefined && !rentableIn(n, dedicated) && !(rented && n.rentedByTwinId === rentableOrRentedBy))
        return false;
    }
    if (gpuFilter || numGpu !== undefined) {
      const gpus = nodeGpus(n);
      if (numGpu !== undefined && gpus.length < numGpu) return false;
      if (gpuFilter) {
        // grid-proxy: some one GPU of the node matches every GPU filter.
        const match = gpus.some(
          (g) =>
            (hasGpu === undefined || (g.id !== '') === hasGpu) &&
            (gpuAvailable === undefined || (g.contract === 0) === gpuAvailable) &&
            (gpuText[0] === undefined || lower(g.id).includes(gpuText[0])) &&
            (gpuText[1] === undefined || lower(g.device).includes(gpuText[1])) &&
            (gpuText[2] === undefined || lower(g.id).includes(gpuText[2])) &&
            (gpuText[3] === undefined || lower(g.vendor).includes(gpuText[3])),
        );
        if (!match) return false;
      }
    }
    if (features !== undefined) {
      const has = nodeFeatures(n);
      if (!features.every((f) => has.includes(f))) return false;
    }
    if (priceMin !== undefined || priceMax !== undefined) {
      const p = priceUsd(view, n, balance);
      if ((priceMin !== undefined && p < priceMin) || (priceMax !== undefined && p > priceMax)) return false;
    }
    if (freeIps !== undefined && (view.farmFreeIps.get(n.farmId) ?? 0) < freeIps) return false;
    if (statuses !== undefined && !statuses.has(nodeStatus(n, now))) return false;
    if (healthy !== undefined && (nodeStatus(n, now) === 'up') !== healthy) return false;
    for (let i = 0; i < reps.length; i++) if (nodeReputation(view, n, reps[i]![0], now) < reps[i]![1]) return false;
    return true;
  };
}

const STATUS_BIT: Record<NodeStatus, number> = { up: 1, standby: 2, down: 4 };
const NOTHING = (): number => REFUSED;
/** What nodePrefilter answers. */
const REFUSED = 0;
const PASSED = 1;
const NOT_COVERED = 2;

/**
 * A first check of a node by id over the index's typed-array columns (view/node-columns.ts): the
 * filters named in COLUMN_CHECKED (the record's flags, farm, names, capacity and status inputs).
 * REFUSED: the predicate refuses the node; PASSED: it passes those filters (the rest are the
 * record's to check); NOT_COVERED: the columns do not hold the node (the whole predicate decides).
 * Undefined when the query has none of these filters.
 */
export function nodePrefilter(view: GridView, query: NodeFilter, now: number, gateways: boolean): ((id: number) => number) | undefined {
  const q = normalize(query);
  const c = view.nodeIndex.columns;
  // Required flag bits: the bits asked (mask) and their values; a bit asked both ways matches nothing.
  const wants: (readonly [number, boolean | undefined])[] = [
    [HAS_DOMAIN, gateways ? true : undefined],
    [HAS_DOMAIN, q.domain],
    [HAS_IPV4, q.ipv4],
    [HAS_IPV6, q.ipv6],
    [HAS_IPV6, q.has_ipv6],
    [RENTED, q.rented],
    [RENTED, q.rentable === true ? false : undefined],
  ];
  let mask = 0;
  let value = 0;
  let impossible = false;
  for (const [b, want] of wants) {
    if (want === undefined) continue;
    if ((mask & b) !== 0 && ((value & b) !== 0) !== want) impossible = true;
    mask |= b;
    if (want) value |= b;
  }
  if (impossible) return NOTHING;
  // -2: not asked; -1: a name no covered node has had (no covered node matches; one not covered may).
  const [country, city, cert] = [codeIn(c, q.country), codeIn(c, q.city), codeIn(c, q.certification_type)];
  const positive = positiveOrNone;
  const [fCru, fMru, fSru, fHru] = [positive(q.free_cru), positive(q.free_mru), positive(q.free_sru), positive(q.free_hru)];
  const [tCru, tMru, tSru, tHru] = [q.total_cru ?? -1, q.total_mru ?? -1, q.total_sru ?? -1, q.total_hru ?? -1];
  let statuses = 0;
  if (q.status !== undefined) for (const s of q.status.split(',')) statuses |= STATUS_BIT[s as NodeStatus];
  if (q.healthy !== undefined) {
    const healthy = q.healthy ? STATUS_BIT.up : STATUS_BIT.standby | STATUS_BIT.down;
    statuses = q.status === undefined ? healthy : statuses & healthy;
    if (statuses === 0) return NOTHING;
  }
  const capacity = fCru >= 0 || fMru >= 0 || fSru >= 0 || fHru >= 0 || tCru >= 0 || tMru >= 0 || tSru >= 0 || tHru >= 0;
  const farms = farmIdsOf(q);
  const farmSet = farms !== undefined && farms.length > 8 ? new Set(farms) : undefined;
  if (mask === 0 && farms === undefined && country === -2 && city === -2 && cert === -2 && !capacity && statuses === 0) return undefined;
  const { flags, farm, freeCru, freeMru, freeSru, freeHru, totalCru, totalMru, totalSru, totalHru, seen, downAt } = c;
  const { country: countries, city: cities, certification } = c;
  // Imported names are read through the module's exports (a getter each, once compiled): locals here.
  const [covered, powerOn, status] = [COVERED, POWER_ON, statusOf];
  return (id) => {
    const f = flags[id];
    if (f === undefined || (f & covered) === 0) return NOT_COVERED;
    if ((f & mask) !== value) return REFUSED;
    if (farms !== undefined && (farmSet !== undefined ? !farmSet.has(farm[id]!) : !farms.includes(farm[id]!))) return REFUSED;
    if (country !== -2 && countries[id] !== country) return REFUSED;
    if (city !== -2 && cities[id] !== city) return REFUSED;
    if (cert !== -2 && certification[id] !== cert) return REFUSED;
    if (capacity) {
      if (fMru >= 0 && freeMru[id]! < fMru) return REFUSED;
      if (fSru >= 0 && freeSru[id]! < fSru) return REFUSED;
      if (fHru >= 0 && freeHru[id]! < fHru) return REFUSED;
      if (fCru >= 0 && freeCru[id]! < fCru) return REFUSED;
      if (tCru >= 0 && totalCru[id]! < tCru) return REFUSED;
      if (tMru >= 0 && totalMru[id]! < tMru) return REFUSED;
      if (tSru >= 0 && totalSru[id]! < tSru) return REFUSED;
      if (tHru >= 0 && totalHru[id]! < tHru) return REFUSED;
    }
    if (statuses !== 0) {
      // nodeStatus over the columns.
      if ((statuses & STATUS_BIT[status((f & powerOn) !== 0, seen[id]!, downAt[id]!, now)]) === 0) return REFUSED;
    }
    return PASSED;
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
  const offers: IdSet[] = [];
  const ix = view.nodeIndex;
  if (q.node_id !== undefined) offers.push(listOf(view.nodes.has(q.node_id) ? [q.node_id] : []));
  if (q.node_ids !== undefined) offers.push(listOf([...new Set(idList(q.node_ids))].filter((id) => view.nodes.has(id))));
  if (q.twin_id !== undefined) offers.push(setOf(ix.byTwin.get(q.twin_id)));
  if (q.country !== undefined) offers.push(setOf(ix.byCountry.get(q.country.toLowerCase())));
  if (q.city !== undefined) offers.push(setOf(ix.byCity.get(q.city.toLowerCase())));
  // A node is in one farm: the union of distinct farms' sets is their concatenation.
  const farms = farmIdsOf(q);
  if (farms !== undefined) offers.push(listOf(concat(farms.map((f) => ix.byFarm.get(f)))));
  if (q.farm_name !== undefined) {
    const name = q.farm_name.toLowerCase();
    const sets: (Set<number> | undefined)[] = [];
    for (const f of view.farms.values()) if (lower(f.name) === name) sets.push(ix.byFarm.get(f.farmId));
    offers.push(listOf(concat(sets)));
  }
  let best: IdSet | undefined;
  for (const s of offers) if (best === undefined || s.size < best.size) best = s;
  return best;
}

function concat(sets: (Set<number> | undefined)[]): number[] {
  const out: number[] = [];
  for (const s of sets) if (s) for (const id of s) out.push(id);
  return out;
}

function dynamicKey(view: GridView, by: NodeSort, now: number, balance: number): (n: NodeRecord) => number | string {
  // grid-proxy orders status up, standby, down.
  if (by === 'status') return (n) => STATUS_ORDER[nodeStatus(n, now)];
  const farmDedicated = (n: NodeRecord) => view.farms.get(n.farmId)?.dedicated === true;
  if (by === 'dedicated_farm') return (n) => (farmDedicated(n) ? 1 : 0);
  if (by === 'rentable') return (n) => (rentableIn(n, farmDedicated(n)) ? 1 : 0);
  if (by === 'price_usd') return (n) => priceUsd(view, n, balance);
  const w = by.slice('reputation_'.length) as ReputationWindow;
  return (n) => nodeReputation(view, n, w, now);
}

export interface NodePage {
  items: NodeRecord[];
  /** Total matching nodes, when asked for. */
  count?: number;
}

const STATIC = new Set<string>(STATIC_NODE_SORT);
const STATUS_ORDER: Record<NodeStatus, number> = { up: 0, standby: 1, down: 2 };

/**
 * The filter by id and record: the columns' check first, then what is left of the predicate for
 * the nodes they passed (nothing when they checked every filter asked: the record is not read),
 * the whole predicate for nodes they do not cover.
 */
function nodeCheck(view: GridView, q: NodeFilter, now: number, gateways: boolean): (id: number, n: NodeRecord) => boolean {
  const pre = nodePrefilter(view, q, now, gateways);
  if (pre === undefined) {
    const all = recordPredicate(view, q, now, gateways, false)!;
    return (_id, n) => all(n);
  }
  // The whole predicate only for a node the columns do not cover: built when one comes.
  let whole: ((n: NodeRecord) => boolean) | undefined;
  const rest = recordPredicate(view, q, now, gateways, true);
  if (rest === undefined) {
    return (id, n) => {
      const p = pre(id);
      return p === PASSED || (p === NOT_COVERED && (whole ??= recordPredicate(view, q, now, gateways, false)!)(n));
    };
  }
  return (id, n) => {
    const p = pre(id);
    return p === PASSED ? rest(n) : p === NOT_COVERED && (whole ??= recordPredicate(view, q, now, gateways, false)!)(n);
  };
}

export function searchNodes(view: GridView, query: NodesQuery, now: number, gateways: boolean): NodePage {
  const q = normalize(query);
  const keep = nodeCheck(view, q, now, gateways);
  const by = (q.sort_by ?? 'node_id') as NodeSort;
  const desc = q.sort_order === 'desc';
  const size = q.size ?? DEFAULT_PAGE_SIZE;
  const from = ((q.page ?? 1) - 1) * size;
  const first = rentedFirst(q);
  const isStatic = STATIC.has(by) && !first && !q.randomize;
  const cand = candidates(view, q);
  const nodes = view.nodes;

  if (isStatic && cand && useCandidates(cand.size, from + size, nodes.size, q.ret_count === true)) {
    // Few candidates in an indexed order: sort the matching ones by their position in it (a numeric
    // sort of a typed array; the order already breaks ties by node id, reversed when descending).
    const ranks = view.nodeIndex.ranks(by as StaticNodeSort);
    const matched = new Int32Array(cand.size);
    let m = 0;
    for (const id of cand.ids) {
      const n = view.nodeIndex.record(id);
      const r = ranks.of(id);
      if (n !== undefined && r >= 0 && keep(id, n)) matched[m++] = r;
    }
    const order = matched.subarray(0, m).sort();
    const items: NodeRecord[] = [];
    for (let i = from; i < m && i < from + size; i++) items.push(view.nodeIndex.record(ranks.ids[order[desc ? m - 1 - i : i]!]!)!);
    return { items, count: q.ret_count ? m : undefined };
  }
  if (!isStatic) {
    // A key computed now, or an order the indexes do not hold: filter, then sort what matched.
    const key = STATIC.has(by) ? staticSortKey(by as StaticNodeSort) : dynamicKey(view, by, now, q.balance ?? 0);
    const list: { k: number | string; n: NodeRecord; r: number }[] = [];
    for (const id of cand ? cand.ids : nodes.keys()) {
      const n = nodes.get(id);
      if (n !== undefined && keep(id, n)) list.push({ k: key(n), n, r: first && n.rentContractId !== 0 ? 0 : 1 });
    }
    const dir = desc ? -1 : 1;
    if (q.randomize) shuffle(list);
    else list.sort((a, b) => a.r - b.r || (compareKeys(a.k, b.k) || a.n.nodeId - b.n.nodeId) * dir);
    const items: NodeRecord[] = [];
    for (let i = from; i < list.length && i < from + size; i++) items.push(list[i]!.n);
    return { items, count: q.ret_count ? list.length : undefined };
  }

  // Walk the sorted index; stop once the page is full unless the count is wanted. Nodes outside
  // the candidate set (when an equality filter gave one) are skipped.
  const ix = view.nodeIndex;
  const ids = ix.sorted(by as StaticNodeSort);
  const member = cand === undefined ? undefined : cand.ids instanceof Set ? cand.ids : new Set(cand.ids);
  const items: NodeRecord[] = [];
  const count = q.ret_count === true;
  const last = ids.length - 1;
  let matched = 0;
  for (let i = 0; i <= last; i++) {
    const id = ids[desc ? last - i : i]!;
    const n = ix.record(id)!;
    // The columns' check before the set's: most nodes are refused by a typed-array read or two.
    if (!keep(id, n)) continue;
    if (member !== undefined && !member.has(id)) continue;
    if (matched >= from && items.length < size) items.push(n);
    matched++;
    if (!count && items.length === size) break;
  }
  return { items, count: count ? matched : undefined };
}
