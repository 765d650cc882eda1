/**
 * The gateway on loopback in front of real backend servers: routing by Host, what the edge
 * refuses, header hygiene, WebSocket pass-through, failover and health, route states driven
 * by the workload and by contract events, bytes counted for NRU, metrics per name.
 */
import type { Registry } from 'prom-client';
import type { Gateway } from '../src/gateway';
import dns from 'node:dns';
import os from 'node:os';
import { Gateway as GatewayClass, guardedLookup } from '../src/gateway';
import { DOMAIN, raw, request, silent, startBackend, startGateway, until, wsEcho, wsRoundTrip, type Backend } from './gateway-helpers';

jest.setTimeout(30_000);

let gw: Gateway;
let port: number;
let registry: Registry;
let a: Backend;
let b: Backend;
const nru: { id: number; bytes: number }[] = [];

beforeAll(async () => {
  a = await startBackend('a');
  b = await startBackend('b');
  wsEcho(a.server);
  wsEcho(b.server);
  ({ gw, port, registry } = await startGateway({}, { nru: { add: (id, bytes) => nru.push({ id, bytes }) } }));
  gw.addRoute({ name: 'app', contractId: 11, nameContractId: 10, workload: 'web', backends: [a.url] });
  gw.addRoute({ name: 'other', contractId: 21, nameContractId: 20, workload: 'web', backends: [b.url] });
});

afterAll(async () => {
  await gw?.stop();
  await a?.close();
  await b?.close();
});

test("routes by Host to the name's backend, port and case ignored", async () => {
  const r1 = await request(port, `app.${DOMAIN}`, { path: '/x?y=1' });
  expect(r1.status).toBe(200);
  expect(JSON.parse(r1.body)).toMatchObject({ backend: 'a', method: 'GET', url: '/x?y=1' });
  const r2 = await request(port, `OTHER.${DOMAIN.toUpperCase()}:8080`, { method: 'POST', body: 'hello' });
  expect(JSON.parse(r2.body)).toMatchObject({ backend: 'b', method: 'POST', bodyLength: 5 });
  expect(gw.route('app')).toMatchObject({ fqdn: `app.${DOMAIN}`, state: 'active', contractId: 11 });
});

test('unknown names, the bare domain and deeper labels get the same bare 404', async () => {
  for (const host of [`nope.${DOMAIN}`, DOMAIN, `x.app.${DOMAIN}`, 'app.elsewhere.test', '127.0.0.1']) {
    const r = await request(port, host);
    expect(r.status).toBe(404);
    expect(r.body).toBe('Not Found\n');
    expect(r.headers['x-powered-by']).toBeUndefined();
    expect(r.headers.server).toBeUndefined();
  }
});

test('no open proxy: absolute-URI requests get 400, CONNECT 405, OPTIONS * 400', async () => {
  const abs = await raw(port, `GET http://app.${DOMAIN}/ HTTP/1.1\r\nHost: app.${DOMAIN}\r\n\r\n`);
  expect(abs).toMatch(/^HTTP\/1\.1 400 /);
  const elsewhere = await raw(port, `GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n`);
  expect(elsewhere).toMatch(/^HTTP\/1\.1 400 /);
  const connect = await raw(port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
  expect(connect).toMatch(/^HTTP\/1\.1 405 /);
  const star = await raw(port, `OPTIONS * HTTP/1.1\r\nHost: app.${DOMAIN}\r\n\r\n`);
  expect(star).toMatch(/^HTTP\/1\.1 400 /);
});

test('hop-by-hop headers are stripped both ways and X-Forwarded-* are ours', async () => {
  const echo = await startBackend('h', (req, res) => {
    res.writeHead(200, {
      connection: 'x-back-hop',
      'x-back-hop': '1',
      'keep-alive': 'timeout=9',
      'proxy-authenticate': 'Basic',
      'x-kept': 'yes',
      'content-type': 'application/json',
    });
    res.end(JSON.stringify(req.headers));
  });
  try {
    gw.addRoute({ name: 'hdr', contractId: 31, backends: [echo.url] });
    const r = await request(port, `hdr.${DOMAIN}`, {
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'secret',
        'keep-alive': 'timeout=5',
        'proxy-authorization': 'Basic eA==',
        te: 'trailers',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.test',
        forwarded: 'for=6.6.6.6',
        'x-end': 'kept',
      },
    });
    const seen = JSON.parse(r.body) as Record<string, string>;
    for (const h of ['x-hop', 'keep-alive', 'proxy-authorization', 'te', 'forwarded', 'upgrade', 'transfer-encoding'])
      expect(seen[h]).toBeUndefined();
    expect(seen['x-end']).toBe('kept');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen['x-forwarded-host']).toBe(`hdr.${DOMAIN}`);
    expect(seen.host).toBe(`hdr.${DOMAIN}`);
    expect(r.headers['x-back-hop']).toBeUndefined();
    expect(r.headers['proxy-authenticate']).toBeUndefined();
    expect(r.headers['keep-alive']).not.toBe('timeout=9');
    expect(r.headers['x-kept']).toBe('yes');
  } finally {
    gw.removeRoute('hdr');
    await echo.close();
  }
});

