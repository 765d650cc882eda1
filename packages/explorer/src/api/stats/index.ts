/** /stats: grid totals (grid proxy field names). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { nowOf, type ApiContext } from '../context';
import { nodeStatus } from '../nodes/view';

const StatsQuery = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('standby')], { description: 'Count only nodes with this status' })) },
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
});

export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.get<{ Querystring: { status?: 'up' | 'down' | 'standby' } }>(
    '/stats',
    { schema: { tags: ['stats'], summary: 'Grid totals', querystring: StatsQuery, response: { 200: Stats } } },
    async (req) => {
      const { view } = ctx;
      const now = nowOf(ctx);
      const distribution: Record<string, number> = {};
      const t = { nodes: 0, cru: 0, sru: 0, mru: 0, hru: 0, access: 0, gateways: 0 };
      for (const n of view.nodes.values()) {
        if (req.query.status !== undefined && nodeStatus(n, now) !== req.query.status) continue;
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
      for (const c of view.contracts.values()) if (c.state !== 'Deleted') contracts++;
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
      };
    },
  );
}
