/**
 * Web Gateway benchmark (issue 17): requests/s and p99 at 50 keep-alive connections against the
 * same backend three ways in one run — directly, through the gateway (the `Gateway` class, whatever
 * engine it drives), and through a bare HAProxy with a minimal config (bench/haproxy-bare.ts) —
 * and the CPU µs per request of each proxy's processes. Targets: the gateway's throughput ≥ 90 %
 * of the bare HAProxy's, its CPU per request within 1.5× of it. The bare engine is the yardstick,
 * not direct: on a 2-core machine the load generator and the backend share the cores with any
 * proxy and cap it well below direct.
 *
 * The backend and the gateway run in their own processes (forked from this file), the bare HAProxy
 * as a child of this one, the load generator in this one. A proxy's CPU is that of its process and
 * every process under it (/proc, bench/proc-tree.ts): for the gateway, the process hosting the
 * Gateway and any data-plane processes it started (HAProxy master and workers), found by parent pid.
 *
 *   npx tsx packages/agent/bench/gateway.ts [--seconds 10] [--connections 50] [--rounds 1] [--raw]
 *   npm run bench -w packages/agent -- gateway [--seconds 10] ...   (through bench/agent.ts)
 * --raw: every leg's load from the raw-socket generator instead of http.Agent (less CPU for the
 * measuring, so more of the two cores for what is measured).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Gateway } from '../src/gateway';
import { freePort } from '../test/support/net';
import { load, loadRaw, type LoadResult } from './gateway-load';
import { HAPROXY, startBareHaproxy, type BareHaproxy } from './haproxy-bare';
import { CLK_TCK, median, sleep } from './measure';
import { allProcesses, machineTicks, processTree, sampleStat, treeCpuUs, treeParts, type ProcSample } from './proc-tree';

export type { LoadResult } from './gateway-load';

const NAME = 'bench';
const DOMAIN = 'gw.bench';
const BODY = Buffer.from('hello from the backend\n');
const TARGET_SHARE_OF_BARE = 0.9;
const TARGET_CPU_RATIO = 1.5;
const READY_DEADLINE_MS = 15_000;
const CHILD_STOP_DEADLINE_MS = 8_000;

/** One leg: a load run and the CPU per request of each process tree counted during it. */
export interface Leg {
  load: LoadResult;
  /** µs of CPU per request (warm-up included in both), per counted tree: 'proxy' (when there is one), 'backend'. */
  cpuUs: { proxy?: number; backend: number; loadGenerator: number };
  /** The proxy's processes that were counted, as `comm pid: µs/req`. */
  proxyProcesses: string[];
  /** Connections the backend accepted during the leg (warm-up included): how well the proxy keeps backend connections alive. */
  backendConnections: number;
  /** Share of all cores busy during the leg, and the part of it no process of this bench used. */
  busyPct: number;
  othersPct: number;
}

export interface Round {
  direct: Leg;
  gateway: Leg;
  bare: Leg;
}

export interface GatewayBenchResult {
  rounds: Round[];
  /** Each figure the median over the rounds (the one round when there is one). */
  median: Round;
  /** gateway rps / bare HAProxy rps, and gateway CPU per request / bare HAProxy's, from `median`. */
  shareOfBare: number;
  cpuRatio: number;
}

type Generator = (port: number, host: string, seconds: number, connections: number) => Promise<LoadResult>;

/** Forks this file in a role; resolves with the port the child reports. */
function child(role: string, ...args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: the gateway child writes a V8 CPU profile there (to see where its time goes).
    const prof = role === 'gateway' && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const proc = fork(__filename, [`--role=${role}`, ...args], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...prof],
    });
    proc.once('message', (m) => resolve({ proc, port: (m as { port: number }).port }));
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

/** SIGTERM (the gateway child stops its Gateway on it), SIGKILL if it has not exited in time. */
async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const cut = setTimeout(() => proc.kill('SIGKILL'), CHILD_STOP_DEADLINE_MS);
  await exited;
  clearTimeout(cut);
}

/** Until a request through the gateway for the bench's name answers 200 (a data plane may take its route a moment later). */
async function untilServed(port: number, host: string): Promise<void> {
  const get = (): Promise<number> =>
    new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.setTimeout(2000, () => req.destroy());
    });
  const end = Date.now() + READY_DEADLINE_MS;
  for (;;) {
    const last = await get();
    if (last === 200) return;
    if (Date.now() > end)
      throw new Error(`gateway on ${port} does not serve ${host} within ${READY_DEADLINE_MS} ms (last status ${last || 'no answer'})`);
    await sleep(100);
  }
}

