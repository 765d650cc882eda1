/**
 * The explorer's benchmark:  npm run bench -w packages/explorer [-- --only ingest|api|scan] [--ingest both|previous|new]
 *  (a) ingest: events/s while backfilling a dev chain of >= 100,000 blocks of TFChain traffic
 *      (built once into bench/.cache, see chain.ts), served by the dev chain in its own process,
 *      by the previous block-by-block path and by ranges, in the same run;
 *  (b) API: 100,000 nodes and 200,000 contracts written through the explorer's own event
 *      handlers (grid.ts), the API in its own process, filtered sorted /nodes at 50 keep-alive
 *      connections: requests/s, p50, p99, with the response cache hitting (5 queries in turn) and
 *      missing (each request unique); `--keep-db` keeps the built grid in bench/.cache for reruns;
 *  (c) the same /nodes question answered by scanning chain storage through the client, as a ratio.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchChain } from './chain';
import { syntheticGrid, writeGrid } from './grid';
import { ingest } from './ingest';
import { load, type LoadResult } from './load';
import { chainScan } from './scan';

const log = (s: string) => process.stdout.write(s + '\n');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const GiB = 1024 ** 3;

const QUERIES = [
  `/nodes?status=up&free_mru=${16 * GiB}&sort_by=free_mru&sort_order=desc&size=50`,
  `/nodes?country=Belgium&free_sru=${1000 * GiB}&sort_by=total_cru&sort_order=desc&size=50`,
  '/nodes?farm_ids=3,5,8&status=up&sort_by=node_id&size=50',
  `/nodes?rentable=true&ipv4=true&sort_by=uptime&sort_order=desc&size=50`,
  `/nodes?status=up&certification_type=Certified&free_hru=${2000 * GiB}&sort_by=free_hru&sort_order=desc&size=50`,
];

/**
 * The same five queries, each request made unique by a harmless `total_mru` (bytes; every node
 * has gigabytes), so the response cache always misses: the cost of computing an answer.
 */
const coldQuery = (i: number) => `${QUERIES[i % QUERIES.length]!}&total_mru=${i}`;

