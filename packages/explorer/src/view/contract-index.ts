/**
 * Indexes over the in-memory contracts, kept by the view's commits: sorted id lists per sort
 * field (contract id always kept in order; the others built on first use and dropped only when a
 * change touched their key or the set of contracts), and counters /stats reads instead of a scan.
 */
import type { ContractRecord } from '../model/records';

export const CONTRACT_SORT = ['contract_id', 'twin_id', 'node_id', 'created_at', 'state', 'type'] as const;
export type ContractSort = (typeof CONTRACT_SORT)[number];
type Key = number | string;

export function contractSortKey(by: ContractSort): (c: ContractRecord) => Key {
  switch (by) {
    case 'twin_id':
      return (c) => c.twinId;
    case 'node_id':
      return (c) => c.nodeId;
    case 'created_at':
      return (c) => c.createdAt;
    case 'state':
      return (c) => c.state;
    case 'type':
      return (c) => c.type;
    default:
      return (c) => c.contractId;
  }
}

const KEYS = CONTRACT_SORT.filter((s) => s !== 'contract_id').map((s) => [s, contractSortKey(s)] as const);

/** The first index in ascending `ids` whose value is ≥ `id`. */
function lowerBound(ids: number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ContractIndex {
  readonly #contracts: Map<number, ContractRecord>;
  /** Every contract id, ascending (new contracts get the next id: appended). */
  readonly #byId: number[] = [];
  readonly #sorted = new Map<ContractSort, number[]>();
  /** Contracts not deleted. */
  live = 0;
  /** Node contracts not deleted (grid-proxy's workloads_number). */
  liveNode = 0;

  constructor(contracts: Map<number, ContractRecord>) {
    this.#contracts = contracts;
  }

  /** Call after the contract map changed from `prev` to `next` (either may be absent). */
  update(prev: ContractRecord | undefined, next: ContractRecord | undefined): void {
    const id = (next ?? prev)!.contractId;
    if (prev && prev.state !== 'Deleted') {
      this.live--;
      if (prev.type === 'node') this.liveNode--;
    }
    if (next && next.state !== 'Deleted') {
      this.live++;
      if (next.type === 'node') this.liveNode++;
    }
    if (!prev && next) {
      const ids = this.#byId;
      if (ids.length === 0 || ids[ids.length - 1]! < id) ids.push(id);
      else ids.splice(lowerBound(ids, id), 0, id);
    } else if (prev && !next) {
      const at = lowerBound(this.#byId, id);
      if (this.#byId[at] === id) this.#byId.splice(at, 1);
    }
    for (const [name, k] of KEYS) {
      if (!this.#sorted.has(name)) continue;
      if (!prev || !next || k(prev) !== k(next)) this.#sorted.delete(name);
    }
  }

  /** Contract ids ordered by `by` ascending, ties by contract id. */
  sorted(by: ContractSort): readonly number[] {
    if (by === 'contract_id') return this.#byId;
    let ids = this.#sorted.get(by);
    if (ids) return ids;
    const k = contractSortKey(by);
    const pairs: [Key, number][] = [];
    for (const c of this.#contracts.values()) pairs.push([k(c), c.contractId]);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    ids = pairs.map((p) => p[1]);
    this.#sorted.set(by, ids);
    return ids;
  }
}
