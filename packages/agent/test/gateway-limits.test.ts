/**
 * Each edge limit answered with its status: 431 (header size), 413 (body size, declared and
 * streamed), 429 + Retry-After (rate per client), 503 + Retry-After (concurrency per name),
 * 408 (slow client), 504 (slow backend). Each test has its own gateway with a small limit.
 */
import http from 'node:http';
import { DOMAIN, raw, request, startBackend, startGateway, until, type Backend } from './gateway-helpers';
import type { Gateway, GatewayLimits } from '../src/gateway';

jest.setTimeout(20_000);

let backend: Backend;
const held: http.ServerResponse[] = [];
let hang = false;

beforeAll(async () => {
  backend = await startBackend('slow', (req, res) => {
    req.resume();
    if (hang)
      held.push(res); // answered at the end of the test
    else req.on('end', () => res.end('ok'));
  });
});

afterAll(async () => {
  for (const r of held) r.end();
  await backend?.close();
});

async function withGateway(limits: Partial<GatewayLimits>, fn: (port: number, gw: Gateway) => Promise<void>): Promise<void> {
  const { gw, port } = await startGateway(limits);
  gw.addRoute({ name: 'app', contractId: 1, backends: [backend.url] });
  try {
    await fn(port, gw);
  } finally {
    hang = false;
    for (const r of held.splice(0)) r.end('late');
    await gw.stop();
  }
}

const HOST = `app.${DOMAIN}`;

test('431 when the request head is larger than maxHeaderBytes', async () => {
  await withGateway({ maxHeaderBytes: 2048 }, async (port) => {
    expect((await request(port, HOST, { headers: { 'x-small': 'a'.repeat(100) } })).status).toBe(200);
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: ${HOST}\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(r).toMatch(/^HTTP\/1\.1 431 /);
  });
});

test('413 for a declared Content-Length over maxBodyBytes, and for a chunked body that grows past it', async () => {
  await withGateway({ maxBodyBytes: 1000 }, async (port) => {
    expect((await request(port, HOST, { method: 'POST', body: Buffer.alloc(1000) })).status).toBe(200);
    const declared = await raw(port, `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 100000000\r\n\r\n`);
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    const chunk = `320\r\n${'x'.repeat(0x320)}\r\n`; // 800 bytes per chunk
    const streamed = await raw(port, `POST / HTTP/1.1\r\nHost: ${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}${chunk}`);
    expect(streamed).toMatch(/^HTTP\/1\.1 413 /);
  });
});

test('Expect: 100-continue is answered only once the request is admitted', async () => {
  await withGateway({ maxBodyBytes: 1000 }, async (port) => {
    const refused = await raw(port, `POST / HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n`);
    expect(refused).toMatch(/^HTTP\/1\.1 413 /);
    expect(refused).not.toContain('100 Continue');
    const ok = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          agent: false,
          headers: { host: HOST, expect: '100-continue', 'content-length': 10 },
        },
        (res) => {
          res.resume();
          resolve({ continued, status: res.statusCode! });
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end('0123456789');
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(ok).toEqual({ continued: true, status: 200 });
  });
});

test('429 with Retry-After once a client address has used its burst', async () => {
  await withGateway({ ratePerSecond: 0.01, rateBurst: 3 }, async (port) => {
    const codes: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r = await request(port, HOST);
      codes.push(r.status);
      if (r.status === 429) retryAfter = r.headers['retry-after'] as string;
    }
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // unknown names spend tokens too: scanning is rate limited like anything else
    expect((await request(port, `nope.${DOMAIN}`)).status).toBe(429);
  });
});

test('503 with Retry-After past maxConcurrentPerName requests in flight for one name', async () => {
  await withGateway({ maxConcurrentPerName: 2 }, async (port, gw) => {
    hang = true;
    const first = [request(port, HOST), request(port, HOST)];
    await until('held.length === 2', () => held.length === 2, 10_000, 20);
    // In flight is HAProxy's count, read back on an interval: read it now.
    await gw.refresh();
    expect(gw.route('app')!.inflight).toBe(2);
    const third = await request(port, HOST);
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    hang = false;
    for (const r of held.splice(0)) r.end('done');
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    await until("gw.route('app')!.inflight === 0", () => gw.route('app')!.inflight === 0, 10_000, 20);
    expect((await request(port, HOST)).status).toBe(200);
  });
});

test('408 for a client that does not finish its request head in time', async () => {
  await withGateway({ headersTimeoutMs: 300, requestTimeoutMs: 600 }, async (port) => {
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: ${HOST}\r\n`, 8000);
    expect(r).toMatch(/^HTTP\/1\.1 408 /);
  });
});

test('504 when the backend does not answer in time', async () => {
  await withGateway({ backendTimeoutMs: 300 }, async (port, gw) => {
    hang = true;
    const r = await request(port, HOST);
    expect(r.status).toBe(504);
    expect(r.body).toBe('Gateway Timeout\n');
    hang = false;
    await until("gw.route('app')!.inflight === 0", () => gw.route('app')!.inflight === 0, 10_000, 20);
  });
});

test('stop() lets a request in flight finish (within drainMs), then closes', async () => {
  await withGateway({ drainMs: 5000 }, async (port, gw) => {
    hang = true;
    const inflight = request(port, HOST);
    await until('held.length === 1', () => held.length === 1, 10_000, 20);
    const stopping = gw.stop();
    expect(gw.status().state).toBe('stopping');
    held.splice(0).forEach((r) => r.end('finished'));
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.body).toBe('finished');
    await stopping;
    expect(gw.status().state).toBe('stopped');
    await expect(request(port, HOST)).rejects.toThrow(/ECONNREFUSED/);
  });
});
