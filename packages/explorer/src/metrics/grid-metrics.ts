/**
 * Grid-wide gauges for operators' dashboards, computed from the in-memory view at scrape time
 * (never stored: node status depends on the clock, as in the API).
 */
import { Gauge, type Registry } from 'prom-client';
import { nodeStatus } from '../view/node-status';
import type { GridView } from '../view/grid';

const RESOURCES = ['cru', 'mru', 'sru', 'hru'] as const;
/** Per-node series are bounded: the nodes whose last report is oldest (the ones to look at) first. */
export const MAX_NODE_SERIES = 2000;

export function registerGridMetrics(registry: Registry, view: () => GridView | undefined): void {
  const contracts = new Gauge({
    name: 'explorer_contracts',
    help: 'Contracts by type and state',
    labelNames: ['type', 'state'],
    registers: [],
  });
  const total = new Gauge({
    name: 'explorer_capacity_total',
    help: 'Total capacity of nodes that are up (cru: CPUs; mru, sru, hru: bytes)',
    labelNames: ['resource'],
    registers: [],
  });
  const used = new Gauge({
    name: 'explorer_capacity_used',
    help: 'Capacity used by contracts on nodes that are up (same units)',
    labelNames: ['resource'],
    registers: [],
  });
  const age = new Gauge({
    name: 'explorer_node_uptime_report_age_seconds',
    help: `Seconds since each node's last uptime report or update (nodes not down; at most ${MAX_NODE_SERIES} series, oldest first)`,
    labelNames: ['node_id', 'farm_id'],
    registers: [],
  });
  // Registered before the others, whose values its collect fills: the registry serialises metrics
  // in registration order, so one scrape sees one consistent snapshot.
  const nodes = new Gauge({
    name: 'explorer_nodes',
    help: 'Nodes by status (up, standby, down), computed at scrape time',
    labelNames: ['status'],
    registers: [],
    collect() {
      const v = view();
      for (const g of [nodes, contracts, total, used, age]) g.reset();
      if (!v) return;
      const now = Math.max(Math.floor(Date.now() / 1000), v.chainTime);
      const byStatus = { up: 0, standby: 0, down: 0 };
      const sums = { total: { cru: 0, mru: 0, sru: 0, hru: 0 }, used: { cru: 0, mru: 0, sru: 0, hru: 0 } };
      const ages: [number, number, number][] = [];
      for (const n of v.nodes.values()) {
        const s = nodeStatus(n, now);
        byStatus[s]++;
        if (s === 'up') {
          for (const r of RESOURCES) {
            sums.total[r] += n.total[r];
            sums.used[r] += n.used[r];
          }
        }
        if (s !== 'down') ages.push([n.nodeId, n.farmId, now - Math.max(n.lastUptimeReport, n.updatedAt)]);
      }
      for (const [s, count] of Object.entries(byStatus)) this.set({ status: s }, count);
      for (const r of RESOURCES) {
        total.set({ resource: r }, sums.total[r]);
        used.set({ resource: r }, Math.min(sums.used[r], sums.total[r]));
      }
      ages.sort((a, b) => b[2] - a[2]);
      for (const [id, farm, seconds] of ages.slice(0, MAX_NODE_SERIES)) age.set({ node_id: String(id), farm_id: String(farm) }, seconds);
      const counts = new Map<string, number>();
      for (const c of v.contracts.values()) {
        const k = `${c.type}\u0000${c.state}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const [k, count] of counts) {
        const [type, state] = k.split('\u0000') as [string, string];
        contracts.set({ type, state }, count);
      }
    },
  });
  for (const g of [nodes, contracts, total, used, age]) registry.registerMetric(g);
}
