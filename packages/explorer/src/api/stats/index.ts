/** /stats: grid totals (grid proxy field names). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NODE_STATUSES, Pagination, Text, ValueList } from '../shared/schemas';
import { nowOf, type ApiContext } from '../shared/context';
import type { GridView } from '../../view/grid';
import { NodeTotals } from '../../view/node-totals';
import { nodeStatus, type NodeStatus } from '../../view/node-status';

// grid-proxy reads its Limit on /stats too: accepted (a single object has no page to cut).
const StatsQuery = Type.Object(
  {
    ...Pagination,
    sort_by: Type.Optional(Text('Accepted, as grid-proxy does; one object has no order')),
    status: Type.Optional(ValueList(NODE_STATUSES, 'Count only nodes with one of these statuses')),
  },
  { additionalProperties: false },
);
const Stats = Type.Object({
  nodes: Type.Integer(),
  farms: Type.Integer(),
  countries: Type.Integer(),
  totalCru: Type.Number(),
  totalSru: Type.Number(),
  totalMru: Type.Number(),
  totalHru: Type.Number(),
  publicIps: Type.Integer(),
  accessNodes: Type.Integer(),
  gateways: Type.Integer(),
  twins: Type.Integer(),
  contracts: Type.Integer(),
  nodesDistribution: Type.Record(Type.String(), Type.Integer()),
  gpus: Type.Integer(),
  dedicatedNodes: Type.Integer({ description: 'Nodes in dedicated farms' }),
  workloads_number: Type.Integer({
    description: 'Active node contracts (one workload counted per deployment: the chain holds no workload list)',
  }),
});

/**
 * Totals per status: status depends on "now", so a status filter cannot read the maintained
 * totals; the nodes are summed once per view version and second for all three statuses at once
 * (any status list is then their sum), not once per request.
 */
type ByStatus = Record<NodeStatus, { totals: NodeTotals; dedicated: number }>;
let byStatusMemo: { version: number; now: number; view: GridView; value: ByStatus } | undefined;
function totalsByStatus(view: GridView, now: number): ByStatus {
  const m = byStatusMemo;
  if (m && m.view === view && m.version === view.version && m.now === now) return m.value;
  const value = {} as ByStatus;
  for (const s of NODE_STATUSES) value[s as NodeStatus] = { totals: new NodeTotals(), dedicated: 0 };
  for (const n of view.nodes.values()) {
    const into = value[nodeStatus(n, now)];
    into.totals.add(n, 1);
    if (view.farms.get(n.farmId)?.dedicated) into.dedicated++;
  }
  byStatusMemo = { version: view.version, now, view, value };
  return value;
}

/** Nodes in dedicated farms, from the farms' node sets (farms are few). */
function dedicatedNodes(view: GridView): number {
  let n = 0;
  for (const f of view.farms.values()) if (f.dedicated) n += view.nodeIndex.byFarm.get(f.farmId)?.size ?? 0;
  return n;
}

export type GridStats = Static<typeof Stats>;

/** The grid's totals, optionally of the nodes with one of `statuses` only. */
export function gridStats(view: GridView, now: number, statuses?: readonly NodeStatus[]): GridStats {
  // Without a status: the totals the view keeps; with one: the per-second sums by status.
  let t: NodeTotals;
  let dedicated: number;
  if (statuses === undefined) {
    t = view.nodeTotals;
    dedicated = dedicatedNodes(view);
  } else {
    const by = totalsByStatus(view, now);
    t = new NodeTotals();
    dedicated = 0;
    for (const s of new Set(statuses)) {
      t = sum(t, by[s].totals);
      dedicated += by[s].dedicated;
    }
  }
  let publicIps = 0;
  for (const f of view.farms.values()) publicIps += f.publicIps.length;
  return {
    nodes: t.nodes,
    farms: view.farms.size,
    countries: t.countries.size,
    totalCru: t.cru,
    totalSru: t.sru,
    totalMru: t.mru,
    totalHru: t.hru,
    publicIps,
    accessNodes: t.access,
    gateways: t.gateways,
    twins: view.twins.size,
    contracts: view.contractIndex.live,
    nodesDistribution: Object.fromEntries(t.countries),
    gpus: t.gpus,
    dedicatedNodes: dedicated,
    workloads_number: view.contractIndex.liveNode,
  };
}

export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { status?: string } }>(
    '/stats',
    { schema: { tags: ['stats'], summary: 'Grid totals', querystring: StatsQuery, response: { 200: Stats } } },
    async (req) => gridStats(ctx.view, nowOf(ctx), req.query.status?.split(',') as NodeStatus[] | undefined),
  );
}

function sum(a: NodeTotals, b: NodeTotals): NodeTotals {
  const t = new NodeTotals();
  for (const k of ['nodes', 'cru', 'sru', 'mru', 'hru', 'access', 'gateways', 'gpus'] as const) t[k] = a[k] + b[k];
  for (const m of [a.countries, b.countries]) for (const [c, n] of m) t.countries.set(c, (t.countries.get(c) ?? 0) + n);
  return t;
}
