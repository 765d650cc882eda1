/**
 * Fuzz of the gateway's edge, bounded in count and time: request-smuggling forms (CL+TE, TE+CL,
 * doubled and listed Content-Length, Transfer-Encoding variants, obs-fold, bare LF and CR, NUL,
 * invalid header names), host forms, huge heads, pipelining, slow clients, and a few hundred
 * seeded random mutations of valid requests. The gateway runs in its own process (a crash is an
 * exit; its memory is its own) in front of a real backend that records every request it gets.
 * Asserted: the process lives and still serves; every answer is a well-formed HTTP/1.1 response
 * with an allowed status, or the connection closes; no smuggled request (path /smuggled, hidden
 * where a correct parser sees a body or refuses) ever reaches the backend, and every request that
 * does carries exactly one Host; the gateway's resident set stays under MAX_RSS_BYTES.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import {
  H,
  hostCases,
  largeCases,
  parseResponses,
  pipelineCases,
  randomCases,
  req,
  slowCases,
  smugglingCases,
  type Case,
} from './fixtures/gateway/fuzz-cases';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'fixtures/gateway/fuzz-child.ts');
const RANDOM_CASES = 300;
const SEED = 0x6a7e3a11;
const CONCURRENCY = 12;
/** Connections opened at once, each with a 15 KB head never finished. */
const BURST = 200;
/**
 * Every connection must be closed by the gateway (its timeouts are at most 2 s here); one still
 * open after this is closed by us and fails the case. Wide, for a loaded machine.
 */
const CONNECTION_LIMIT_MS = 15_000;
/**
 * The bound on the gateway process's resident set through the fuzz (tsx's loader included): in
 * runs on a loaded 2-core VM it started at 114–136 MiB and peaked 9–15 MiB higher.
 */
const MAX_RSS_BYTES = 256 * 1024 * 1024;
/** …and how much of it the fuzz may add. */
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;
const ALLOWED = new Set([100, 200, 400, 404, 405, 408, 413, 417, 431, 501, 502, 503, 504, 505]);

interface Seen {
  path: string;
  hostLines: number;
  forwardedFor: string | undefined;
}
const seen: Seen[] = [];
let backend: http.Server;
let gateway: ChildProcess;
let port: number;
let startRss = 0;
const stderr: string[] = [];

// ---- the client side: one connection per case ----

interface Outcome {
  data: Buffer;
  closedByServer: boolean;
}

/** Writes `parts` (waiting `gapMs` between them), reads until the gateway closes or the limit passes. */
function exchange(parts: (string | Buffer)[], gapMs = 0): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = false;
    let timers: NodeJS.Timeout[] = [];
    const limit = setTimeout(() => s.destroy(), CONNECTION_LIMIT_MS);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => (closedByServer = true));
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') closedByServer = true;
    });
    s.on('close', () => {
      clearTimeout(limit);
      for (const t of timers) clearTimeout(t);
      timers = [];
      resolve({ data: Buffer.concat(chunks), closedByServer });
    });
    parts.forEach((p, i) => {
      const write = (): void => {
        if (!s.destroyed) s.write(p);
      };
      if (i === 0 || gapMs === 0) write();
      else timers.push(setTimeout(write, i * gapMs));
    });
  });
}

// ---- the processes ----

beforeAll(async () => {
  backend = http.createServer((q, s) => {
    let hostLines = 0;
    for (let i = 0; i < q.rawHeaders.length; i += 2) if (q.rawHeaders[i]!.toLowerCase() === 'host') hostLines++;
    seen.push({ path: q.url ?? '', hostLines, forwardedFor: q.headers['x-forwarded-for'] as string | undefined });
    q.resume();
    if (q.url === '/c/slowresp') {
      // half the body now, the rest a little later
      s.writeHead(200, { 'content-length': 10 });
      s.write('01234');
      setTimeout(() => s.end('56789'), 400).unref();
      return;
    }
    q.on('end', () => s.end('ok'));
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  gateway = spawn(process.execPath, ['--import', 'tsx', CHILD, url], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  gateway.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  port = await new Promise<number>((resolve, reject) => {
    let out = '';
    gateway.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    gateway.once('exit', (code) => reject(new Error(`gateway child exited ${code}: ${stderr.join('')}`)));
  });
  startRss = (await memory()).rss;
});

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const gone = new Promise((r) => gateway.once('exit', r));
    gateway.disconnect();
    const kill = setTimeout(() => gateway.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(kill);
  }
  await new Promise<void>((r) => {
    backend?.close(() => r());
    backend?.closeAllConnections();
  });
});

function memory(): Promise<{ rss: number; peakRss: number; heapUsed: number }> {
  return new Promise((resolve) => {
    gateway.once('message', (m) => resolve(m as { rss: number; peakRss: number; heapUsed: number }));
    gateway.send('memory');
  });
}

/** Runs `cases` CONCURRENCY at a time; answers what each got. */
async function run(cases: Case[]): Promise<{ c: Case; o: Outcome }[]> {
  const results: { c: Case; o: Outcome }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        results.push({ c, o: await exchange(c.parts, c.gapMs) });
      }
    }),
  );
  return results;
}

