/** The explorer process: one database, one indexer, the API listening; graceful close. */
import type { ApiPromise } from '@polkadot/api';
import { connect, type TfchainClient } from '@tfgrid/client';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from './api/app';
import { ExplorerDb } from './db/store';
import { Indexer } from './indexer/indexer';
import { ExplorerMetrics } from './metrics/explorer-metrics';

export interface ExplorerOptions {
  /** Chain WebSocket URL. */
  chain: string;
  /** LevelDB directory. */
  db: string;
  port?: number;
  host?: string;
  logger?: Logger;
  from?: number;
  pollMs?: number;
  /** A live-stream client with more unsent bytes than this is dropped (default 1 MiB). */
  streamMaxUnsentBytes?: number;
}

export interface Explorer {
  url: string;
  app: FastifyInstance;
  indexer: Indexer;
  db: ExplorerDb;
  api: ApiPromise;
  stop(): Promise<void>;
}

export async function startExplorer(opts: ExplorerOptions): Promise<Explorer> {
  const logger = opts.logger ?? pino({ level: 'silent' });
  const metrics = new ExplorerMetrics({ defaults: true });
  const db = new ExplorerDb(opts.db);
  await db.open();
  let client: TfchainClient | undefined;
  let indexer: Indexer | undefined;
  try {
    client = await connect({ url: opts.chain });
    indexer = new Indexer({ api: client.api, db, logger, metrics, from: opts.from, pollMs: opts.pollMs });
    await indexer.start();
    const viewOf = indexer;
    metrics.observeGrid(() => viewOf.view);
    const app = await buildApp({
      db,
      indexer,
      metrics,
      logger: logger.child({ module: 'api' }),
      stream: { maxUnsentBytes: opts.streamMaxUnsentBytes },
    });
    const url = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
    const c = client;
    const ix = indexer;
    return {
      url,
      app,
      indexer: ix,
      db,
      api: c.api,
      async stop() {
        await app.close();
        await ix.stop();
        await c.disconnect();
        await db.close();
      },
    };
  } catch (e) {
    await indexer?.stop().catch(() => undefined);
    await client?.disconnect().catch(() => undefined);
    await db.close();
    throw e;
  }
}
