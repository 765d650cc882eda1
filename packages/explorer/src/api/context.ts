/** What every route reads: the database, the indexer's status, and "now". */
import type { ExplorerDb } from '../db/store';
import type { IndexerStatus } from '../indexer/indexer';

export interface StatusSource {
  status(): IndexerStatus;
}

export interface ApiContext {
  db: ExplorerDb;
  indexer?: StatusSource;
}

/**
 * Request time in unix seconds: the wall clock, or the chain's time when the chain runs ahead
 * (a dev chain that travelled in time).
 */
export function nowOf(ctx: ApiContext): number {
  return Math.max(Math.floor(Date.now() / 1000), ctx.indexer?.status().chainTime ?? 0);
}
