/** /ping, /health (with the indexer's lag) and /metrics. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ExplorerMetrics } from '../../metrics/explorer-metrics';
import { NoQuery } from '../shared/schemas';
import type { ApiContext } from '../shared/context';

/** Above this many blocks behind the finalized head, /health answers 503. */
export const MAX_HEALTHY_LAG = 20;

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  indexer: Type.Object({
    running: Type.Boolean(),
    indexedHeight: Type.Integer(),
    finalizedHeight: Type.Integer(),
    lag: Type.Integer(),
    chainTime: Type.Integer(),
    lastError: Type.Union([Type.String(), Type.Null()]),
  }),
});
export type HealthView = Static<typeof Health>;

/** The explorer's release (its package version), as grid-proxy's /version reports its own. */
// package.json lies outside src: read once at load, not compiled in.
const VERSION = (JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

export function systemRoutes(app: FastifyInstance, ctx: ApiContext, metrics: ExplorerMetrics): void {
  // grid-proxy's index page: a sentence listing the routes (those of the OpenAPI document).
  app.get(
    '/',
    { schema: { tags: ['system'], summary: 'The routes', querystring: NoQuery, response: { 200: Type.String() } } },
    async (_req, reply) => {
      const paths = Object.keys((app.swagger() as { paths?: Record<string, unknown> }).paths ?? {});
      // A JSON string, as grid-proxy answers (fastify would send a bare string as text).
      const text = `Welcome to the TF Explorer (grid-proxy compatible), available endpoints ${paths.map((r) => `[${r}]`).join(' ')}`;
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(text));
    },
  );
  app.get(
    '/version',
    {
      schema: {
        tags: ['system'],
        summary: 'The release',
        querystring: NoQuery,
        response: { 200: Type.Object({ version: Type.String() }) },
      },
    },
    async () => ({ version: VERSION }),
  );

  app.get(
    '/ping',
    { schema: { tags: ['system'], summary: 'Liveness', querystring: NoQuery, response: { 200: Type.Object({ ping: Type.String() }) } } },
    async () => ({ ping: 'pong' }),
  );

  app.get(
    '/health',
    { schema: { tags: ['system'], summary: 'Indexer progress and lag', querystring: NoQuery, response: { 200: Health, 503: Health } } },
    async (_req, reply) => {
      const s = ctx.indexer?.status() ?? {
        running: false,
        indexedHeight: (await ctx.db.cursor())?.height ?? -1,
        finalizedHeight: 0,
        lag: 0,
        chainTime: 0,
        lastError: null,
      };
      const ok = s.running && s.lag <= MAX_HEALTHY_LAG && s.lastError === null;
      metrics.heights(s.indexedHeight, s.finalizedHeight);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', indexer: s });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['system'], summary: 'Prometheus metrics', querystring: NoQuery, hide: false } },
    async (_req, reply) => {
      const s = ctx.indexer?.status();
      if (s) metrics.heights(s.indexedHeight, s.finalizedHeight);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
}
