/** /stats: grid totals (grid proxy field names). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { NODE_STATUSES, Pagination, Text, ValueList } from '../common';
import { nowOf, type ApiContext } from '../context';
import { nodeGpus } from '../nodes/facts';
import { nodeStatus, type NodeStatus } from '../nodes/view';

// grid-proxy reads its Limit on /stats too: accepted (a single object has no page to cut).
const StatsQuery = Type.Object(
  { ...Pagination, sort_by: Type.Optional(Text('Accepted, as grid-proxy does; one object has no order')), status: Type.Optional(ValueList(NODE_STATUSES, 'Count only nodes with one of these statuses')) },
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
  workloads_number: Type.Integer({ description: 'Active node contracts (one workload counted per deployment: the chain holds no workload list)' }),
});

export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { status?: string } }>(
    '/stats',
    { schema: { tags: ['stats'], summary: 'Grid totals', querystring: StatsQuery, response: { 200: Stats } } },
    async (req) => {
      const { view } = ctx;
      const now = nowOf(ctx);
      const distribution: Record<string, number> = {};
      const t = { nodes: 0, cru: 0, sru: 0, mru: 0, hru: 0, access: 0, gateways: 0, gpus: 0, dedicated: 0 };
      const statuses = req.query.status === undefined ? undefined : new Set(req.query.status.split(',') as NodeStatus[]);
      for (const n of view.nodes.values()) {
        if (statuses !== undefined && !statuses.has(nodeStatus(n, now))) continue;
        t.gpus += nodeGpus(n).length;
        if (view.farms.get(n.farmId)?.dedicated) t.dedicated++;
        distribution[n.location.country] = (distribution[n.location.country] ?? 0) + 1;
        t.nodes++;
        t.cru += n.total.cru;
        t.sru += n.total.sru;
        t.mru += n.total.mru;
        t.hru += n.total.hru;
        if (n.publicConfig.ipv4 !== '' || n.publicConfig.ipv6 !== '') t.access++;
        if (n.publicConfig.domain !== '') t.gateways++;
      }
      let publicIps = 0;
      for (const f of view.farms.values()) publicIps += f.publicIps.length;
      let contracts = 0;
      let workloads = 0;
      for (const c of view.contracts.values()) {
        if (c.state === 'Deleted') continue;
        contracts++;
        if (c.type === 'node') workloads++;
      }
      return {
        nodes: t.nodes,
        farms: view.farms.size,
        countries: Object.keys(distribution).length,
        totalCru: t.cru,
        totalSru: t.sru,
        totalMru: t.mru,
        totalHru: t.hru,
        publicIps,
        accessNodes: t.access,
        gateways: t.gateways,
        twins: view.twins.size,
        contracts,
        nodesDistribution: distribution,
        gpus: t.gpus,
        dedicatedNodes: t.dedicated,
        workloads_number: workloads,
      };
    },
  );
}
