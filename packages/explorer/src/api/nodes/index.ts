/** /nodes, /nodes/:id, /nodes/:id/status (and /gateways: nodes with a public domain). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { key } from '../../db/keys';
import type { FarmRecord, NodeRecord } from '../../indexer/records';
import { ErrorBody, IdParams, page } from '../common';
import { nowOf, type ApiContext } from '../context';
import { NodesQuery, nodeFilter, nodeSortKey, type NodeSort } from './query';
import { NodeView, nodeView } from './view';

export async function allNodeViews(ctx: ApiContext): Promise<NodeView[]> {
  const [nodes, farms] = await Promise.all([ctx.db.values<NodeRecord>('node'), ctx.db.values<FarmRecord>('farm')]);
  const byId = new Map(farms.map((f) => [f.farmId, f]));
  const now = nowOf(ctx);
  return nodes.map((n) => nodeView(n, byId.get(n.farmId), now));
}

export function nodeRoutes(app: FastifyInstance, ctx: ApiContext, opts: { path: string; gateways: boolean }): void {
  const tag = opts.gateways ? 'gateways' : 'nodes';
  app.get<{ Querystring: NodesQuery }>(
    opts.path,
    { schema: { tags: [tag], summary: `List ${tag}`, querystring: NodesQuery, response: { 200: Type.Array(NodeView) } } },
    async (req, reply) => {
      const keep = nodeFilter(req.query);
      const list = (await allNodeViews(ctx)).filter((n) => keep(n) && (!opts.gateways || n.publicConfig.domain !== ''));
      return page(list, req.query, reply, nodeSortKey(req.query.sort_by as NodeSort | undefined), (n) => n.nodeId);
    },
  );

  async function one(id: number): Promise<NodeView | undefined> {
    const n = await ctx.db.get<NodeRecord>('node', key(id));
    if (!n || (opts.gateways && n.publicConfig.domain === '')) return undefined;
    return nodeView(n, await ctx.db.get<FarmRecord>('farm', key(n.farmId)), nowOf(ctx));
  }

  app.get<{ Params: { id: number } }>(
    `${opts.path}/:id`,
    { schema: { tags: [tag], summary: `One ${tag.slice(0, -1)}`, params: IdParams, response: { 200: NodeView, 404: ErrorBody } } },
    async (req, reply) => (await one(req.params.id)) ?? reply.code(404).send({ error: `${tag.slice(0, -1)} ${req.params.id} not found` }),
  );

  app.get<{ Params: { id: number } }>(
    `${opts.path}/:id/status`,
    { schema: { tags: [tag], summary: 'Status now: up, down or standby', params: IdParams, response: { 200: Type.Object({ status: Type.String() }), 404: ErrorBody } } },
    async (req, reply) => {
      const n = await one(req.params.id);
      return n ? { status: n.status } : reply.code(404).send({ error: `${tag.slice(0, -1)} ${req.params.id} not found` });
    },
  );
}
