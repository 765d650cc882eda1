/**
 * The data plane's process and runtime API on their own: HAProxy started in master-worker mode
 * with its own config directory, answering its runtime API; a crash (the master killed) restarts
 * it with the same state; a reload keeps the listener (no connection refused in between); stop
 * ends it. And the runtime client's bounds: a command is one line, a reply has a size limit.
 * Then an HTTP slot's seats through a Gateway: a seat keeps backend connections alive, and a seat
 * given back is reused only once no connection to its old address is left.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@tfgrid/testkit';
import { Gateway, HaproxyProcess, Runtime } from '../src/gateway';
import { parseServersConn, parseStatCsv } from '../src/gateway/haproxy';
import { DOMAIN, silent, startBackend, startGateway, until, type Backend } from './gateway-helpers';

jest.setTimeout(60_000);

let dir: string;
let port: number;
let generation = 0;
let proc: HaproxyProcess;

function get(p: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: p, path: '/', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gw-haproxy-'));
  port = await freePort();
  proc = new HaproxyProcess({
    config: path.join(dir, 'haproxy.cfg'),
    admin: path.join(dir, 'admin.sock'),
    master: path.join(dir, 'master.sock'),
    logger: silent,
    drainMs: 1000,
    // Each start, restart or reload renders the config again: the answer says which one it is.
    prepare: async () => {
      generation++;
      await writeFile(
        path.join(dir, 'haproxy.cfg'),
        [
          'global',
          '  master-worker',
          `  stats socket ${path.join(dir, 'admin.sock')} mode 600 level admin expose-fd listeners`,
          'defaults',
          '  mode http',
          '  timeout connect 1s',
          '  timeout client 5s',
          '  timeout server 5s',
          'frontend web',
          `  bind 127.0.0.1:${port}`,
          `  http-request return status 200 content-type text/plain string gen${generation}`,
          '',
        ].join('\n'),
      );
    },
  });
  await proc.start();
});

afterAll(async () => {
  await proc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('starts in master-worker mode and answers HTTP and its runtime API', async () => {
  expect(proc.running).toBe(true);
  expect((await get(port)).body).toBe('gen1');
  const info = await proc.runtime.command('show info');
  expect(info).toMatch(/^Name: HAProxy$/m);
  expect(parseStatCsv(await proc.runtime.command('show stat')).map((r) => r.pxname)).toContain('web');
});

test('a reload starts a new worker with the config rendered again, the listener never closed', async () => {
  let refused = 0;
  let served = 0;
  let stop = false;
  const load = (async () => {
    while (!stop) {
      await get(port).then(
        () => served++,
        () => refused++,
      );
    }
  })();
  await proc.reload();
  await until('the new config answers', async () => (await get(port)).body === 'gen2', 10_000, 20);
  stop = true;
  await load;
  expect(refused).toBe(0);
  expect(served).toBeGreaterThan(0);
});

test('a crash (the master killed) restarts it with its state rendered again', async () => {
  const before = proc.pid!;
  process.kill(before, 'SIGKILL');
  await until('restarted', () => proc.restarts === 1 && proc.running && proc.pid !== before, 20_000, 20);
  expect((await get(port)).body).toBe('gen3');
});

test('the runtime client refuses a command of two lines and bounds a reply', async () => {
  await expect(proc.runtime.command('show info\nshow stat')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_REFUSED' });
  const small = new Runtime({ socket: path.join(dir, 'admin.sock'), maxReplyBytes: 100 });
  await expect(small.command('show info')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_TOO_LARGE' });
  small.close();
  const nowhere = new Runtime({ socket: path.join(dir, 'none.sock') });
  await expect(nowhere.command('show info')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_UNREACHABLE' });
  await expect(proc.runtime.change('del server web/none')).rejects.toMatchObject({ code: 'HAPROXY_RUNTIME_REFUSED' });
});

test('stop ends it: the port is closed', async () => {
  const pid = proc.pid!;
  await proc.stop();
  expect(proc.running).toBe(false);
  expect(() => process.kill(pid, 0)).toThrow();
  await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
});

describe("an HTTP slot's seats (config servers given an address at runtime)", () => {
  let runDir: string;
  const started = { a: 0, aConnections: 0, aDone: 0 };
  let a: Backend;
  let b: Backend;
  let gw: Gateway;
  let gwPort: number;
  let rt: Runtime;
  const agents: http.Agent[] = [];

  /** A keep-alive client of one connection (its requests share one HAProxy session). */
  const client = (): http.Agent => {
    const ag = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(ag);
    return ag;
  };
  const ask = (name: string, ag: http.Agent, p = '/'): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: gwPort, path: p, agent: ag, headers: { host: `${name}.${DOMAIN}` } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
    });
  /** Where HAProxy has seat `server` of slot `slot` pointing, and its connections. */
  const seat = async (slot: string, server: string): Promise<{ port: string; used: number; idle: number } | undefined> => {
    const c = parseServersConn(await rt.command(`show servers conn ${slot}`)).get(`${slot}/${server}`);
    return c && { port: c.port, used: c.n.used_cur!, idle: c.n.idle_cur! };
  };

  beforeAll(async () => {
    runDir = await mkdtemp(path.join(os.tmpdir(), 'gw-seats-'));
    a = await startBackend('a', (req, res) => {
      started.a++;
      const answer = (): void => void (res.end('a'), started.aDone++);
      if (req.url === '/slow') setTimeout(answer, 800);
      else answer();
    });
    a.server.on('connection', () => started.aConnections++);
    b = await startBackend('b', (_req, res) => res.end('b'));
    ({ gw, port: gwPort } = await startGateway({ ratePerSecond: 1e6, rateBurst: 1e6 }, { runDir }));
    rt = new Runtime({ socket: path.join(runDir, 'admin.sock') });
  });

  afterAll(async () => {
    for (const ag of agents) ag.destroy();
    rt?.close();
    await gw?.stop();
    await a?.close();
    await b?.close();
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  test('a seat keeps its backend connections across requests and clients', async () => {
    gw.addRoute({ name: 'first', contractId: 1, backends: [a.url] });
    await gw.settled();
    const one = client();
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add((await ask('first', one)).body);
    for (let i = 0; i < 5; i++) answers.add((await ask('first', client())).body);
    expect([...answers]).toEqual(['a']);
    expect(started.a).toBe(25);
    // One connection per client at most, not one per request (a server added with `add server` opens
    // one per request in HAProxy 2.6): a session's first request has a connection of its own (`http-reuse safe`).
    expect(started.aConnections).toBeLessThanOrEqual(6);
    expect((await seat('h0', 's1'))?.port).toBe(String(a.port));
  });

  test("a seat given back is reused only once its connections are done: the next route on it never reaches the previous one's backend", async () => {
    const slow = Array.from({ length: 4 }, () => client());
    const inFlight = slow.map((ag) => ask('first', ag, '/slow'));
    await until('four slow requests at a', () => started.a === 29, 5_000, 10);
    gw.removeRoute('first');
    await gw.settled();
    await gw.refresh();
    // Still busy: the seat stays with its old address (draining), so the next route takes another slot.
    expect((await seat('h0', 's1'))?.used).toBe(4);
    gw.addRoute({ name: 'second', contractId: 2, backends: [b.url] });
    await gw.settled();
    expect((await ask('second', client())).body).toBe('b');
    expect((await seat('h1', 's1'))?.port).toBe(String(b.port));
    // The slow answers come back on connections that then go idle (HAProxy keeps them for their server).
    expect((await Promise.all(inFlight)).map((r) => r.body)).toEqual(['a', 'a', 'a', 'a']);
    await until(
      'the seat parked, its connections gone',
      async () => {
        await gw.refresh();
        const s = await seat('h0', 's1');
        return s?.port === '0' && s.used === 0 && s.idle === 0;
      },
      10_000,
      50,
    );
    const before = started.a;
    gw.addRoute({ name: 'third', contractId: 3, backends: [b.url] });
    await gw.settled();
    expect((await seat('h0', 's1'))?.port).toBe(String(b.port));
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) for (const ag of [...slow, client()]) answers.push((await ask('third', ag)).body);
    expect(new Set(answers)).toEqual(new Set(['b']));
    expect(started.a).toBe(before);
  });
});
