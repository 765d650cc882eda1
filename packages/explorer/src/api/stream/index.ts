/**
 * GET /events/stream: server-sent events of indexed changes, one event per finalized block
 * (`id` = block number, `event: changes`, `data` = {block, hash, timestamp, changes}). A client
 * that reconnects with Last-Event-ID (or `?last_event_id=`) gets the blocks it missed while the
 * explorer still holds them (the last 1024); when it does not, an `event: reset` tells the
 * client to reload its state through the list routes.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ExplorerMetrics } from '../../metrics';
import { CHANGE_TYPES, type BlockChanges } from '../../view/feed';
import type { ApiContext } from '../context';

const HEARTBEAT_MS = 15_000;

const StreamQuery = Type.Object(
  {
    types: Type.Optional(
      Type.String({
        pattern: `^(${CHANGE_TYPES.join('|')})(,(${CHANGE_TYPES.join('|')}))*$`,
        description: `Only these kinds of change (comma-separated): ${CHANGE_TYPES.join(', ')}`,
      }),
    ),
    last_event_id: Type.Optional(Type.Integer({ minimum: 0, description: 'Resume after this block (as the Last-Event-ID header)' })),
  },
  { additionalProperties: false },
);
type StreamQuery = Static<typeof StreamQuery>;
const StreamHeaders = Type.Object({ 'last-event-id': Type.Optional(Type.Integer({ minimum: 0, description: 'Resume after this block' })) });

export function streamRoutes(app: FastifyInstance, ctx: ApiContext, metrics: ExplorerMetrics): void {
  // Hijacked responses are not closed by fastify: end them so close() does not wait for clients.
  const open = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get<{ Querystring: StreamQuery; Headers: Static<typeof StreamHeaders> }>(
    '/events/stream',
    {
      schema: {
        tags: ['stream'],
        summary: 'Live stream (server-sent events) of indexed changes, one event per block',
        querystring: StreamQuery,
        headers: StreamHeaders,
        response: { 200: { description: 'text/event-stream: `id: <block>`, `event: changes`, `data: {block, hash, timestamp, changes: [{type, key, action, record}]}`', type: 'string' } },
      },
    },
    (req, reply) => {
      const types = req.query.types ? new Set(req.query.types.split(',')) : null;
      const after = req.query.last_event_id ?? req.headers['last-event-id'];
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      const send = (b: BlockChanges) => {
        const changes = types ? b.changes.filter((c) => types.has(c.type)) : b.changes;
        if (changes.length === 0) return;
        raw.write(`id: ${b.block}\nevent: changes\ndata: ${JSON.stringify({ block: b.block, hash: b.hash, timestamp: b.timestamp, changes })}\n\n`);
      };
      raw.write(`retry: 2000\n: indexed up to block ${ctx.view.height}\n\n`);
      if (after !== undefined) {
        const missed = ctx.view.feed.since(after);
        if (missed === null) raw.write(`event: reset\ndata: ${JSON.stringify({ reason: 'blocks after the given id are no longer held', height: ctx.view.height })}\n\n`);
        else for (const b of missed) send(b);
      }
      const unsubscribe = ctx.view.feed.subscribe(send);
      const beat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
      metrics.streamClients.inc();
      const end = () => {
        if (!open.delete(end)) return;
        clearInterval(beat);
        unsubscribe();
        metrics.streamClients.dec();
        raw.end();
      };
      open.add(end);
      req.raw.on('close', end);
    },
  );
}
