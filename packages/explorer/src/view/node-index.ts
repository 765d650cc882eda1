/**
 * Indexes over the in-memory nodes: one sorted id list per sortable field (rebuilt lazily, only
 * for the fields a change touched), and equality indexes (farm, twin, country, city) that give
 * small candidate sets for selective filters.
 */
import { freeCapacity } from '@tfgrid/client';
import type { NodeRecord, Resources } from '../model/records';
import { NodeColumns } from './node-columns';

/** Sort fields whose value depends only on the record (status and reputation depend on "now"). */
export const STATIC_NODE_SORT = [
  'node_id',
  'farm_id',
  'twin_id',
  'uptime',
  'created',
  'updated_at',
  'country',
  'city',
  'free_cru',
  'free_mru',
  'free_sru',
  'free_hru',
  'total_cru',
  'total_mru',
  'total_sru',
  'total_hru',
  'used_cru',
  'used_mru',
  'used_sru',
  'used_hru',
  'num_contracts',
  'rent_contract_id',
  'rented',
  'num_gpu',
  'extra_fee',
] as const;
export type StaticNodeSort = (typeof STATIC_NODE_SORT)[number];
type Key = number | string;
type Res = 'cru' | 'mru' | 'sru' | 'hru';

/** Last seen: the later of its last update and its last uptime report. */
export const seenAt = (n: NodeRecord): number => Math.max(n.updatedAt, n.lastUptimeReport);
/**
 * Free = total − the node's reserved share − used (the client's computation, as the node admits),
 * computed once per record: records are replaced on change, never mutated, so a record's free
 * capacity never changes (filters and sorts read it per node and request).
 */
const freeOfRecord = new WeakMap<NodeRecord, Resources>();
export function nodeFree(n: NodeRecord): Resources {
  let f = freeOfRecord.get(n);
  if (f === undefined) freeOfRecord.set(n, (f = freeCapacity(n.total, n.used)));
  return f;
}
export const freeOf = (n: NodeRecord, r: Res): number => nodeFree(n)[r];
export const usedOf = (n: NodeRecord, r: Res): number => Math.max(0, n.used[r]);

export function staticSortKey(by: StaticNodeSort): (n: NodeRecord) => Key {
  switch (by) {
    case 'node_id':
      return (n) => n.nodeId;
    case 'farm_id':
      return (n) => n.farmId;
    case 'twin_id':
      return (n) => n.twinId;
    case 'uptime':
      return (n) => n.uptime;
    case 'created':
      return (n) => n.created;
    case 'updated_at':
      return seenAt;
    case 'country':
      return (n) => n.location.country;
    case 'city':
      return (n) => n.location.city;
    case 'num_contracts':
      return (n) => n.activeContracts;
    case 'rent_contract_id':
      return (n) => n.rentContractId;
    case 'rented':
      return (n) => (n.rentContractId !== 0 ? 1 : 0);
    case 'num_gpu':
      return () => 0; // no GPU is on chain (see api/nodes/facts.ts)
    case 'extra_fee':
      return (n) => n.extraFee ?? 0;
    default: {
      const [kind, r] = by.split('_') as ['free' | 'total' | 'used', Res];
      if (kind === 'free') return (n) => freeOf(n, r);
      if (kind === 'used') return (n) => usedOf(n, r);
      return (n) => n.total[r];
    }
  }
}

const KEYS = STATIC_NODE_SORT.map((s) => [s, staticSortKey(s)] as const);
export const compareKeys = (a: Key, b: Key): number => (a < b ? -1 : a > b ? 1 : 0);

function addTo<K>(m: Map<K, Set<number>>, k: K, id: number): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(id);
}
function removeFrom<K>(m: Map<K, Set<number>>, k: K, id: number): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(id);
  if (s.size === 0) m.delete(k);
}

