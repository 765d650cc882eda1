/**
 * The HTTP API as a plugin: testable with `inject`, listened on by server.ts. Every route has a
 * TypeBox schema that validates (unknown parameters are refused), filters the response and
 * feeds the OpenAPI document (`/swagger`, `/swagger/json`).
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { ExplorerMetrics } from '../metrics/explorer-metrics';
import { GridView } from '../view/grid';
import { BodyPool } from './shared/body-pool';
import type { ApiContext } from './shared/context';
import { contractRoutes } from './contracts';
import { farmRoutes } from './farms';
import { nodeRoutes } from './nodes';
import { rewardRoutes } from './rewards';
import { ResponseCache, setResponseCache, type ResponseCacheOptions } from './shared/response-cache';
import { statsRoutes } from './stats';
import { strictNumbers } from './strict-numbers';
import { swaggerUiRoutes } from './swagger-ui';
import { streamRoutes, type StreamOptions } from './stream';
import { systemRoutes } from './system';
import { twinRoutes } from './twins';
import { validationMessage } from './validation-message';
import { webPageRoutes } from './web-page';

export interface AppOptions extends Omit<ApiContext, 'view' | 'bodies'> {
  /** The view to answer from: the indexer's; else one loaded from the database (a read-only API). */
  view?: GridView;
  metrics?: ExplorerMetrics;
  logger?: FastifyServerOptions['loggerInstance'];
  /** The list routes' response cache (on by default); false turns it off. */
  responseCache?: false | ResponseCacheOptions;
  /** The live stream's limits (unsent bytes per client). */
  stream?: StreamOptions;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    // Unknown parameters must fail validation, not be stripped silently.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // Errors the router finds before any route runs, answered in the API's own form.
    frameworkErrors: (err: FastifyError, _req: unknown, reply: FastifyReply) => {
      // Fastify ignores this handler's result: send, and hand back nothing (a reply is a thenable).
      if (err.code === 'FST_ERR_BAD_URL') {
        void reply.code(400).send({ error: 'the URL path has a malformed percent-encoding' });
        return;
      }
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
        void reply.code(414).send({ error: 'a path parameter is longer than 100 characters' });
        return;
      }
      reply.log.error({ err }, 'request failed');
      void reply.code(500).send({ error: 'internal error' });
    },
  });
  const metrics = opts.metrics ?? new ExplorerMetrics();

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation) return reply.code(400).send({ error: validationMessage(err) });
    const code = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    if (code >= 500) reply.log.error({ err }, 'request failed');
    return reply.code(code).send({ error: code >= 500 ? 'internal error' : err.message });
  });

  // A callback hook, not an async one: no promise per request.
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'TF Explorer', description: 'Grid-proxy-compatible API over an indexer of TFChain', version: '0.1.0' },
    },
  });

  // Before any route: it reads each route's schema as the route is added.
  strictNumbers(app);
  const view = opts.view ?? (opts.indexer && 'view' in opts.indexer ? (opts.indexer.view as GridView) : await GridView.load(opts.db));
  const ctx: ApiContext = { db: opts.db, view, indexer: opts.indexer, bodies: new BodyPool() };
  if (opts.responseCache !== false) setResponseCache(app, (ctx.responses = new ResponseCache(ctx, opts.responseCache)));
  nodeRoutes(app, ctx, { path: '/nodes', gateways: false });
  nodeRoutes(app, ctx, { path: '/gateways', gateways: true });
  farmRoutes(app, ctx);
  twinRoutes(app, ctx);
  contractRoutes(app, ctx);
  rewardRoutes(app, ctx);
  statsRoutes(app, ctx);
  streamRoutes(app, ctx, metrics, opts.stream);
  systemRoutes(app, ctx, metrics);
  swaggerUiRoutes(app);
  webPageRoutes(app, ctx);
  return app;
}
