/**
 * The pooled list bodies: every answer carries its own bytes however many are in flight, a slab
 * is reused only after its response closed (also when the client went away mid-answer), and the
 * pool never holds more slabs than its bound.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyPool } from '../src/api';

const pool = new BodyPool({ slabBytes: 64 * 1024, maxSlabs: 8 });
let app: FastifyInstance;
let port: number;
/** Holds answers of /slow until released, so several slabs are in use at once. */
let release: () => void = () => undefined;
let held = new Promise<void>((r) => (release = r));
/** Requests of /slow waiting on `held`; `arrived(n)` resolves once n are. */
let waitingNow = 0;
let lastWaiting: http.ServerResponse | undefined;
let onArrive = (): void => undefined;
const arrived = (n: number) => new Promise<void>((r) => (onArrive = () => waitingNow >= n && r()));

/** The body of /answer?i=N: N's digits repeated to about 40 KB, so any mix-up between answers shows. */
const expected = (i: number): string => `[${Array.from({ length: 4000 }, () => `"${i}"`).join(',')}]`;
const parts = (i: number): Buffer[] => [
  Buffer.from('['),
  ...Array.from({ length: 4000 }, (_, k) => Buffer.from(`${k ? ',' : ''}"${i}"`)),
  Buffer.from(']'),
];

beforeAll(async () => {
  app = Fastify();
  app.get<{ Querystring: { i: string } }>('/answer', async (req, reply) =>
    pool.send(reply.type('application/json'), parts(Number(req.query.i))),
  );
  app.get<{ Querystring: { i: string } }>('/slow', async (req, reply) => {
    waitingNow++;
    lastWaiting = reply.raw;
    onArrive();
    await held;
    waitingNow--;
    return pool.send(reply, parts(Number(req.query.i)));
  });
  app.get('/big', async (_req, reply) => pool.send(reply, [Buffer.alloc(100 * 1024, 'x')]));
  app.get<{ Querystring: { n: string } }>('/array', async (req, reply) =>
    pool.sendJsonArray(
      reply.type('application/json'),
      Array.from({ length: Number(req.query.n) }, (_, k) => Buffer.from(JSON.stringify({ k, s: 'x'.repeat(k % 50) }))),
    ),
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app.close());

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
      })
      .on('error', reject);
  });
}

test('concurrent answers each get their own bytes, and slabs are reused', async () => {
  const round = () => Promise.all(Array.from({ length: 40 }, (_, i) => get(`/answer?i=${i}`)));
  for (const [i, r] of (await round()).entries()) expect(r).toEqual({ status: 200, body: expected(i) });
  const slabs = pool.slabs;
  expect(slabs).toBeGreaterThan(0);
  expect(slabs).toBeLessThanOrEqual(8);
  for (const [i, r] of (await round()).entries()) expect(r).toEqual({ status: 200, body: expected(i) });
  expect(pool.slabs).toBeLessThanOrEqual(8);
});

test('past its bound and above its slab size an answer gets a buffer of its own', async () => {
  const all = arrived(12);
  const waiting = Array.from({ length: 12 }, (_, i) => get(`/slow?i=${i}`));
  await all;
  release();
  for (const [i, r] of (await Promise.all(waiting)).entries()) expect(r.body).toBe(expected(i));
  expect(pool.slabs).toBe(8);
  const big = await get('/big');
  expect(big.body).toBe('x'.repeat(100 * 1024));
});

test('a client that goes away mid-answer gives its slab back', async () => {
  held = new Promise<void>((r) => (release = r));
  const before = pool.slabs;
  const one = arrived(1);
  const req = http.get({ host: '127.0.0.1', port, path: '/slow?i=7', agent: false });
  req.on('error', () => undefined);
  await one;
  req.destroy();
  // The server has seen the client go before the answer is written.
  await new Promise((r) => (lastWaiting!.closed ? r(undefined) : lastWaiting!.once('close', r)));
  release();
  // Many answers after it: if the aborted one kept its slab forever, and others did too, the pool would run dry.
  for (let k = 0; k < 5; k++) {
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => get(`/answer?i=${i + k}`)));
    for (const [i, r] of rs.entries()) expect(r.body).toBe(expected(i + k));
  }
  expect(pool.slabs).toBe(before);
  expect(pool.free).toBe(pool.slabs);
});

test('a JSON array joined into a slab (or its own buffer when larger) is the elements with commas between', async () => {
  for (const n of [0, 1, 2, 500, 3000]) {
    const r = await get(`/array?n=${n}`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual(Array.from({ length: n }, (_, k) => ({ k, s: 'x'.repeat(k % 50) })));
  }
  expect(pool.slabs).toBeLessThanOrEqual(8);
});