/** How many connections the backend child has accepted so far (it counts them). */
function connectionsOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      const n = (m as { connections?: number }).connections;
      if (n === undefined) return;
      proc.off('message', on);
      resolve(n);
    };
    proc.on('message', on);
    proc.send({ cmd: 'connections' });
  });
}

/** Runs one load and the CPU of the proxy's tree, the backend's tree and this process around it. */
async function leg(run: () => Promise<LoadResult>, backend: ChildProcess, proxyPid: number | undefined, seen: ProcSample[]): Promise<Leg> {
  const backendPid = backend.pid!;
  const c0 = await connectionsOf(backend);
  const sample = (): { proxy: ProcSample[]; backend: ProcSample[] } => {
    const all = allProcesses();
    return { proxy: proxyPid === undefined ? [] : processTree(proxyPid, all), backend: processTree(backendPid, all) };
  };
  const m0 = machineTicks();
  const s0 = sample();
  const self0 = process.cpuUsage();
  const r = await run();
  const self = process.cpuUsage(self0);
  const s1 = sample();
  const m1 = machineTicks();
  const c1 = await connectionsOf(backend);
  seen.push(...s0.proxy, ...s1.proxy);
  const per = (us: number): number => us / r.allRequests;
  const proxyUs = treeCpuUs(s0.proxy, s1.proxy);
  const backendUs = treeCpuUs(s0.backend, s1.backend);
  const selfUs = self.user + self.system;
  const tickUs = (t: number): number => (t / CLK_TCK) * 1e6;
  const totalUs = tickUs(m1.total - m0.total);
  const busyUs = tickUs(m1.busy - m0.busy);
  return {
    load: r,
    cpuUs: { ...(proxyPid === undefined ? {} : { proxy: per(proxyUs) }), backend: per(backendUs), loadGenerator: per(selfUs) },
    backendConnections: c1 - c0,
    proxyProcesses: treeParts(s0.proxy, s1.proxy).map((p) => `${p.name}: ${per(p.us).toFixed(1)}`),
    busyPct: (busyUs / totalUs) * 100,
    othersPct: Math.max(0, ((busyUs - proxyUs - backendUs - selfUs) / totalUs) * 100),
  };
}

/** HAProxy processes started since `since` (ticks after boot) that no counted tree holds: a data plane the count would miss. */
function uncounted(since: number, counted: ProcSample[], bare: number): string[] {
  const known = new Set(counted.map((p) => p.pid));
  return allProcesses()
    .filter((p) => p.comm.startsWith('haproxy') && p.start >= since && !known.has(p.pid) && p.pid !== bare)
    .map((p) => `${p.comm} ${p.pid} (parent ${p.ppid})`);
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let haproxy = 'not found';
  try {
    haproxy = execFileSync(HAPROXY, ['-v'], { encoding: 'utf8', timeout: 5000 }).split('\n', 1)[0]!;
  } catch {
    // said as 'not found'; starting the bare one fails with the reason
  }
  return `machine: ${os.availableParallelism()} cores (nproc), ${cpu}; load average ${os.loadavg()[0]!.toFixed(2)} at start; Node ${process.version}; ${haproxy}`;
}