function check(results: { c: Case; o: Outcome }[]): Map<number, number> {
  const statuses = new Map<number, number>();
  for (const { c, o } of results) {
    const r = parseResponses(o.data);
    expect({ case: c.name, problem: r.problem }).toEqual({ case: c.name, problem: undefined });
    for (const s of r.statuses) {
      expect({ case: c.name, status: s, allowed: ALLOWED.has(s) }).toEqual({ case: c.name, status: s, allowed: true });
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }
    if (c.expect) expect({ case: c.name, statuses: r.statuses }).toEqual({ case: c.name, statuses: c.expect });
    expect({ case: c.name, closedByServer: o.closedByServer }).toEqual({ case: c.name, closedByServer: true });
  }
  return statuses;
}

function backendSawNothingSmuggled(): void {
  for (const s of seen) {
    expect(s.path).not.toContain('smuggled');
    expect({ path: s.path, hostLines: s.hostLines, fromGateway: s.forwardedFor === '127.0.0.1' }).toEqual({
      path: s.path,
      hostLines: 1,
      fromGateway: true,
    });
  }
}

test('smuggling forms, host forms, huge heads and pipelining: well-formed answers, nothing smuggled', async () => {
  const cases = [...smugglingCases(), ...hostCases(), ...largeCases(), ...pipelineCases()];
  const statuses = check(await run(cases));
  backendSawNothingSmuggled();
  // the cases did reach the gateway's parser and routing, not just its door
  expect(statuses.get(200)).toBeGreaterThan(10);
  expect(statuses.get(400)).toBeGreaterThan(20);
  expect(gateway.exitCode).toBeNull();
});

test(`slow clients (trickled heads and bodies, ${BURST} big unfinished heads at once) are cut with 408 or a close`, async () => {
  const results = await run(slowCases());
  check(results);
  for (const { c, o } of results) {
    const r = parseResponses(o.data);
    expect({ case: c.name, statuses: r.statuses.filter((s) => s !== 408) }).toEqual({ case: c.name, statuses: [] });
  }
  // A burst of connections each holding a nearly full, never finished head.
  const burst = await Promise.all(
    Array.from({ length: BURST }, (_, i) => exchange([`GET /c/slow${i} HTTP/1.1\r\nHost: ${H}\r\nX-Big: ${'a'.repeat(15_000)}`])),
  );
  for (const o of burst) {
    expect(o.closedByServer).toBe(true);
    expect(parseResponses(o.data)).toEqual({ statuses: [408] });
  }
  backendSawNothingSmuggled();
  // a head never completed never reaches a backend
  expect(seen.filter((s) => /^\/c\/slow\d/.test(s.path))).toEqual([]);
});

test(`${RANDOM_CASES} seeded random mutations: well-formed answers, nothing smuggled; the gateway lives, serves, stays under its memory bound`, async () => {
  const statuses = check(await run(randomCases(RANDOM_CASES, SEED)));
  backendSawNothingSmuggled();
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(RANDOM_CASES / 2);
  expect(gateway.exitCode).toBeNull();
  const after = await exchange([req('alive', ['Connection: close'])]);
  expect(parseResponses(after.data).statuses).toEqual([200]);
  const m = await memory();
  console.log(
    `gateway under fuzz: RSS at start ${(startRss / 2 ** 20).toFixed(1)} MiB, peak ${(m.peakRss / 2 ** 20).toFixed(1)} MiB, now ${(m.rss / 2 ** 20).toFixed(1)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(1)} MiB; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
  );
  expect(m.peakRss).toBeLessThan(MAX_RSS_BYTES);
  expect(m.peakRss - startRss).toBeLessThan(MAX_RSS_GROWTH_BYTES);
});
