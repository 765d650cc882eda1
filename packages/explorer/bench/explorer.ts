/**
 * The explorer's benchmark:  npm run bench -w packages/explorer [-- --only ingest|api|scan] [--ingest both|previous|new]
 *   [--api-modes cached,node,cold] [--previous REV|none] [--seconds 15] [--rounds N] [--blocks N] [--nodes N] [--contracts N] [--keep-db]
 *  (a) ingest: events/s while backfilling a dev chain of >= 100,000 blocks of TFChain traffic
 *      (built once into bench/.cache, see chain.ts), served by the dev chain in its own process,
 *      by the previous block-by-block path and by ranges, in the same run;
 *  (b) API: 100,000 nodes and 200,000 contracts written through the explorer's own event
 *      handlers (grid.ts), the API in its own process, filtered sorted /nodes at 50 keep-alive
 *      connections: requests/s, p50, p99, with the response cache hitting (5 queries in turn) and
 *      missing (each request unique), served by the previous code (src/ at --previous, extracted
 *      from git) and by the new, in the same run; `--keep-db` keeps the built grid in bench/.cache;
 *  (c) the same /nodes question answered by scanning chain storage through the client, as a ratio.
 */
import { execFileSync, fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { GiB } from '@tfgrid/client';
import { benchChain } from './chain';
import { syntheticGrid, writeGrid } from './grid';
import { ingest } from './ingest';
import { load, type LoadResult } from './load';
import { chainScan } from './scan';

const log = (s: string) => process.stdout.write(s + '\n');
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

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
let coldRuns = 0;
const coldQuery = () => {
  const run = ++coldRuns * 1e9;
  return (i: number) => `${QUERIES[i % QUERIES.length]!}&total_mru=${run + i}`;
};

/** A built grid database, kept under bench/.cache when `keep` (reused while younger than 30 min: statuses depend on the build time). */
async function gridDb(nodes: number, contracts: number, keep: boolean): Promise<{ dir: string; done(): void }> {
  const dir = keep
    ? path.join(__dirname, '.cache', `api-grid-v1-${nodes}-${contracts}`)
    : mkdtempSync(path.join(tmpdir(), 'explorer-api-bench-'));
  const stamp = path.join(dir, 'built-at');
  const now = Math.floor(Date.now() / 1000);
  if (keep && existsSync(stamp) && now - Number(readFileSync(stamp, 'utf8')) < 1800) {
    log(
      `api: reusing ${path.relative(process.cwd(), dir)} (built ${Math.round((now - Number(readFileSync(stamp, 'utf8'))) / 60)} min ago)`,
    );
    return { dir, done: () => undefined };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t = Date.now();
  await writeGrid(dir, syntheticGrid(nodes, contracts, now), now);
  if (keep) writeFileSync(stamp, String(now));
  log(
    `api: ${fmt(nodes)} nodes, ${fmt(contracts)} contracts (and 2 uptime reports per node) written through the explorer's event handlers in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
  return { dir, done: () => (keep ? undefined : rmSync(dir, { recursive: true, force: true })) };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}

type Measured = LoadResult & { cpuUsPerRequest: number };
/**
 * A load run with the API process's CPU time per answered request (its warm-up included, after a
 * first unmeasured run that builds the sort orders): what a request costs whatever else the
 * machine runs, so the previous and the new code compare even when the throughput figures swing.
 */
async function measured(pid: number, run: () => Promise<LoadResult>): Promise<Measured> {
  await run();
  const before = cpuSeconds(pid);
  const r = await run();
  return { ...r, cpuUsPerRequest: ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, r.total) };
}

const line = (what: string, r: Measured) =>
  `  ${what}: ${fmt(r.rps)} requests/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, ${r.errors} errors; API CPU ${fmt(r.cpuUsPerRequest)} µs per request`;
const targets = (r: LoadResult) =>
  `    targets: >= 5,000 requests/s ${r.rps >= 5000 ? 'met' : `MISSED (${fmt(r.rps)}, ${fmt(5000 / r.rps, 1)}x short)`}; p99 < 20 ms ${r.p99 < 20 ? 'met' : `MISSED (${fmt(r.p99, 2)} ms)`}`;

/** The API before the cold-path work (precomputed free capacity, candidate-set walks, byte bodies, contract indexes, stats counters). */
const PREVIOUS_API = 'f2db725';

/** The explorer's src/ at `rev`, extracted once under bench/.cache (served by the same node_modules). */
function previousSrc(rev: string): string {
  const root = path.resolve(__dirname, '../../..');
  const sha = execFileSync('git', ['-C', root, 'rev-parse', '--short', rev], { encoding: 'utf8' }).trim();
  const dir = path.join(__dirname, '.cache', `previous-v2-${sha}`);
  const src = path.join(dir, 'packages/explorer/src');
  if (!existsSync(path.join(dir, 'done'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    execFileSync('sh', ['-c', `git -C "${root}" archive ${sha} packages/explorer/src packages/explorer/package.json | tar -x -C "${dir}"`]);
    writeFileSync(path.join(dir, 'done'), sha);
  }
  return src;
}

async function api(
  nodes: number,
  contracts: number,
  keep: boolean,
  seconds: number,
  modes: string[],
  previous: string | undefined,
  rounds: number,
): Promise<{ median: number }> {
  const db = await gridDb(nodes, contracts, keep);
  let median = 0;
  try {
    // The previous code first, then the new, over the same database in the same run.
    const servers = previous ? [{ name: `previous (${previous})`, src: previousSrc(previous) }] : [];
    servers.push({ name: 'new', src: '' });
    // Rounds alternate the two (previous, new, previous, new, …): on a shared machine the load
    // drifts within minutes, and a ratio per round compares runs minutes apart at most.
    const ratios: Record<string, { rps: number; cpu: number }[]> = {};
    for (let round = 1; round <= rounds; round++) {
      const runs: Record<string, Measured>[] = [];
      for (const { name, src } of servers) {
        log(`api, ${name}${rounds > 1 ? `, round ${round} of ${rounds}` : ''}:`);
        const r = await apiRun(db.dir, src, seconds, modes);
        median = r.single;
        runs.push(r.results);
      }
      if (runs.length === 2) {
        for (const mode of Object.keys(runs[1]!)) {
          const [p, n] = [runs[0]![mode]!, runs[1]![mode]!];
          (ratios[mode] ??= []).push({ rps: n.rps / p.rps, cpu: p.cpuUsPerRequest / n.cpuUsPerRequest });
          log(
            `api ${mode}: new / previous = ${(n.rps / p.rps).toFixed(2)}x requests/s (${fmt(p.rps)} → ${fmt(n.rps)}), p99 ${fmt(p.p99, 2)} → ${fmt(n.p99, 2)} ms, API CPU per request ${fmt(p.cpuUsPerRequest)} → ${fmt(n.cpuUsPerRequest)} µs (${(p.cpuUsPerRequest / n.cpuUsPerRequest).toFixed(2)}x less)`,
          );
        }
      }
    }
    if (rounds > 1) {
      const mid = (xs: number[]) => {
        const o = [...xs].sort((a, b) => a - b);
        const h = Math.floor(o.length / 2);
        return o.length % 2 === 1 ? o[h]! : (o[h - 1]! + o[h]!) / 2;
      };
      for (const [mode, rs] of Object.entries(ratios))
        log(
          `api ${mode}, median of ${rs.length} rounds: new / previous = ${mid(rs.map((r) => r.rps)).toFixed(2)}x requests/s, ${mid(rs.map((r) => r.cpu)).toFixed(2)}x less API CPU per request`,
        );
    }
    return { median };
  } finally {
    db.done();
  }
}

async function apiRun(
  dir: string,
  src: string,
  seconds: number,
  modes: string[],
): Promise<{ single: number; results: Record<string, Measured> }> {
  const results: Record<string, Measured> = {};
  const port = 9_600 + Math.floor(Math.random() * 90);
  const server = fork(path.join(__dirname, 'api-server.ts'), [dir, String(port), ...(src ? [src] : [])], {
    execArgv: ['--require', 'tsx/cjs', ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    stdio: 'inherit',
  });
  try {
    const ready = await new Promise<{ url: string; loadMs: number; rss: number }>((resolve, reject) => {
      server.once('message', (m) => resolve(m as never));
      server.once('exit', (c) => reject(new Error(`api server exited ${c}`)));
    });
    log(
      `  API process: view loaded from LevelDB in ${(ready.loadMs / 1000).toFixed(1)} s, RSS ${fmt(ready.rss / 1048576)} MiB; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    for (const mode of modes) {
      if (mode === 'cached') {
        const cached = await measured(server.pid!, () => load(ready.url, QUERIES, { connections: 50, seconds, warmupSeconds: 3 }));
        log(
          line(
            `cached: filtered sorted /nodes (${QUERIES.length} queries in turn, response cache hits), 50 keep-alive connections (lean raw-socket client), ${cached.seconds} s`,
            cached,
          ),
        );
        log(targets(cached));
        results.cached = cached;
      } else if (mode === 'node') {
        const viaNode = await measured(server.pid!, () =>
          load(ready.url, QUERIES, { connections: 50, seconds, warmupSeconds: 3, client: 'node' }),
        );
        log(line(`cached, load generator on node:http (costlier client on the same cores)`, viaNode));
      } else if (mode === 'cold') {
        const cold = await measured(server.pid!, () => load(ready.url, coldQuery(), { connections: 50, seconds, warmupSeconds: 3 }));
        log(line(`cold: the same queries each made unique (every request computed), 50 connections, ${cold.seconds} s`, cold));
        log(targets(cold));
        results.cold = cold;
      } else throw new Error(`--api-modes: unknown mode ${mode} (cached, node, cold)`);
    }
    const single = await load(ready.url, (i) => `${QUERIES[1]!}&total_mru=${i}`, { connections: 1, seconds: 3, warmupSeconds: 1 });
    log(
      `  the scan-comparison query alone, computed each time, 1 connection: p50 ${fmt(single.p50, 2)} ms; load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    );
    return { single: single.p50, results };
  } finally {
    server.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      ingest: { type: 'string', default: 'both' },
      blocks: { type: 'string', default: '100000' },
      nodes: { type: 'string', default: '100000' },
      contracts: { type: 'string', default: '200000' },
      'keep-db': { type: 'boolean', default: false },
      seconds: { type: 'string', default: '15' },
      'api-modes': { type: 'string', default: 'cached,node,cold' },
      previous: { type: 'string', default: PREVIOUS_API },
      rounds: { type: 'string', default: '1' },
    },
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds: a whole number 1..20, not ${values.rounds}`);
  const run = (p: string) => !values.only || values.only.split(',').includes(p);
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`);
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
      log(
        `ingest, ${m.name}: ${fmt(r.blocks)} blocks, ${fmt(r.events)} events in ${r.seconds.toFixed(1)} s: ${fmt(r.eventsPerSecond)} events/s, ${fmt(r.blocksPerSecond)} blocks/s; load average ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}`,
      );
      log(
        `  records: ${Object.entries(r.records)
          .map(([k, v]) => `${k} ${fmt(v)}`)
          .join(', ')}`,
      );
      log(`  target >= 10,000 events/s: ${r.eventsPerSecond >= 10_000 ? 'met' : `MISSED (${fmt(r.eventsPerSecond)})`}`);
    }
    if (results.length === 2)
      log(
        `ingest: new / previous = ${(results[1]! / results[0]!).toFixed(2)}x (README reference, five round trips per block: 5,186 events/s)`,
      );
  }
  let apiMs = 0;
  if (run('api') || run('scan'))
    apiMs = (
      await api(
        Number(values.nodes),
        Number(values.contracts),
        values['keep-db'] === true,
        Number(values.seconds),
        values['api-modes']!.split(','),
        values.previous === 'none' ? undefined : values.previous,
        rounds,
      )
    ).median;
  if (run('scan')) {
    const grid = syntheticGrid(Number(values.nodes), Number(values.contracts), Math.floor(Date.now() / 1000));
    const s = await chainScan(grid, log, { minFreeMru: 0, country: 'Belgium' });
    log(
      `scan: the same question (country, free memory, sorted) by reading chain storage through the client: ${(s.seconds * 1000).toFixed(0)} ms per answer (${s.matched} matches)`,
    );
    log(`  ratio: the explorer answers ${fmt((s.seconds * 1000) / apiMs)}x faster (${fmt(apiMs, 2)} ms vs ${fmt(s.seconds * 1000)} ms)`);
  }
}

main().then(
  () => process.exit(0),
  (e) => (console.error(e), process.exit(1)),
);
