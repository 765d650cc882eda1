/**
 * The explorer's web page (packages/explorer/web, built into dist/web by `npm run build:web`).
 * `GET /` answers the page to a browser — an Accept header naming text/html before any JSON — and
 * grid-proxy's JSON index to everyone else (no Accept, `*` / `*`, application/json). The bundle's files
 * are served from /ui/: hashed names cached for a year, each sent precompressed (brotli or gzip,
 * written at build time) when the client accepts it. GET /nodes/:id/uptime_reports feeds the
 * page's uptime chart.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { key } from '../db/keys';
import { ErrorBody, U32, idParams } from './shared/schemas';
import type { ApiContext } from './shared/context';

/** Where `npm run build:web -w packages/explorer` writes the page. */
export const WEB_DIST = path.join(__dirname, '..', '..', 'dist', 'web');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};
/** Bundle file names: what Vite writes (name-hash.ext), nothing with a path in it. */
const ASSET_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const MAX_UPTIME_REPORTS = 5000;
const DAY = 86_400;

/** A browser asks for HTML first; API clients send no Accept, `*` / `*` or application/json. */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase());
  const html = types.indexOf('text/html');
  const json = types.indexOf('application/json');
  return html >= 0 && (json < 0 || html < json);
}

async function sendFile(req: FastifyRequest, reply: FastifyReply, file: string, cache: string): Promise<FastifyReply> {
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const accepted = String(req.headers['accept-encoding'] ?? '');
  reply.header('cache-control', cache).header('vary', 'accept-encoding').type(type);
  for (const [encoding, ext] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (accepted.includes(encoding) && existsSync(file + ext))
      return reply.header('content-encoding', encoding).send(await readFile(file + ext));
  }
  return reply.send(await readFile(file));
}

const UptimeQuery = Type.Object(
  { since: Type.Optional(U32('Reports at or after this unix time (default: 30 days before the newest)')) },
  { additionalProperties: false },
);
const UptimeReport = Type.Object({ timestamp: Type.Integer(), uptime: Type.Integer(), block: Type.Integer() });

export function webPageRoutes(app: FastifyInstance, ctx: ApiContext, dist = WEB_DIST): void {
  const index = path.join(dist, 'index.html');
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' || req.url !== '/' || !wantsHtml(req.headers.accept)) return;
    if (!existsSync(index)) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The explorer web page is not built: npm run build:web -w packages/explorer');
    }
    // The page names its hashed bundle: always revalidated, so a new build shows at once.
    return sendFile(req, reply, index, 'no-cache');
  });
  app.get<{ Params: { file: string } }>('/ui/:file', { schema: { hide: true } }, async (req, reply) => {
    const name = req.params.file;
    const file = path.join(dist, 'ui', name);
    if (!ASSET_NAME.test(name) || name.startsWith('.') || !existsSync(file))
      return reply.code(404).send({ error: `no web asset '${name.slice(0, 100)}'` });
    return sendFile(req, reply, file, 'public, max-age=31536000, immutable');
  });

  app.get<{ Params: { id: number }; Querystring: Static<typeof UptimeQuery> }>(
    '/nodes/:id/uptime_reports',
    {
      schema: {
        tags: ['nodes'],
        summary: "A node's uptime reports (oldest first, at most 5000): the web page's uptime chart",
        params: idParams(U32('Node id')),
        querystring: UptimeQuery,
        response: { 200: Type.Array(UptimeReport), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const n = ctx.view.nodes.get(req.params.id);
      if (!n) return reply.code(404).send({ error: `node ${req.params.id} not found` });
      const since = req.query.since ?? Math.max(0, n.lastUptimeReport - 30 * DAY);
      const rows = await ctx.db
        .sub('uptime')
        .values({ gte: key(n.nodeId, since), lt: key(n.nodeId) + '/\xff', limit: MAX_UPTIME_REPORTS })
        .all();
      return (rows as { timestamp: number; uptime: number; block?: number }[]).map((r) => ({
        timestamp: r.timestamp,
        uptime: r.uptime,
        block: r.block ?? 0,
      }));
    },
  );
}
