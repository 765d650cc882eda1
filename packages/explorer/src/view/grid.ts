/**
 * The in-memory view the list routes answer from: twins, farms, nodes, contracts and node uptime
 * coverage, loaded from LevelDB at start and updated from each block's writes right after the
 * batch is committed (so it never shows what the database does not hold). Bills, NRU reports and
 * raw uptime reports stay in LevelDB only.
 */
import type { PricingPolicy } from '@tfgrid/client';
import { idOf } from '../db/keys';
import type { ExplorerDb, Op } from '../db/store';
import type { ContractRecord, FarmRecord, NodeRecord, TwinRecord } from '../model/records';
import { CHANGE_TYPES, ChangeFeed, type BlockChanges, type Change, type ChangeType } from './feed';
import { ContractIndex } from './contract-index';
import { NodeIndex } from './node-index';
import { NodeTotals } from './node-totals';
import { addReport, emptyCoverage, type Coverage } from './reputation';

function addTo(m: Map<number, Set<number>>, k: number, id: number): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(id);
}

export class GridView {
  readonly twins = new Map<number, TwinRecord>();
  readonly farms = new Map<number, FarmRecord>();
  /** Free public IPs per farm (kept, since node filters read it per node). */
  readonly farmFreeIps = new Map<number, number>();
  readonly nodes = new Map<number, NodeRecord>();
  readonly contracts = new Map<number, ContractRecord>();
  readonly contractsByTwin = new Map<number, Set<number>>();
  readonly contractsByNode = new Map<number, Set<number>>();
  readonly coverage = new Map<number, Coverage>();
  /** Pricing policies by id, as the indexer stores them (node prices read them). */
  readonly pricing = new Map<number, PricingPolicy>();
  readonly nodeIndex = new NodeIndex(this.nodes);
  readonly nodeTotals = new NodeTotals();
  readonly contractIndex = new ContractIndex(this.contracts);
  readonly feed = new ChangeFeed();
  /** Last block whose writes are applied. */
  height = -1;
  /** Its chain time, unix s. */
  chainTime = 0;
  /** Bumped on every commit: answers computed at an older version are stale (the response cache checks it). */
  version = 0;

  /** A view of everything the database holds. */
  static async load(db: ExplorerDb): Promise<GridView> {
    const v = new GridView();
    for (const [k, t] of await db.sub('twin').iterator().all()) v.#put('twin', k, t);
    for (const [k, f] of await db.sub('farm').iterator().all()) v.#put('farm', k, f);
    for await (const [k, n] of db.sub('node').iterator()) v.#put('node', k, n);
    for await (const [k, c] of db.sub('contract').iterator()) v.#put('contract', k, c);
    for await (const [k, u] of db.sub('uptime').iterator()) v.#put('uptime', k, u);
    for (const [k, p] of await db.sub('pricing').iterator().all()) v.#put('pricing', k, p);
    const cursor = await db.cursor();
    v.height = cursor?.height ?? -1;
    v.chainTime = cursor?.timestamp ?? 0;
    return v;
  }

  /** Applies a committed block's writes and publishes its changes to the feed. */
  commit(ops: Op[], block: { height: number; hash: string; timestamp: number }): BlockChanges {
    const changes = new Map<string, Change>();
    for (const op of ops) {
      if (!(CHANGE_TYPES as readonly string[]).includes(op.sub)) continue;
      const type = op.sub as ChangeType;
      const id = `${type}\0${op.key}`;
      const existed = changes.get(id)?.action === 'created' ? false : this.#has(type, op.key);
      if (op.type === 'put') this.#put(type, op.key, op.value);
      else this.#del(type, op.key);
      // Several writes of one record in a block are one change; created-then-deleted is a delete.
      const action = op.type === 'del' ? 'deleted' : existed ? 'updated' : 'created';
      changes.delete(id);
      changes.set(id, { type, key: op.key, action, record: op.type === 'put' ? op.value : null });
    }
    this.height = block.height;
    this.chainTime = block.timestamp;
    this.version++;
    const b: BlockChanges = { block: block.height, hash: block.hash, timestamp: block.timestamp, changes: [...changes.values()] };
    this.feed.publish(b);
    return b;
  }

  #has(type: ChangeType, key: string): boolean {
    switch (type) {
      case 'twin':
        return this.twins.has(idOf(key));
      case 'farm':
        return this.farms.has(idOf(key));
      case 'node':
        return this.nodes.has(idOf(key));
      case 'contract':
        return this.contracts.has(idOf(key));
      default:
        return false; // append-only records (bills, reports) and policies: always "created"
    }
  }

  #put(type: ChangeType, key: string, value: unknown): void {
    switch (type) {
      case 'twin': {
        const t = value as TwinRecord;
        this.twins.set(t.twinId, t);
        return;
      }
      case 'farm': {
        const f = value as FarmRecord;
        this.farms.set(f.farmId, f);
        this.farmFreeIps.set(f.farmId, f.publicIps.filter((p) => p.contractId === 0).length);
        return;
      }
      case 'node': {
        const n = value as NodeRecord;
        const prev = this.nodes.get(n.nodeId);
        this.nodes.set(n.nodeId, n);
        this.nodeIndex.update(prev, n);
        if (prev) this.nodeTotals.add(prev, -1);
        this.nodeTotals.add(n, 1);
        return;
      }
      case 'contract': {
        const c = value as ContractRecord;
        const prev = this.contracts.get(c.contractId);
        this.contracts.set(c.contractId, c);
        this.contractIndex.update(prev, c);
        addTo(this.contractsByTwin, c.twinId, c.contractId);
        if (c.type !== 'name') addTo(this.contractsByNode, c.nodeId, c.contractId);
        return;
      }
      case 'pricing':
        this.pricing.set(idOf(key), value as PricingPolicy);
        return;
      case 'uptime': {
        const u = value as { timestamp: number; uptime: number };
        const nodeId = Number(key.slice(0, key.indexOf('/')));
        let c = this.coverage.get(nodeId);
        if (!c) this.coverage.set(nodeId, (c = emptyCoverage()));
        addReport(c, u.timestamp, u.uptime);
        return;
      }
      default:
        return;
    }
  }

  #del(type: ChangeType, key: string): void {
    const id = idOf(key);
    switch (type) {
      case 'twin':
        this.twins.delete(id);
        return;
      case 'farm':
        this.farms.delete(id);
        this.farmFreeIps.delete(id);
        return;
      case 'node': {
        const prev = this.nodes.get(id);
        if (!prev) return;
        this.nodes.delete(id);
        this.nodeIndex.update(prev, undefined);
        this.nodeTotals.add(prev, -1);
        return;
      }
      case 'contract': {
        const c = this.contracts.get(id);
        if (!c) return;
        this.contracts.delete(id);
        this.contractIndex.update(c, undefined);
        this.contractsByTwin.get(c.twinId)?.delete(id);
        this.contractsByNode.get(c.nodeId)?.delete(id);
        return;
      }
      default:
        return;
    }
  }
}