test('WebSocket upgrades are piped both ways; other upgrades refused', async () => {
  const ws = await wsRoundTrip(port, `app.${DOMAIN}`, 'ping');
  expect(ws.status).toBe(101);
  expect(ws.reply).toBe('echo:ping');
  expect(ws.headers['x-seen-forwarded-for']).toBe('127.0.0.1');
  const unknown = await wsRoundTrip(port, `nope.${DOMAIN}`, 'x');
  expect(unknown.status).toBe(404);
  const h2c = await raw(port, `GET / HTTP/1.1\r\nHost: app.${DOMAIN}\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n`);
  expect(h2c).toMatch(/^HTTP\/1\.1 400 /);
});

test("a WebSocket fails over past a dead backend, and its tunnel's bytes are counted when it closes", async () => {
  const dead = await startBackend('dead');
  await dead.close();
  gw.addRoute({ name: 'wsfail', contractId: 71, backends: [dead.url, a.url] });
  try {
    const ws = await wsRoundTrip(port, `wsfail.${DOMAIN}`, 'hello');
    expect(ws).toMatchObject({ status: 101, reply: 'echo:hello' });
    await until(
      "gw.usage(71).in > 0 && gw.usage(71).out > 0 && gw.route('wsfail')!....",
      () => gw.usage(71).in > 0 && gw.usage(71).out > 0 && gw.route('wsfail')!.inflight === 0,
      10_000,
      20,
    );
    expect(gw.route('wsfail')!.backends.map((x) => x.healthy)).toEqual([false, true]);
  } finally {
    gw.removeRoute('wsfail');
  }
});

test('failover: a dead backend is skipped on connect failure and by the health check; back when it returns', async () => {
  const c = await startBackend('c');
  const d = await startBackend('d');
  const cPort = c.port;
  try {
    gw.addRoute({ name: 'hav', contractId: 41, backends: [c.url, d.url] });
    const first = new Set<string>();
    for (let i = 0; i < 4; i++) first.add(JSON.parse((await request(port, `hav.${DOMAIN}`)).body).backend);
    expect(first).toEqual(new Set(['c', 'd']));
    await c.close();
    for (let i = 0; i < 4; i++) {
      const r = await request(port, `hav.${DOMAIN}`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).backend).toBe('d');
    }
    await gw.checkHealth();
    expect(gw.route('hav')!.backends.map((x) => x.healthy)).toEqual([false, true]);
    const back = await startBackend('c', undefined, cPort);
    try {
      await gw.checkHealth();
      expect(gw.route('hav')!.backends.map((x) => x.healthy)).toEqual([true, true]);
    } finally {
      await back.close();
    }
    // All backends down: 502, and the route says why.
    await d.close();
    gw.addRoute({ name: 'hav', contractId: 41, backends: [c.url, d.url] });
    expect((await request(port, `hav.${DOMAIN}`)).status).toBe(502);
  } finally {
    gw.removeRoute('hav');
    await c.close();
    await d.close();
  }
});

