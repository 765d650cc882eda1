/** /stats: grid totals (grid proxy field names). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ContractRecord, FarmRecord, TwinRecord } from '../../indexer/records';
import type { ApiContext } from '../context';
import { allNodeViews } from '../nodes';

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
      const nodes = (await allNodeViews(ctx)).filter((n) => req.query.status === undefined || n.status === req.query.status);
      const [farms, twins, contracts] = await Promise.all([ctx.db.values<FarmRecord>('farm'), ctx.db.values<TwinRecord>('twin'), ctx.db.values<ContractRecord>('contract')]);
      const distribution: Record<string, number> = {};
      for (const n of nodes) distribution[n.country] = (distribution[n.country] ?? 0) + 1;
      const sum = (f: (n: (typeof nodes)[number]) => number) => nodes.reduce((s, n) => s + f(n), 0);
      return {
        nodes: nodes.length,
        farms: farms.length,
        countries: Object.keys(distribution).length,
        totalCru: sum((n) => n.total_resources.cru),
        totalSru: sum((n) => n.total_resources.sru),
        totalMru: sum((n) => n.total_resources.mru),
        totalHru: sum((n) => n.total_resources.hru),
        publicIps: farms.reduce((s, f) => s + f.publicIps.length, 0),
        accessNodes: nodes.filter((n) => n.publicConfig.ipv4 !== '' || n.publicConfig.ipv6 !== '').length,
        gateways: nodes.filter((n) => n.publicConfig.domain !== '').length,
        twins: twins.length,
        contracts: contracts.filter((c) => c.state !== 'Deleted').length,
        nodesDistribution: distribution,
      };
    },
  );
}
