/**
 * Ingest benchmark: the explorer's indexer backfills the benchmark chain from genesis, the chain
 * served by the dev chain in its own process (over WebSocket, as in production), and the
 * explorer writing to its own LevelDB. Measures events and blocks per second over the whole
 * backfill (genesis state import included).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ExplorerDb, ExplorerMetrics } from '../src';
import { Indexer } from '../src/indexer';
import type { BenchChain } from './chain';
import { startChainProcess } from './devchain-process';

export interface IngestResult {
  blocks: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  blocksPerSecond: number;
  records: Record<string, number>;
}

/** How the indexer reads and writes: ranges of blocks per round trip and batch (the default), or block by block (the previous path). */
export interface IngestMode {
  rangeBlocks: number;
  concurrency: number;
}

export async function ingest(chain: BenchChain, log: (s: string) => void, mode: IngestMode): Promise<IngestResult> {
  // A copy: the dev chain writes to its store on start, the cache stays as built.
  const work = mkdtempSync(path.join(tmpdir(), 'explorer-bench-'));
  cpSync(chain.dir, path.join(work, 'chain'), { recursive: true });
  const chainProc = await startChainProcess(
    ['--base-path', path.join(work, 'chain')],
    9_800,
    (process.env.BENCH_CHAIN_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  const client = chainProc.client;
  const db = new ExplorerDb(path.join(work, 'explorer'));
  try {
    const head = (await client.api.rpc.chain.getHeader(await client.api.rpc.chain.getFinalizedHead())).number.toNumber();
    await db.open();
    const metrics = new ExplorerMetrics();
    const indexer = new Indexer({ api: client.api, db, metrics, ...mode });
    log(`ingest: backfilling ${head} finalized blocks...`);
    const t0 = process.hrtime.bigint();
    await indexer.start();
    let last = 0;
    while (indexer.status().indexedHeight < head) {
      await new Promise((r) => setTimeout(r, 200));
      const h = indexer.status().indexedHeight;
      if (h - last >= 20_000 || h === head) {
        log(`  block ${h} (${metrics.rates().events.toFixed(0)} events/s now)`);
        last = h;
      }
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const events = (await metrics.events.get()).values[0]?.value ?? 0;
    await indexer.stop();
    const records: Record<string, number> = {};
    for (const s of ['twin', 'farm', 'node', 'contract', 'bill', 'uptime', 'nru'] as const) records[s] = await db.count(s);
    return { blocks: head, events, seconds, eventsPerSecond: events / seconds, blocksPerSecond: head / seconds, records };
  } finally {
    await db.close().catch(() => undefined);
    await chainProc.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