test("a backend dying mid-body cuts the client's response instead of ending it short", async () => {
  const dying = await startBackend('dying', (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-length': 1000 });
    res.write('x'.repeat(10), () => setTimeout(() => res.socket?.destroy(), 20));
  });
  try {
    gw.addRoute({ name: 'dying', contractId: 61, backends: [dying.url] });
    await expect(request(port, `dying.${DOMAIN}`)).rejects.toThrow();
  } finally {
    gw.removeRoute('dying');
    await dying.close();
  }
});

test('pause → 503 with a short message, resume, gone → 404; contract events do the same', async () => {
  const host = `app.${DOMAIN}`;
  expect(gw.setRouteState('app', 'paused')).toBe(true);
  let r = await request(port, host);
  expect(r.status).toBe(503);
  expect(r.body).toBe('This site is suspended.\n');
  gw.setRouteState('app', 'active');
  expect((await request(port, host)).status).toBe(200);

  // grace of the name contract (10), then of the node contract (11): paused until both ended
  const ev = (method: string, id: number) => ({
    section: 'smartContractModule',
    method,
    data: [id, 1, 1],
    fields: { contract_id: id, node_id: 1, twin_id: 1 },
  });
  expect(gw.applyContractEvent(ev('ContractGracePeriodStarted', 10))).toEqual([{ name: 'app', state: 'paused' }]);
  gw.applyContractEvent(ev('ContractGracePeriodStarted', 11));
  expect((await request(port, host)).status).toBe(503);
  gw.applyContractEvent(ev('ContractGracePeriodEnded', 10));
  expect((await request(port, host)).status).toBe(503);
  gw.applyContractEvent(ev('ContractGracePeriodEnded', 11));
  expect((await request(port, host)).status).toBe(200);
  expect(gw.applyContractEvent(ev('ContractGracePeriodStarted', 999))).toEqual([]);
  expect(gw.applyContractEvent({ section: 'tfgridModule', method: 'NodeUpdated', data: [10] })).toEqual([]);

  // the name contract canceled: 404 like any unknown name, and a workload resume cannot revive it
  expect(
    gw.applyContractEvent({ section: 'smartContractModule', method: 'NameContractCanceled', data: [10], fields: { contract_id: 10 } }),
  ).toEqual([{ name: 'app', state: 'gone' }]);
  r = await request(port, host);
  expect(r.status).toBe(404);
  expect(r.body).toBe('Not Found\n');
  gw.pauseWorkload('app', false);
  expect((await request(port, host)).status).toBe(404);

  // back for the remaining tests
  gw.addRoute({ name: 'app', contractId: 11, nameContractId: 10, workload: 'web', backends: [a.url] });
  expect((await request(port, host)).status).toBe(200);
});

test('bytes in and out are counted per contract within 1 % and handed to the NRU sink', async () => {
  const MiB = 1024 * 1024;
  const big = await startBackend('big', (req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-length': MiB });
      res.end(Buffer.alloc(MiB, 7));
    });
  });
  try {
    gw.addRoute({ name: 'bulk', contractId: 51, backends: [big.url] });
    // Bytes are HAProxy's counters, read back on an interval: what earlier tests sent is read (and handed over) first.
    await gw.refresh();
    gw.flushUsage();
    nru.length = 0;
    let sent = 0;
    let received = 0;
    for (let i = 0; i < 3; i++) {
      const r = await request(port, `bulk.${DOMAIN}`, { method: 'POST', body: Buffer.alloc(MiB, 1) });
      expect(r.status).toBe(200);
      expect(r.body.length).toBe(MiB);
      sent += r.sent;
      received += r.received;
    }
    await until(
      'gw.usage(51).in >= sent * 0.99 && gw.usage(51).out >= received * 0.99',
      () => gw.usage(51).in >= sent * 0.99 && gw.usage(51).out >= received * 0.99,
      10_000,
      20,
    );
    const u = gw.usage(51);
    expect(Math.abs(u.in - sent) / sent).toBeLessThan(0.01);
    expect(Math.abs(u.out - received) / received).toBeLessThan(0.01);
    gw.flushUsage();
    const reported = nru.filter((x) => x.id === 51).reduce((s, x) => s + x.bytes, 0);
    expect(Math.abs(reported - (sent + received)) / (sent + received)).toBeLessThan(0.01);
    expect(nru.every((x) => x.id === 51)).toBe(true);
  } finally {
    gw.removeRoute('bulk');
    await big.close();
  }
});

