/**
 * Web Gateway benchmark: requests/s and p99 latency at 50 keep-alive connections, through the
 * gateway and against the same backend directly, with their ratio (target: ≥ 50 %).
 * The backend and the gateway run in their own processes (forked from this file), the load
 * generator in this one, so the gateway does not share an event loop with what measures it.
 *
 *   npx tsx packages/agent/bench/gateway.ts [--seconds 10] [--connections 50] [--raw] [--reference]
 *   npm run bench -w packages/agent -- gateway   (through bench/agent.ts: runGatewayBench())
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Gateway } from '../src/gateway';

const NAME = 'bench';
const DOMAIN = 'gw.bench';
const BODY = Buffer.from('hello from the backend\n');

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests including the warm-up second (what child CPU time is divided by). */
  allRequests: number;
}

export interface GatewayBenchResult {
  direct: LoadResult;
  gateway: LoadResult;
  /** gateway rps / direct rps. */
  ratio: number;
  /** With `rawClient`: the same pair measured with the raw-socket client. */
  raw?: { direct: LoadResult; gateway: LoadResult; ratio: number };
  /** With `reference`: a bare 10-line Node proxy (no checks, no metrics), the ceiling for any Node proxy here. */
  bare?: LoadResult;
}

/** `connections` loops, each one request at a time on its own keep-alive socket, for `seconds`. */
export async function load(port: number, host: string, seconds: number, connections: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: '/', agent, headers: { host } }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const run = async (until: number, lat: number[] | undefined): Promise<{ n: number; errors: number }> => {
    let n = 0;
    let errors = 0;
    while (performance.now() < until) {
      const t = performance.now();
      try {
        await one();
        n++;
        lat?.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
    return { n, errors };
  };
  // Warm-up: open the sockets, let the JIT settle.
  const warm = performance.now() + 1000;
  const warmed = await Promise.all(Array.from({ length: connections }, () => run(warm, undefined)));
  const lat: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  const results = await Promise.all(Array.from({ length: connections }, () => run(end, lat)));
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  return loadResult(lat, results, warmed.reduce((s, r) => s + r.n, 0), elapsed);
}

/** A load run's figures from its latencies, its connections' counts and the warm-up's requests. */
function loadResult(lat: number[], results: { n: number; errors: number }[], warmRequests: number, seconds: number): LoadResult {
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const requests = results.reduce((s, r) => s + r.n, 0);
  return { requests, errors: results.reduce((s, r) => s + r.errors, 0), seconds, rps: requests / seconds, p50Ms: q(0.5), p99Ms: q(0.99), allRequests: requests + warmRequests };
}

/**
 * The same measurement with a raw-socket client (one pre-built request per connection at a
 * time, responses framed by Content-Length): it costs far less CPU than http.request, so on a
 * 2-core machine more of the CPU goes to what is measured instead of to the measuring.
 */
export async function loadRaw(port: number, host: string, seconds: number, connections: number): Promise<LoadResult> {
  const request: Buffer = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tfgrid-bench\r\n\r\n`);
  const lat: number[] = [];
  let measuring = false;
  let stopAt = Infinity;
  const conn = (): Promise<{ n: number; errors: number; warm: number }> =>
    new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setNoDelay(true);
      let buf: Buffer = Buffer.alloc(0);
      let n = 0;
      let errors = 0;
      let t = 0;
      let warm = 0;
      const send = (): void => {
        if (performance.now() >= stopAt) return void s.end();
        t = performance.now();
        s.write(request);
      };
      s.on('connect', send);
      s.on('data', (d: Buffer) => {
        buf = buf.length ? Buffer.concat([buf, d]) : d;
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          const total = end + 4 + (cl ? Number(cl[1]) : 0);
          if (buf.length < total) return;
          if (head.startsWith('HTTP/1.1 200')) {
            if (measuring) {
              n++;
              lat.push(performance.now() - t);
            } else warm++;
          } else errors++;
          buf = buf.subarray(total);
          send();
        }
      });
      s.on('error', () => errors++);
      s.on('close', () => resolve({ n, errors, warm }));
    });
  const all = Array.from({ length: connections }, conn);
  await new Promise((r) => setTimeout(r, 1000)); // warm-up
  measuring = true;
  const start = performance.now();
  stopAt = start + seconds * 1000;
  const results = await Promise.all(all);
  const elapsed = (performance.now() - start) / 1000;
  return loadResult(lat, results, results.reduce((a, r) => a + r.warm, 0), elapsed);
}

/** CPU time (µs, user + system) a child has used so far. */
function cpuOf(proc: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const on = (m: unknown): void => {
      const cpu = (m as { cpu?: number }).cpu;
      if (cpu === undefined) return;
      proc.off('message', on);
      resolve(cpu);
    };
    proc.on('message', on);
    proc.send({ cmd: 'cpu' });
  });
}

/** Runs a load and answers how much CPU each child spent per request (µs). */
async function measured<T extends LoadResult>(procs: ChildProcess[], run: () => Promise<T>): Promise<{ r: T; cpuUs: number[] }> {
  const before = await Promise.all(procs.map(cpuOf));
  const r = await run();
  const after = await Promise.all(procs.map(cpuOf));
  return { r, cpuUs: after.map((a, i) => (a - before[i]!) / r.allRequests) };
}

/** Forks this file in a role; resolves with the port the child reports. */
function child(role: string, ...args: string[]): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir>: the gateway child writes a V8 CPU profile there (to see where its time goes).
    const prof = role === 'gateway' && process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const proc = fork(__filename, [`--role=${role}`, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...prof] });
    proc.once('message', (m) => resolve({ proc, port: (m as { port: number }).port }));
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`${role} exited with ${code}`)));
  });
}

export async function runGatewayBench(
  o: { seconds?: number; connections?: number; reference?: boolean; rawClient?: boolean; log?: (line: string) => void } = {},
): Promise<GatewayBenchResult> {
  const seconds = o.seconds ?? 10;
  const connections = o.connections ?? 50;
  const log = o.log ?? ((l: string) => console.log(l));
  const backend = await child('backend');
  const gateway = await child('gateway', String(backend.port));
  try {
    log(`web gateway benchmark: ${connections} keep-alive connections, ${seconds} s each, ${BODY.length}-byte responses`);
    const d = await measured([backend.proc], () => load(backend.port, '127.0.0.1', seconds, connections));
    const direct = d.r;
    log(fmt('direct ', direct) + `  backend CPU ${d.cpuUs[0]!.toFixed(0)} µs/req`);
    const g = await measured([gateway.proc, backend.proc], () => load(gateway.port, `${NAME}.${DOMAIN}`, seconds, connections));
    const through = g.r;
    log(fmt('gateway', through) + `  gateway CPU ${g.cpuUs[0]!.toFixed(0)} µs/req, backend ${g.cpuUs[1]!.toFixed(0)} µs/req`);
    const ratio = through.rps / direct.rps;
    log(`ratio   gateway/direct throughput ${(ratio * 100).toFixed(1)} % (target >= 50 %), p99 ${(through.p99Ms / direct.p99Ms).toFixed(2)}x`);
    const out: GatewayBenchResult = { direct, gateway: through, ratio };
    if (o.rawClient) {
      const rd = (await measured([backend.proc], () => loadRaw(backend.port, '127.0.0.1', seconds, connections))).r;
      log(fmt('direct  (raw client)', rd));
      const rgm = await measured([gateway.proc], () => loadRaw(gateway.port, `${NAME}.${DOMAIN}`, seconds, connections));
      const rg = rgm.r;
      log(fmt('gateway (raw client)', rg) + `  gateway CPU ${rgm.cpuUs[0]!.toFixed(0)} µs/req`);
      out.raw = { direct: rd, gateway: rg, ratio: rg.rps / rd.rps };
      log(`ratio   (raw client) gateway/direct throughput ${(out.raw.ratio * 100).toFixed(1)} %, p99 ${(rg.p99Ms / rd.p99Ms).toFixed(2)}x`);
    }
    if (o.reference) {
      const bare = await child('bare', String(backend.port));
      try {
        const b = await measured([bare.proc], () => load(bare.port, '127.0.0.1', seconds, connections));
        out.bare = b.r;
        log(fmt('bare   ', out.bare) + `  proxy CPU ${b.cpuUs[0]!.toFixed(0)} µs/req → ${((out.bare.rps / direct.rps) * 100).toFixed(1)} % of direct (reference: a Node proxy doing nothing else)`);
      } finally {
        bare.proc.kill();
      }
    }
    return out;
  } finally {
    for (const c of [gateway, backend]) c.proc.kill();
  }
}

function fmt(label: string, r: LoadResult): string {
  return `${label} ${Math.round(r.rps).toLocaleString('en-US')} req/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  (${r.requests} requests, ${r.errors} errors)`;
}

async function backendRole(): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send!({ port: (server.address() as AddressInfo).port });
}

async function gatewayRole(backendPort: number): Promise<void> {
  const gw = new Gateway({
    logger: pino({ level: 'silent' }),
    httpAddress: '127.0.0.1:0',
    domain: DOMAIN,
    registry: new Registry(),
    allowLocalBackends: true,
    // The load comes from one address: the per-client rate limit would measure itself.
    limits: { ratePerSecond: 0, maxConcurrentPerName: 10_000, keepAliveTimeoutMs: 60_000 },
  });
  await gw.start();
  gw.addRoute({ name: NAME, contractId: 1, backends: [`http://127.0.0.1:${backendPort}`] });
  process.send!({ port: Number(gw.status().http!.split(':').pop()) });
}

/** The reference: the least a Node reverse proxy can do (http.request + pipe, nothing checked). */
async function bareRole(backendPort: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers, agent }, (pr) => {
      res.writeHead(pr.statusCode ?? 502, pr.headers);
      pr.pipe(res);
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  process.send!({ port: (server.address() as AddressInfo).port });
}

// Run directly, or required by bench/agent.ts for `npm run bench -w packages/agent -- gateway`.
if (require.main === module || process.argv[2] === 'gateway') {
  const { values } = parseArgs({ options: { role: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, reference: { type: 'boolean' }, raw: { type: 'boolean' } }, allowPositionals: true });
  const last = Number(process.argv[process.argv.length - 1]);
  const main =
    values.role === 'backend'
      ? backendRole()
      : values.role === 'gateway'
        ? gatewayRole(last)
        : values.role === 'bare'
          ? bareRole(last)
          : runGatewayBench({ seconds: Number(values.seconds ?? 10), connections: Number(values.connections ?? 50), reference: values.reference ?? false, rawClient: values.raw ?? false }).then(() => undefined);
  main.catch((e) => {
    console.error(e);
    process.exit(1);
  });
  // Children live until the parent kills them (or goes away).
  if (values.role) {
    process.on('message', (m) => {
      if ((m as { cmd?: string }).cmd !== 'cpu') return;
      const u = process.cpuUsage();
      process.send!({ cpu: u.user + u.system });
    });
    process.on('disconnect', () => process.exit(0));
    process.on('SIGTERM', () => process.exit(0));
  }
}