export class NodeIndex {
  readonly #nodes: Map<number, NodeRecord>;
  readonly #sorted = new Map<StaticNodeSort, number[]>();
  /** Per sort order, each node id's position in it (built on first use, dropped with the order). */
  readonly #ranks = new Map<StaticNodeSort, NodeRanks>();
  readonly byFarm = new Map<number, Set<number>>();
  readonly byTwin = new Map<number, Set<number>>();
  readonly byCountry = new Map<string, Set<number>>();
  readonly byCity = new Map<string, Set<number>>();
  /**
   * The records by id in an array: a walk of a sort order reads thousands of ids per request, and
   * an array read costs less than the map's hashing (chain node ids are handed out in sequence,
   * so the array is dense).
   */
  readonly #byId: (NodeRecord | undefined)[] = [];
  /** The filtered fields by node id (see node-columns.ts). */
  readonly columns: NodeColumns;

  constructor(nodes: Map<number, NodeRecord>) {
    this.#nodes = nodes;
    this.columns = new NodeColumns(nodes, nodeFree);
  }

  /** Call after the node map changed from `prev` to `next` (either may be absent). */
  update(prev: NodeRecord | undefined, next: NodeRecord | undefined): void {
    const id = (next ?? prev)!.nodeId;
    this.#byId[id] = next;
    this.columns.update(id, next);
    if (prev) {
      removeFrom(this.byFarm, prev.farmId, id);
      removeFrom(this.byTwin, prev.twinId, id);
      removeFrom(this.byCountry, prev.location.country.toLowerCase(), id);
      removeFrom(this.byCity, prev.location.city.toLowerCase(), id);
    }
    if (next) {
      addTo(this.byFarm, next.farmId, id);
      addTo(this.byTwin, next.twinId, id);
      addTo(this.byCountry, next.location.country.toLowerCase(), id);
      addTo(this.byCity, next.location.city.toLowerCase(), id);
    }
    // Only the sort orders whose key changed are dropped (rebuilt on their next use).
    for (const [name, k] of KEYS) {
      if (!this.#sorted.has(name)) continue;
      if (!prev || !next || k(prev) !== k(next)) {
        this.#sorted.delete(name);
        this.#ranks.delete(name);
      }
    }
  }

  /** The node's record (as the node map holds it). */
  record(id: number): NodeRecord | undefined {
    return this.#byId[id];
  }

  /** Node ids ordered by `by` ascending, ties by node id. */
  sorted(by: StaticNodeSort): number[] {
    let ids = this.#sorted.get(by);
    if (ids) return ids;
    const k = staticSortKey(by);
    const pairs: [Key, number][] = [];
    for (const n of this.#nodes.values()) pairs.push([k(n), n.nodeId]);
    pairs.sort((a, b) => compareKeys(a[0], b[0]) || a[1] - b[1]);
    ids = pairs.map((p) => p[1]);
    this.#sorted.set(by, ids);
    return ids;
  }

  /** Each node's position in `sorted(by)`: sorting a few candidates by it is a numeric sort, no key compared. */
  ranks(by: StaticNodeSort): NodeRanks {
    let r = this.#ranks.get(by);
    if (r === undefined) this.#ranks.set(by, (r = new NodeRanks(this.sorted(by))));
    return r;
  }
}

/**
 * Node id → position in one sort order. Chain node ids are handed out in sequence, so a typed
 * array indexed by id is small; ids far sparser than the nodes fall back to a map.
 */
export class NodeRanks {
  readonly #dense: Int32Array | undefined;
  readonly #sparse: Map<number, number> | undefined;

  constructor(readonly ids: readonly number[]) {
    let max = 0;
    for (const id of ids) if (id > max) max = id;
    if (max <= 4 * ids.length + 1024) {
      this.#dense = new Int32Array(max + 1).fill(-1);
      for (let i = 0; i < ids.length; i++) this.#dense[ids[i]!] = i;
    } else this.#sparse = new Map(ids.map((id, i) => [id, i]));
  }

  /** The id's position, or -1 when the order does not hold it. */
  of(id: number): number {
    if (this.#dense !== undefined) return id < this.#dense.length ? this.#dense[id]! : -1;
    return this.#sparse!.get(id) ?? -1;
  }
}