test('metrics per name: requests by code, bytes, latency, rejections by reason', async () => {
  await request(port, `app.${DOMAIN}`);
  await request(port, `nope.${DOMAIN}`);
  const text = await registry.metrics();
  expect(text).toMatch(/tfgrid_gateway_requests_total\{name="app",code="200"\} \d+/);
  expect(text).toMatch(/tfgrid_gateway_bytes_in_total\{name="app"\} [1-9]/);
  expect(text).toMatch(/tfgrid_gateway_bytes_out_total\{name="app"\} [1-9]/);
  expect(text).toMatch(/tfgrid_gateway_request_duration_seconds_count\{name="app"\} [1-9]/);
  expect(text).toMatch(/tfgrid_gateway_rejected_total\{name="",reason="unknown_name"\} [1-9]/);
  expect(text).toMatch(/tfgrid_gateway_rejected_total\{name="",reason="absolute_uri"\} [1-9]/);
  expect(text).toMatch(/tfgrid_gateway_rejected_total\{name="",reason="connect_method"\} [1-9]/);
  expect(text).toMatch(/tfgrid_gateway_rejected_total\{name="app",reason="paused"\} [1-9]/);
  expect(text).not.toContain('nope');
  expect(gw.status()).toMatchObject({ state: 'running', domain: DOMAIN });
});

test('a listener that cannot bind fails start() and leaves nothing listening', async () => {
  const other = new GatewayClass({
    logger: silent,
    httpAddress: '127.0.0.1:0',
    httpsAddress: `127.0.0.1:${port}`,
    certificates: { pem: () => undefined },
  });
  await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
  expect(other.status()).toMatchObject({ state: 'idle' });
  expect(other.status().http).toBeUndefined();
});

test('without allowLocalBackends, a backend name that resolves to the gateway node itself is never connected to', async () => {
  // the guard itself, on a name every resolver maps to loopback
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
  expect(err?.code).toBe('EBACKENDLOCAL');
  const strict = new GatewayClass({ logger: silent, httpAddress: '127.0.0.1:0', domain: DOMAIN, limits: { healthIntervalMs: 0 } });
  await strict.start();
  try {
    expect(() => strict.addRoute({ name: 'sneaky', contractId: 81, backends: [`http://127.0.0.1:${a.port}`] })).toThrow(
      /gateway node itself/,
    );
    expect(() => strict.addRoute({ name: 'sneaky', contractId: 81, backends: [`http://localhost:${a.port}`] })).toThrow(
      /gateway node itself/,
    );
    // This machine's own name passes the literal check; its DNS answer (when it is loopback) does not.
    const self = os.hostname();
    const addr = await dns.promises.lookup(self).catch(() => undefined);
    if (addr && /^127\./.test(addr.address)) {
      strict.addRoute({ name: 'sneaky', contractId: 81, backends: [`http://${self}:${a.port}`] });
      // The data plane resolves a name through the guard before HAProxy is given an address: wait for it.
      await strict.settled();
      const p = Number(strict.status().http!.split(':').pop());
      expect((await request(p, `sneaky.${DOMAIN}`)).status).toBe(502);
      expect(strict.route('sneaky')!.backends[0]).toMatchObject({ healthy: false, lastError: 'EBACKENDLOCAL' });
      await strict.checkHealth();
      expect(strict.route('sneaky')!.backends[0]).toMatchObject({ healthy: false, lastError: 'EBACKENDLOCAL' });
    }
  } finally {
    await strict.stop();
  }
});
