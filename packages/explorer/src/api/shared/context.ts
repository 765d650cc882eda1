/** What every route reads: the in-memory view, the database, the indexer's status, and "now". */
import type { ExplorerDb } from '../../db/store';
import type { IndexerStatus } from '../../indexer/indexer';
import type { GridView } from '../../view/grid';
import type { BodyPool } from './body-pool';
import type { ResponseCache } from './response-cache';

export interface StatusSource {
  status(): IndexerStatus;
}

export interface ApiContext {
  db: ExplorerDb;
  /** The list routes' source: what the database holds, kept current by the indexer. */
  view: GridView;
  indexer?: StatusSource;
  /** Serialized list answers, valid while the view's version and the second are unchanged. */
  responses?: ResponseCache;
  /** Reused buffers for list bodies. */
  bodies: BodyPool;
}

/**
 * Request time in unix seconds: the wall clock, or the chain's time when the chain runs ahead
 * (a dev chain that travelled in time).
 */
export function nowOf(ctx: ApiContext): number {
  return Math.max(Math.floor(Date.now() / 1000), ctx.view.chainTime);
}