export async function runGatewayBench(
  o: { seconds?: number; connections?: number; rounds?: number; rawClient?: boolean; log?: (line: string) => void } = {},
): Promise<GatewayBenchResult> {
  const seconds = o.seconds ?? 10;
  const connections = o.connections ?? 50;
  const rounds = o.rounds ?? 1;
  const log = o.log ?? ((l: string) => console.log(l));
  const gen: Generator = o.rawClient ? loadRaw : load;
  const host = `${NAME}.${DOMAIN}`;
  const seen: ProcSample[] = [];
  let backend: { proc: ChildProcess; port: number } | undefined;
  let gateway: { proc: ChildProcess; port: number } | undefined;
  let bare: BareHaproxy | undefined;
  try {
    log(machine());
    backend = await child('backend');
    gateway = await child('gateway', String(backend.port), String(await freePort()));
    const gatewayStart = sampleStat(gateway.proc.pid!)?.start ?? 0;
    await untilServed(gateway.port, host);
    bare = await startBareHaproxy(await freePort(), backend.port);
    log(
      `web gateway benchmark: ${connections} keep-alive connections, ${seconds} s per leg after a 1 s warm-up, ${BODY.length}-byte responses, ` +
        `${o.rawClient ? 'raw-socket' : 'http.Agent'} load generator; ${rounds} round${rounds > 1 ? 's' : ''} of direct, gateway, bare HAProxy`,
    );
    const all: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      if (rounds > 1) log(`round ${i + 1}/${rounds}`);
      const direct = await leg(() => gen(backend!.port, '127.0.0.1', seconds, connections), backend!.proc, undefined, []);
      log(fmtLeg('direct      ', direct));
      const through = await leg(() => gen(gateway!.port, host, seconds, connections), backend!.proc, gateway.proc.pid!, seen);
      log(fmtLeg('gateway     ', through));
      const b = await leg(() => gen(bare!.port, '127.0.0.1', seconds, connections), backend!.proc, bare.pid, []);
      log(fmtLeg('bare HAProxy', b));
      all.push({ direct, gateway: through, bare: b });
    }
    const missed = uncounted(gatewayStart, seen, bare.pid);
    if (missed.length) log(`warning: HAProxy processes outside the gateway's process tree, not counted: ${missed.join(', ')}`);
    const m = rounds > 1 ? medianRound(all) : all[0]!;
    if (rounds > 1) {
      log(`median of ${rounds} rounds (each figure on its own)`);
      log(fmtLeg('direct      ', m.direct));
      log(fmtLeg('gateway     ', m.gateway));
      log(fmtLeg('bare HAProxy', m.bare));
    }
    const res: GatewayBenchResult = {
      rounds: all,
      median: m,
      shareOfBare: m.gateway.load.rps / m.bare.load.rps,
      cpuRatio: m.gateway.cpuUs.proxy! / m.bare.cpuUs.proxy!,
    };
    for (const line of summary(res)) log(line);
    return res;
  } finally {
    await bare?.close();
    if (gateway) await stopChild(gateway.proc);
    if (backend) await stopChild(backend.proc);
    // Whatever the Gateway started and its stop left running: said, then ended (by the pids found).
    // (tsx's esbuild service, a child like the data plane, goes once its pipe closes: give them a moment.)
    const alive = (): ProcSample[] =>
      [...new Map(seen.map((p) => [p.pid, p])).values()].filter((p) => p.pid !== gateway?.proc.pid && sampleStat(p.pid)?.start === p.start);
    for (let i = 0; i < 30 && alive().length; i++) await sleep(100);
    const left = alive();
    if (left.length) {
      log(`warning: the gateway's stop left ${left.map((p) => `${p.comm} ${p.pid}`).join(', ')} running; killing`);
      for (const p of left) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const us = (x: number | undefined): string => `${(x ?? NaN).toFixed(1)} µs`;
const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

function fmtLeg(label: string, l: Leg): string {
  const r = l.load;
  const proxy = l.cpuUs.proxy === undefined ? '' : `proxy ${us(l.cpuUs.proxy)} [${l.proxyProcesses.join(', ')}], `;
  return (
    `${label} ${Math.round(r.rps).toLocaleString('en-US').padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  (${r.requests} requests, ${r.errors} errors)` +
    `  CPU/req: ${proxy}backend ${us(l.cpuUs.backend)} (${Math.round(l.backendConnections)} connections opened), load generator ${us(l.cpuUs.loadGenerator)}; cores busy ${l.busyPct.toFixed(0)} % (other processes ${l.othersPct.toFixed(0)} %)`
  );
}

function summary(r: GatewayBenchResult): string[] {
  const { direct, gateway, bare } = r.median;
  return [
    `direct                 ${Math.round(direct.load.rps).toLocaleString('en-US')} req/s, p99 ${direct.load.p99Ms.toFixed(2)} ms`,
    `gateway                ${Math.round(gateway.load.rps).toLocaleString('en-US')} req/s, p99 ${gateway.load.p99Ms.toFixed(2)} ms = ${pct(gateway.load.rps / direct.load.rps)} of direct, p99 ${(gateway.load.p99Ms / direct.load.p99Ms).toFixed(2)}×`,
    `bare HAProxy           ${Math.round(bare.load.rps).toLocaleString('en-US')} req/s, p99 ${bare.load.p99Ms.toFixed(2)} ms = ${pct(bare.load.rps / direct.load.rps)} of direct ${
      bare.load.rps < direct.load.rps
        ? '(what the load generator and the backend, sharing the cores, leave any proxy here)'
        : '(above direct: other processes held the cores differently between the legs, a disturbed run)'
    }`,
    `gateway / bare HAProxy throughput ${pct(r.shareOfBare)} (target >= ${pct(TARGET_SHARE_OF_BARE)}: ${met(r.shareOfBare >= TARGET_SHARE_OF_BARE)}), p99 ${(gateway.load.p99Ms / bare.load.p99Ms).toFixed(2)}×`,
    `CPU per request        gateway ${us(gateway.cpuUs.proxy)} vs bare HAProxy ${us(bare.cpuUs.proxy)} = ${r.cpuRatio.toFixed(2)}× (target <= ${TARGET_CPU_RATIO}×: ${met(r.cpuRatio <= TARGET_CPU_RATIO)})`,
  ];
}

/** Every figure of the legs the median over the rounds (latencies and CPU each on their own). */
function medianRound(all: Round[]): Round {
  const legOf = (k: keyof Round): Leg => {
    const legs = all.map((r) => r[k]);
    const md = (f: (l: Leg) => number): number => median(legs.map(f));
    const r0 = legs[0]!.load;
    return {
      load: {
        ...r0,
        requests: Math.round(md((l) => l.load.requests)),
        errors: Math.round(md((l) => l.load.errors)),
        rps: md((l) => l.load.rps),
        p50Ms: md((l) => l.load.p50Ms),
        p99Ms: md((l) => l.load.p99Ms),
        allRequests: Math.round(md((l) => l.load.allRequests)),
      },
      cpuUs: {
        ...(legs[0]!.cpuUs.proxy === undefined ? {} : { proxy: md((l) => l.cpuUs.proxy!) }),
        backend: md((l) => l.cpuUs.backend),
        loadGenerator: md((l) => l.cpuUs.loadGenerator),
      },
      // The same processes in every round (when the tree did not change): each one's median.
      proxyProcesses: legs[legs.length - 1]!.proxyProcesses.map((p, i) => {
        const name = p.slice(0, p.lastIndexOf(':'));
        const all = legs.map((l) => l.proxyProcesses[i] ?? '').filter((q) => q.startsWith(`${name}:`));
        return all.length === legs.length ? `${name}: ${median(all.map((q) => Number(q.slice(q.lastIndexOf(':') + 1)))).toFixed(1)}` : name;
      }),
      backendConnections: md((l) => l.backendConnections),
      busyPct: md((l) => l.busyPct),
      othersPct: md((l) => l.othersPct),
    };
  };
  return { direct: legOf('direct'), gateway: legOf('gateway'), bare: legOf('bare') };
}

async function backendRole(): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send!({ port: (server.address() as { port: number }).port });
  process.on('message', (m) => {
    if ((m as { cmd?: string }).cmd === 'connections') process.send!({ connections });
  });
  const exit = (): never => process.exit(0);
  process.once('SIGTERM', exit);
  process.once('disconnect', exit);
}

async function gatewayRole(backendPort: number, port: number): Promise<void> {
  const gw = new Gateway({
    logger: pino({ level: 'silent' }),
    // A port of its own rather than 0: an engine in another process may not report what it bound.
    httpAddress: `127.0.0.1:${port}`,
    domain: DOMAIN,
    registry: new Registry(),
    allowLocalBackends: true,
    // The load comes from one address: the per-client rate limit stays on (its cost is part of
    // serving) but out of reach, as does the per-name cap.
    limits: { ratePerSecond: 1_000_000, rateBurst: 1_000_000, maxConcurrentPerName: 10_000, keepAliveTimeoutMs: 60_000, drainMs: 500 },
  });
  // Stop the Gateway (and whatever data plane it started) before exiting, bounded.
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.race([gw.stop(), sleep(CHILD_STOP_DEADLINE_MS - 2000)]).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  await gw.start();
  gw.addRoute({ name: NAME, contractId: 1, backends: [`http://127.0.0.1:${backendPort}`] });
  process.send!({ port: Number(gw.status().http!.split(':').pop()) });
}

function positive(name: string, v: string | undefined, dflt: number, max: number): number {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${v}`);
  return n;
}

// Run directly, or required by bench/agent.ts for `npm run bench -w packages/agent -- gateway`.
if (require.main === module || process.argv[2] === 'gateway') {
  const { values, positionals } = parseArgs({
    options: {
      role: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      raw: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const main = async (): Promise<void> => {
    if (values.role === 'backend') return backendRole();
    if (values.role === 'gateway') return gatewayRole(Number(positionals[0]), Number(positionals[1]));
    await runGatewayBench({
      seconds: positive('seconds', values.seconds, 10, 600),
      connections: positive('connections', values.connections, 50, 5000),
      rounds: positive('rounds', values.rounds, 1, 20),
      rawClient: values.raw ?? false,
    });
    process.exit(0);
  };
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
