/**
 * GET /events/stream: server-sent events of indexed changes, one event per finalized block
 * (`id` = block number, `event: changes`, `data` = {block, hash, timestamp, changes}). A client
 * that reconnects with Last-Event-ID (or `?last_event_id=`) gets the blocks it missed while the
 * explorer still holds them (the last 1024); when it does not, an `event: reset` tells the
 * client to reload its state through the list routes.
 *
 * Backpressure: a client that does not read keeps what is written to it in the process. Before each
 * write, a client with more than `maxUnsentBytes` still unsent is dropped (counted in
 * explorer_stream_clients_dropped_total{reason="backlog"}), so one client holds at most the bound
 * plus one event.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { ExplorerMetrics } from '../../metrics/explorer-metrics';
import { CHANGE_TYPES, type BlockChanges } from '../../view/feed';
import { MAX_LIST_LENGTH, U32 } from '../shared/schemas';
import type { ApiContext } from '../shared/context';

const HEARTBEAT_MS = 15_000;
export const DEFAULT_STREAM_MAX_UNSENT_BYTES = 1024 * 1024;

export interface StreamOptions {
  /** A client with more unsent bytes than this at its next write is dropped (default 1 MiB). */
  maxUnsentBytes?: number;
}

const StreamQuery = Type.Object(
  {
    types: Type.Optional(
      Type.String({
        pattern: `^(${CHANGE_TYPES.join('|')})(,(${CHANGE_TYPES.join('|')}))*$`,
        maxLength: MAX_LIST_LENGTH,
        description: `Only these kinds of change (comma-separated): ${CHANGE_TYPES.join(', ')}`,
      }),
    ),
    last_event_id: Type.Optional(U32('Resume after this block (as the Last-Event-ID header)')),
  },
  { additionalProperties: false },
);
type StreamQuery = Static<typeof StreamQuery>;
const StreamHeaders = Type.Object({ 'last-event-id': Type.Optional(U32('Resume after this block')) });

/** A block's event text, built once per block for all clients without a type filter. */
const unfilteredText = new WeakMap<BlockChanges, string>();
function eventText(b: BlockChanges, types: Set<string> | null): string | undefined {
  if (!types) {
    let text = unfilteredText.get(b);
    if (text === undefined) unfilteredText.set(b, (text = blockEvent(b, b.changes)));
    return text;
  }
  const changes = b.changes.filter((c) => types.has(c.type));
  return changes.length === 0 ? undefined : blockEvent(b, changes);
}
const blockEvent = (b: BlockChanges, changes: BlockChanges['changes']): string =>
  `id: ${b.block}\nevent: changes\ndata: ${JSON.stringify({ block: b.block, hash: b.hash, timestamp: b.timestamp, changes })}\n\n`;
const resetEvent = (reason: string, height: number): string => `event: reset\ndata: ${JSON.stringify({ reason, height })}\n\n`;

export function streamRoutes(app: FastifyInstance, ctx: ApiContext, metrics: ExplorerMetrics, opts: StreamOptions = {}): void {
  const maxUnsent = opts.maxUnsentBytes ?? DEFAULT_STREAM_MAX_UNSENT_BYTES;
  if (!Number.isSafeInteger(maxUnsent) || maxUnsent < 1)
    throw new RangeError(`stream maxUnsentBytes must be a positive integer, got ${String(maxUnsent)}`);
  // Hijacked responses are not closed by fastify: end them so close() does not wait for clients.
  const open = new Map<() => void, ServerResponse>();
  metrics.unsentStreamBytes = () => {
    let sum = 0;
    for (const raw of open.values()) sum += raw.writableLength;
    return sum;
  };
  app.addHook('preClose', async () => {
    for (const [end, raw] of [...open]) {
      end();
      if (raw.writableLength > 0) raw.destroy(); // a client that does not read would hold close() open
    }
  });
  app.get<{ Querystring: StreamQuery; Headers: Static<typeof StreamHeaders> }>(
    '/events/stream',
    {
      schema: {
        tags: ['stream'],
        summary: 'Live stream (server-sent events) of indexed changes, one event per block',
        querystring: StreamQuery,
        headers: StreamHeaders,
        response: {
          200: {
            description:
              'text/event-stream: `id: <block>`, `event: changes`, `data: {block, hash, timestamp, changes: [{type, key, action, record}]}`',
            type: 'string',
          },
        },
      },
    },
    (req, reply) => {
      const types = req.query.types ? new Set(req.query.types.split(',')) : null;
      const after = req.query.last_event_id ?? req.headers['last-event-id'];
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });

      const cleanUp = (): boolean => {
        if (!open.delete(end)) return false;
        clearInterval(beat);
        unsubscribe();
        metrics.streamClients.dec();
        return true;
      };
      const end = (): void => void (cleanUp() && raw.end());
      /** Writes unless the client already holds more than the bound unsent; then drops it (freeing what it held). */
      const write = (text: string): void => {
        if (!open.has(end)) return;
        const unsent = raw.writableLength;
        if (unsent > maxUnsent) {
          cleanUp();
          metrics.streamDropped.inc({ reason: 'backlog' });
          req.log.warn({ unsent, maxUnsent }, 'stream client dropped: it does not read what is sent');
          raw.destroy();
          return;
        }
        raw.write(text);
      };
      const send = (b: BlockChanges): void => {
        const text = eventText(b, types);
        if (text !== undefined) write(text);
      };

      const unsubscribe = ctx.view.feed.subscribe(send);
      const beat = setInterval(() => write(': keep-alive\n\n'), HEARTBEAT_MS);
      open.set(end, raw);
      metrics.streamClients.inc();
      req.raw.on('close', end);

      write(`retry: 2000\n: indexed up to block ${ctx.view.height}\n\n`);
      if (after !== undefined) {
        const missed = ctx.view.feed.since(after);
        // A replay larger than the bound would be dropped at once, and the client's reconnect would repeat it: send a reset instead.
        const texts: string[] = [];
        let size = 0;
        for (const b of missed ?? []) {
          const text = eventText(b, types);
          if (text === undefined) continue;
          texts.push(text);
          if ((size += Buffer.byteLength(text)) > maxUnsent) break;
        }
        if (missed === null) write(resetEvent('blocks after the given id are no longer held', ctx.view.height));
        else if (size > maxUnsent) write(resetEvent('the blocks after the given id are more than one replay may send', ctx.view.height));
        else write(texts.join(''));
      }
    },
  );
}
