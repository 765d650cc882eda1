/**
 * The nodes' filtered fields as typed-array columns by node id: a /nodes walk checks hundreds of
 * nodes per request, and reading a record's fields (its capacity and power in objects of their
 * own, its free capacity in a WeakMap) is a chain of scattered memory reads; a column is one read
 * of a flat array. Kept by NodeIndex.update (records are replaced, never mutated), so a column
 * always holds what the node map holds.
 *
 * Columns cover the ids below their capacity, which grows (doubling, the columns rebuilt from the
 * node map) while the ids stay dense (below 2 × nodes + 1024); a node whose id is past it is not
 * covered, and a check of the columns answers "maybe" for it (the record's own check decides).
 */
import type { NodeRecord, Resources } from '../model/records';
import { lastSeen, poweredOn } from './node-status';

/** Flag bits. */
export const COVERED = 1;
export const HAS_IPV4 = 2;
export const HAS_IPV6 = 4;
export const HAS_DOMAIN = 8;
export const RENTED = 16;
/** Power state and target both Up. */
export const POWER_ON = 32;

/** Lower-cased text (country, city, certification) → a small code; codes are never reused. */
class Codes {
  readonly #codes = new Map<string, number>();
  code(s: string): number {
    const l = s.toLowerCase();
    let c = this.#codes.get(l);
    if (c === undefined) this.#codes.set(l, (c = this.#codes.size));
    return c;
  }
  /** The code of a lower-cased text, or -1 when no node ever had it. */
  find(lowered: string): number {
    return this.#codes.get(lowered) ?? -1;
  }
}

const MIN_CAPACITY = 1024;

export class NodeColumns {
  readonly #nodes: Map<number, NodeRecord>;
  readonly #free: (n: NodeRecord) => Resources;
  readonly #codes = new Codes();
  flags = new Uint8Array(0);
  farm = new Float64Array(0);
  country = new Int32Array(0);
  city = new Int32Array(0);
  certification = new Int32Array(0);
  freeCru = new Float64Array(0);
  freeMru = new Float64Array(0);
  freeSru = new Float64Array(0);
  freeHru = new Float64Array(0);
  totalCru = new Float64Array(0);
  totalMru = new Float64Array(0);
  totalSru = new Float64Array(0);
  totalHru = new Float64Array(0);
  /** Last seen: the later of its last update and its last uptime report (unix s). */
  seen = new Float64Array(0);
  /** When it powered down (unix s), 0 when never. */
  downAt = new Float64Array(0);

  /** `free`: a record's free capacity (the index's, computed once per record). */
  constructor(nodes: Map<number, NodeRecord>, free: (n: NodeRecord) => Resources) {
    this.#nodes = nodes;
    this.#free = free;
  }

  /** Ids below this are covered. */
  get capacity(): number {
    return this.flags.length;
  }

  /** The code of a lower-cased country, city or certification type; -1 when no node has had it. */
  codeOf(lowered: string): number {
    return this.#codes.find(lowered);
  }

  /** Call after the node map changed for `id` (`next` absent: deleted). */
  update(id: number, next: NodeRecord | undefined): void {
    if (id >= this.capacity) {
      if (next === undefined || id >= 2 * this.#nodes.size + MIN_CAPACITY) return; // sparse: not covered
      this.#grow(id);
      return; // the rebuild read the node map, which holds `next`
    }
    if (next === undefined) this.flags[id] = 0;
    else this.#set(id, next);
  }

  #grow(id: number): void {
    let cap = Math.max(MIN_CAPACITY, this.capacity);
    while (cap <= id) cap *= 2;
    this.flags = new Uint8Array(cap);
    this.farm = new Float64Array(cap);
    this.country = new Int32Array(cap);
    this.city = new Int32Array(cap);
    this.certification = new Int32Array(cap);
    this.freeCru = new Float64Array(cap);
    this.freeMru = new Float64Array(cap);
    this.freeSru = new Float64Array(cap);
    this.freeHru = new Float64Array(cap);
    this.totalCru = new Float64Array(cap);
    this.totalMru = new Float64Array(cap);
    this.totalSru = new Float64Array(cap);
    this.totalHru = new Float64Array(cap);
    this.seen = new Float64Array(cap);
    this.downAt = new Float64Array(cap);
    for (const [nodeId, n] of this.#nodes) if (nodeId < cap) this.#set(nodeId, n);
  }

  #set(id: number, n: NodeRecord): void {
    const p = n.publicConfig;
    this.flags[id] =
      COVERED |
      (p.ipv4 !== '' ? HAS_IPV4 : 0) |
      (p.ipv6 !== '' ? HAS_IPV6 : 0) |
      (p.domain !== '' ? HAS_DOMAIN : 0) |
      (n.rentContractId !== 0 ? RENTED : 0) |
      (poweredOn(n) ? POWER_ON : 0);
    this.farm[id] = n.farmId;
    this.country[id] = this.#codes.code(n.location.country);
    this.city[id] = this.#codes.code(n.location.city);
    this.certification[id] = this.#codes.code(n.certificationType);
    const f = this.#free(n);
    this.freeCru[id] = f.cru;
    this.freeMru[id] = f.mru;
    this.freeSru[id] = f.sru;
    this.freeHru[id] = f.hru;
    this.totalCru[id] = n.total.cru;
    this.totalMru[id] = n.total.mru;
    this.totalSru[id] = n.total.sru;
    this.totalHru[id] = n.total.hru;
    this.seen[id] = lastSeen(n);
    this.downAt[id] = n.power.downAt ?? 0;
  }
}