/** A built grid database, kept under bench/.cache when `keep` (reused while younger than 30 min: statuses depend on the build time). */
async function gridDb(nodes: number, contracts: number, keep: boolean): Promise<{ dir: string; done(): void }> {
  const dir = keep ? path.join(__dirname, '.cache', `api-grid-v1-${nodes}-${contracts}`) : mkdtempSync(path.join(tmpdir(), 'explorer-api-bench-'));
  const stamp = path.join(dir, 'built-at');
  const now = Math.floor(Date.now() / 1000);
  if (keep && existsSync(stamp) && now - Number(readFileSync(stamp, 'utf8')) < 1800) {
    log(`api: reusing ${path.relative(process.cwd(), dir)} (built ${Math.round((now - Number(readFileSync(stamp, 'utf8'))) / 60)} min ago)`);
    return { dir, done: () => undefined };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t = Date.now();
  await writeGrid(dir, syntheticGrid(nodes, contracts, now), now);
  if (keep) writeFileSync(stamp, String(now));
  log(`api: ${fmt(nodes)} nodes, ${fmt(contracts)} contracts (and 2 uptime reports per node) written through the explorer's event handlers in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return { dir, done: () => (keep ? undefined : rmSync(dir, { recursive: true, force: true })) };
}

const line = (what: string, r: LoadResult) =>
  `  ${what}: ${fmt(r.rps)} requests/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, ${r.errors} errors`;
const targets = (r: LoadResult) =>
  `    targets: >= 5,000 requests/s ${r.rps >= 5000 ? 'met' : `MISSED (${fmt(r.rps)}, ${fmt(5000 / r.rps, 1)}x short)`}; p99 < 20 ms ${r.p99 < 20 ? 'met' : `MISSED (${fmt(r.p99, 2)} ms)`}`;

async function api(nodes: number, contracts: number, keep: boolean, seconds: number): Promise<{ median: number }> {
  const db = await gridDb(nodes, contracts, keep);
  try {
    const port = 9_600 + Math.floor(Math.random() * 90);
    const server = fork(path.join(__dirname, 'api-server.ts'), [db.dir, String(port)], { execArgv: ['--require', 'tsx/cjs', ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)], stdio: 'inherit' });
    try {
      const ready = await new Promise<{ url: string; loadMs: number; rss: number }>((resolve, reject) => {
        server.once('message', (m) => resolve(m as never));
        server.once('exit', (c) => reject(new Error(`api server exited ${c}`)));
      });
      log(`  API process: view loaded from LevelDB in ${(ready.loadMs / 1000).toFixed(1)} s, RSS ${fmt(ready.rss / 1048576)} MiB; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      const cached = await load(ready.url, QUERIES, { connections: 50, seconds, warmupSeconds: 3 });
      log(line(`cached: filtered sorted /nodes (${QUERIES.length} queries in turn, response cache hits), 50 keep-alive connections (lean raw-socket client), ${cached.seconds} s`, cached));
      log(targets(cached));
      const viaNode = await load(ready.url, QUERIES, { connections: 50, seconds, warmupSeconds: 3, client: 'node' });
      log(line(`cached, load generator on node:http (costlier client on the same cores)`, viaNode));
      const cold = await load(ready.url, coldQuery, { connections: 50, seconds, warmupSeconds: 3 });
      log(line(`cold: the same queries each made unique (every request computed), 50 connections, ${cold.seconds} s`, cold));
      log(targets(cold));
      const single = await load(ready.url, (i) => `${QUERIES[1]!}&total_mru=${i}`, { connections: 1, seconds: 3, warmupSeconds: 1 });
      log(`  the scan-comparison query alone, computed each time, 1 connection: p50 ${fmt(single.p50, 2)} ms; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      return { median: single.p50 };
    } finally {
      server.kill('SIGTERM');
    }
  } finally {
    db.done();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, ingest: { type: 'string', default: 'both' }, blocks: { type: 'string', default: '100000' }, nodes: { type: 'string', default: '100000' }, contracts: { type: 'string', default: '200000' }, 'keep-db': { type: 'boolean', default: false }, seconds: { type: 'string', default: '15' } } });
  const run = (p: string) => !values.only || values.only.split(',').includes(p);
  log(`machine: ${require('node:os').cpus().length} cores (${require('node:os').cpus()[0]?.model}), Node ${process.version}`);
  if (run('ingest')) {
    const chain = await benchChain({ blocks: Number(values.blocks), nodes: 40, log });
    // The previous path (block by block: two round trips per block, one batch per block, 64
    // blocks in flight) and the new one (ranges), on the same chain in the same run.
    const modes = [
      { name: 'previous (block by block, 64 in flight)', mode: { rangeBlocks: 1, concurrency: 64 } },
      { name: 'new (ranges of 128 blocks, 4 ranges ahead)', mode: { rangeBlocks: 128, concurrency: 4 } },
    ].filter((m) => values.ingest === 'both' || m.name.startsWith(values.ingest!));
    const results: number[] = [];
    for (const m of modes) {
      const r = await ingest(chain, log, m.mode);
      results.push(r.eventsPerSecond);
      log(`ingest, ${m.name}: ${fmt(r.blocks)} blocks, ${fmt(r.events)} events in ${r.seconds.toFixed(1)} s: ${fmt(r.eventsPerSecond)} events/s, ${fmt(r.blocksPerSecond)} blocks/s; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      log(`  records: ${Object.entries(r.records).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`);
      log(`  target >= 10,000 events/s: ${r.eventsPerSecond >= 10_000 ? 'met' : `MISSED (${fmt(r.eventsPerSecond)})`}`);
    }
    if (results.length === 2) log(`ingest: new / previous = ${(results[1]! / results[0]!).toFixed(2)}x (README reference, five round trips per block: 5,186 events/s)`);
  }
  let apiMs = 0;
  if (run('api') || run('scan')) apiMs = (await api(Number(values.nodes), Number(values.contracts), values['keep-db'] === true, Number(values.seconds))).median;
  if (run('scan')) {
    const grid = syntheticGrid(Number(values.nodes), Number(values.contracts), Math.floor(Date.now() / 1000));
    const s = await chainScan(grid, log, { minFreeMru: 0, country: 'Belgium' });
    log(`scan: the same question (country, free memory, sorted) by reading chain storage through the client: ${(s.seconds * 1000).toFixed(0)} ms per answer (${s.matched} matches)`);
    log(`  ratio: the explorer answers ${fmt((s.seconds * 1000) / apiMs)}x faster (${fmt(apiMs, 2)} ms vs ${fmt(s.seconds * 1000)} ms)`);
  }
}

main().then(
  () => process.exit(0),
  (e) => (console.error(e), process.exit(1)),
);
