/**
 * The gateway's own backend client (src/gateway/upstream.ts) against hand-written backend
 * answers: chunked bodies split at awkward places, 1xx interim heads, bodies ended by the close,
 * HEAD and 204, malformed answers, keep-alive reuse (within the backend's Keep-Alive timeout),
 * and a pooled connection that went stale.
 */
import net from 'node:net';
import type { Gateway } from '../src/gateway';
import { DOMAIN, request, startBackend, startGateway, type Backend } from './gateway-helpers';

jest.setTimeout(30_000);

/** A scripted piece that closes the backend's side of the connection. */
const CLOSE = '<close>';
type Script = (path: string, nth: number) => string[] | 'drop';

interface RawBackend {
  url: string;
  /** Connections the gateway opened. */
  conns: number;
  close(): Promise<void>;
}

/** A TCP server that reads bodiless requests and writes the scripted pieces, each after a short pause (so they arrive split). */
async function rawBackend(script: Script): Promise<RawBackend> {
  const sockets = new Set<net.Socket>();
  const state = { conns: 0 };
  const server = net.createServer((s) => {
    state.conns++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buf = '';
    let nth = 0;
    // Never rejects: a write on a closed socket goes to its error handler.
    const onData = async (d: Buffer): Promise<void> => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const path = buf.slice(0, buf.indexOf('\r\n')).split(' ')[1]!;
        buf = buf.slice(end + 4);
        const answer = script(path, nth++);
        if (answer === 'drop') return void s.destroy();
        for (const piece of answer) {
          await new Promise((r) => setTimeout(r, 5));
          if (piece === CLOSE) s.end();
          else s.write(piece, 'latin1');
        }
      }
    };
    s.on('data', (d: Buffer) => void onData(d));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get conns() {
      return state.conns;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

let gw: Gateway;
let port: number;
const backends: (RawBackend | Backend)[] = [];

beforeAll(async () => {
  ({ gw, port } = await startGateway());
});

afterAll(async () => {
  await gw?.stop();
  for (const b of backends) await b.close();
});

async function route(name: string, script: Script): Promise<RawBackend> {
  const b = await rawBackend(script);
  backends.push(b);
  gw.addRoute({ name, contractId: 1, backends: [b.url] });
  return b;
}

test('chunked bodies split anywhere (sizes, extensions, CRLFs, trailers) arrive whole', async () => {
  await route('chunks', () => [
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5',
    ';ext=1\r\nhel',
    'lo\r',
    '\n6\r\n world\r\n',
    '0\r\nX-Trailer: t\r',
    '\n\r\n',
  ]);
  const r = await request(port, `chunks.${DOMAIN}`);
  expect(r.status).toBe(200);
  expect(r.body).toBe('hello world');
  // A second request reuses the connection once the trailers were read.
  expect((await request(port, `chunks.${DOMAIN}`)).body).toBe('hello world');
});

test('1xx interim heads are skipped; a body ended by the close is relayed whole', async () => {
  await route('interim', () => [
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n',
    'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
  ]);
  const r = await request(port, `interim.${DOMAIN}`);
  expect(r.status).toBe(201);
  expect(r.body).toBe('ok');
  // HTTP/1.0 without a length: the backend closing its side ends the body.
  await route('closing', () => ['HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ', 'part two', CLOSE]);
  const rc = await request(port, `closing.${DOMAIN}`);
  expect(rc.status).toBe(200);
  expect(rc.body).toBe('part one, part two');
});

test('HEAD and 204 answers have no body, and the connection is reused after them', async () => {
  const b = await route('nobody', (path) =>
    path === '/204'
      ? ['HTTP/1.1 204 No Content\r\n\r\n']
      : ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', ...(path === '/get' ? ['hello'] : [])],
  );
  const h = await request(port, `nobody.${DOMAIN}`, { method: 'HEAD', path: '/head' });
  expect(h.status).toBe(200);
  expect(h.headers['content-length']).toBe('5');
  expect(h.body).toBe('');
  expect((await request(port, `nobody.${DOMAIN}`, { path: '/204' })).status).toBe(204);
  const g = await request(port, `nobody.${DOMAIN}`, { path: '/get' });
  expect(g.body).toBe('hello');
  expect(b.conns).toBe(1);
});

test('a malformed answer is a 502; a pooled connection that went stale is retried once for a safe request', async () => {
  await route('garbage', () => ['SMTP ready\r\n\r\n']);
  expect((await request(port, `garbage.${DOMAIN}`)).status).toBe(502);
  await route('badlen', () => ['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello']);
  expect((await request(port, `badlen.${DOMAIN}`)).status).toBe(502);
  // The second request on a connection is dropped unanswered, as a backend closing an idle keep-alive connection would.
  const stale = await route('stale', (_path, nth) => (nth === 0 ? ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'] : 'drop'));
  expect((await request(port, `stale.${DOMAIN}`)).body).toBe('ok');
  const again = await request(port, `stale.${DOMAIN}`);
  expect(again.status).toBe(200);
  expect(again.body).toBe('ok');
  expect(stale.conns).toBe(2);
  // Not a POST (its body may have been consumed): the pooled connection is dropped again, and that is a 502.
  const p = await request(port, `stale.${DOMAIN}`, { method: 'POST', body: 'x' });
  expect(p.status).toBe(502);
  expect(stale.conns).toBe(2);
});

test("an idle pooled connection is not reused once near the backend's Keep-Alive timeout", async () => {
  const answer = (timeout: number): string[] => [
    `HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${timeout}\r\nContent-Length: 2\r\n\r\nok`,
  ];
  const short = await route('ka-short', () => answer(1));
  const long = await route('ka-long', () => answer(30));
  for (const name of ['ka-short', 'ka-long']) expect((await request(port, `${name}.${DOMAIN}`)).status).toBe(200);
  // Past half of 1 s: a connection the backend may close any moment (a POST sent on it could not be retried).
  await new Promise((r) => setTimeout(r, 700));
  for (const name of ['ka-short', 'ka-long'])
    expect((await request(port, `${name}.${DOMAIN}`, { method: 'POST', body: 'x' })).status).toBe(200);
  expect(short.conns).toBe(2);
  expect(long.conns).toBe(1);
});

test('a chunked request body reaches the backend whole, framed chunked', async () => {
  const b = await startBackend('chunked');
  backends.push(b);
  gw.addRoute({ name: 'upload', contractId: 1, backends: [b.url] });
  const body = Buffer.alloc(300_000, 7);
  const r = await request(port, `upload.${DOMAIN}`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body });
  expect(r.status).toBe(200);
  const seen = JSON.parse(r.body) as { bodyLength: number; headers: Record<string, string> };
  expect(seen.bodyLength).toBe(body.length);
  expect(seen.headers['transfer-encoding']).toBe('chunked');
});

test('past maxSocketsPerBackend, requests wait for a pooled connection instead of opening more', async () => {
  const one = await startGateway({ maxSocketsPerBackend: 1 });
  const b = await rawBackend((path) => ['HTTP/1.1 200 OK\r\nContent-Length: ' + path.length + '\r\n\r\n', path]);
  backends.push(b);
  try {
    one.gw.addRoute({ name: 'queued', contractId: 1, backends: [b.url] });
    const replies = await Promise.all([1, 2, 3, 4, 5].map((i) => request(one.port, `queued.${DOMAIN}`, { path: `/r${i}` })));
    expect(replies.map((r) => r.body)).toEqual(['/r1', '/r2', '/r3', '/r4', '/r5']);
    expect(b.conns).toBe(1);
  } finally {
    await one.gw.stop();
  }
});
