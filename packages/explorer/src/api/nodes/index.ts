/** /nodes, /nodes/:id, /nodes/:id/status (and /gateways: nodes with a public domain). */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { NodeRecord } from '../../model/records';
import { DEFAULT_PAGE_SIZE, ErrorBody, NoQuery, U32, countHeaders, idParams } from '../shared/schemas';
import { nowOf, type ApiContext } from '../shared/context';
import { NodesQuery } from './query';
import { searchNodes } from './search';
import { nodeStatisticsRoutes } from './statistics';
import { NodeView, nodeView } from './view';

const NodeIdParams = idParams(U32('The node id'));

/**
 * A node's JSON (as UTF-8 bytes) for a given second and view version: status and reputation
 * depend on "now", the rest on the record (replaced, never mutated, on change) and on its farm and
 * uptime coverage (which change only in a commit, bumping the version). Popular nodes are then
 * serialized once per second however many requests list them, and a page's body is these bytes
 * joined into a pooled body: no 50 KB string to join, measure for Content-Length and encode on write.
 */
const jsonCache = new WeakMap<NodeRecord, { now: number; version: number; json: Buffer }>();
function nodeJson(ctx: ApiContext, n: NodeRecord, now: number, balance: number): Buffer {
  // The price depends on the balance asked with: only the default (no balance) is cached.
  if (balance !== 0) return Buffer.from(JSON.stringify(nodeView(ctx.view, n, now, balance)));
  const hit = jsonCache.get(n);
  const version = ctx.view.version;
  if (hit && hit.now === now && hit.version === version) return hit.json;
  const json = Buffer.from(JSON.stringify(nodeView(ctx.view, n, now)));
  jsonCache.set(n, { now, version, json });
  return json;
}

export function nodeRoutes(app: FastifyInstance, ctx: ApiContext, opts: { path: string; gateways: boolean }): void {
  const tag = opts.gateways ? 'gateways' : 'nodes';
  if (!opts.gateways) nodeStatisticsRoutes(app, ctx);
  app.get<{ Querystring: NodesQuery }>(
    opts.path,
    {
      schema: { tags: [tag], summary: `List ${tag}`, querystring: NodesQuery, response: { 200: Type.Array(NodeView) } },
      ...ctx.responses?.route(),
    },
    async (req, reply) => {
      const now = nowOf(ctx);
      const { items, count } = searchNodes(ctx.view, req.query, now, opts.gateways);
      if (count !== undefined) countHeaders(reply, count, req.query.size ?? DEFAULT_PAGE_SIZE);
      // Sent as ready bytes (the schema still documents it; nodeView builds exactly its fields).
      const balance = req.query.balance ?? 0;
      return ctx.bodies.sendJsonArray(
        reply.type('application/json; charset=utf-8'),
        items.map((n) => nodeJson(ctx, n, now, balance)),
      );
    },
  );

  function one(id: number): NodeRecord | undefined {
    const n = ctx.view.nodes.get(id);
    return !n || (opts.gateways && n.publicConfig.domain === '') ? undefined : n;
  }
  const notFound = (id: number) => ({ error: `${tag.slice(0, -1)} ${id} not found` });

  app.get<{ Params: { id: number } }>(
    `${opts.path}/:id`,
    {
      schema: {
        tags: [tag],
        summary: `One ${tag.slice(0, -1)}`,
        params: NodeIdParams,
        querystring: NoQuery,
        response: { 200: NodeView, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const n = one(req.params.id);
      return n ? nodeView(ctx.view, n, nowOf(ctx)) : reply.code(404).send(notFound(req.params.id));
    },
  );

  app.get<{ Params: { id: number } }>(
    `${opts.path}/:id/status`,
    {
      schema: {
        tags: [tag],
        summary: 'Status now: up, down or standby',
        params: NodeIdParams,
        querystring: NoQuery,
        response: { 200: Type.Object({ status: Type.String() }), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const n = one(req.params.id);
      return n ? { status: nodeView(ctx.view, n, nowOf(ctx)).status } : reply.code(404).send(notFound(req.params.id));
    },
  );
}
