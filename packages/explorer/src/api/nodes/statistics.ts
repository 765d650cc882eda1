/**
 * /nodes/:id/statistics and /nodes/:id/gpu in grid-proxy's shapes. grid-proxy asks the node over
 * RMB (and refuses a node that is not up); the explorer answers from what it indexes, for any
 * node: total = the registered capacity, system = the share the node reserves for itself (the
 * client's reservedCapacity), used = the used resources its active contracts report, public IPs
 * from its farm and its contracts. Workload counts are approximated: one workload per active node
 * contract (the chain holds deployments, not their workloads).
 */
import { Type } from '@sinclair/typebox';
import { reservedCapacity } from '@tfgrid/client';
import type { FastifyInstance } from 'fastify';
import type { NodeRecord } from '../../model/records';
import type { GridView } from '../../view/grid';
import { ErrorBody, NoQuery, U32, idParams } from '../shared/schemas';
import type { ApiContext } from '../shared/context';
import { nodeGpus } from '../../view/node-facts';
import { NodeGpu } from './view';

const Usage = Type.Object({ cru: Type.Integer(), sru: Type.Integer(), hru: Type.Integer(), mru: Type.Integer(), ipv4u: Type.Integer() });
export const NodeStatistics = Type.Object({
  system: Usage,
  total: Usage,
  used: Usage,
  users: Type.Object({ deployments: Type.Integer(), workloads: Type.Integer(), last_deployment_timestamp: Type.Integer() }),
});

export function nodeStatistics(view: GridView, n: NodeRecord) {
  let deployments = 0;
  let ips = 0;
  let last = 0;
  for (const id of view.contractsByNode.get(n.nodeId) ?? []) {
    const c = view.contracts.get(id);
    if (!c || c.type !== 'node' || c.state === 'Deleted') continue;
    deployments++;
    ips += c.numberOfPublicIps;
    last = Math.max(last, c.createdAt);
  }
  const r = reservedCapacity(n.total);
  const farmIps = view.farms.get(n.farmId)?.publicIps.length ?? 0;
  const pos = (x: number) => Math.max(0, x);
  return {
    system: { cru: r.cru, sru: r.sru, hru: r.hru, mru: r.mru, ipv4u: 0 },
    total: { cru: n.total.cru, sru: n.total.sru, hru: n.total.hru, mru: n.total.mru, ipv4u: farmIps },
    used: { cru: pos(n.used.cru), sru: pos(n.used.sru), hru: pos(n.used.hru), mru: pos(n.used.mru), ipv4u: ips },
    users: { deployments, workloads: deployments, last_deployment_timestamp: last },
  };
}

export function nodeStatisticsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const params = idParams(U32('The node id'));
  const notFound = (id: number) => ({ error: `node ${id} not found` });
  app.get<{ Params: { id: number } }>(
    '/nodes/:id/statistics',
    {
      schema: {
        tags: ['nodes'],
        summary: 'Total, system-reserved and used capacity, and deployments (from the chain)',
        params,
        querystring: NoQuery,
        response: { 200: NodeStatistics, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const n = ctx.view.nodes.get(req.params.id);
      return n ? nodeStatistics(ctx.view, n) : reply.code(404).send(notFound(req.params.id));
    },
  );
  app.get<{ Params: { id: number } }>(
    '/nodes/:id/gpu',
    {
      schema: {
        tags: ['nodes'],
        summary: "The node's GPUs (empty: none is registered on chain)",
        params,
        querystring: NoQuery,
        response: { 200: Type.Array(NodeGpu), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const n = ctx.view.nodes.get(req.params.id);
      return n ? nodeGpus(n) : reply.code(404).send(notFound(req.params.id));
    },
  );
}
