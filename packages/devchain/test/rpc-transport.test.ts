// The JSON-RPC transport over real sockets: HTTP and WebSocket on one ephemeral port.

import { request as httpRequest } from 'node:http';
import { connect as tcpConnect, type Socket } from 'node:net';
import { HttpProvider, WsProvider } from '@polkadot/api';
import { WebSocket } from 'ws';
import {
  RpcError,
  arrayParam,
  boolParam,
  hexParam,
  invalidParams,
  numberParam,
  startRpcServer,
  stringParam,
  type RpcServer,
  type RpcTable,
} from '../src/rpc';

type Json = any; // JSON from the wire, asserted field by field

const MAX_BYTES = 256 * 1024;
const recorded: unknown[] = [];
let teardowns = 0;
let floodTeardowns = 0;
let running = 0;
let peakRunning = 0;

const table: RpcTable = {
  methods: {
    test_echo: (params) => params,
    test_async: async (params) => {
      await new Promise((r) => setTimeout(r, 20));
      return { delayed: params[0] ?? null };
    },
    test_thrower: () => {
      throw new RpcError(1010, 'Invalid Transaction', 'Inability to pay some fees');
    },
    test_crash: () => {
      throw new Error('boom');
    },
    test_bigint: () => 1n,
    test_concurrent: async () => {
      running++;
      peakRunning = Math.max(peakRunning, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return peakRunning;
    },
    test_blob: (params) => 'b'.repeat(numberParam(params, 0, 'size')),
    test_record: (params) => {
      recorded.push(params[0]);
      return null;
    },
    test_validated: (params) => {
      const hash = hexParam(params, 0, 'hash', { bytes: 4 });
      const at = numberParam(params, 1, 'at', { optional: true });
      return { hash, at: at ?? null };
    },
  },
  subscriptions: {
    test_subscribeCounter: {
      notification: 'test_counter',
      unsubscribe: ['test_unsubscribeCounter', 'test_unsubscribeCounterAlias'],
      subscribe(params, emit) {
        const every = numberParam(params, 0, 'intervalMs', { optional: true, min: 1 }) ?? 20;
        let n = 0;
        emit(n++); // synchronously, before the subscription id exists on the wire
        const timer = setInterval(() => emit(n++), every);
        return () => {
          clearInterval(timer);
          teardowns++;
        };
      },
    },
    test_subscribeAsync: {
      notification: 'test_async',
      unsubscribe: ['test_unsubscribeAsync'],
      async subscribe(_params, emit) {
        await new Promise((r) => setTimeout(r, 10));
        emit('first');
        return () => {
          teardowns++;
        };
      },
    },
    test_subscribeFlood: {
      notification: 'test_flood',
      unsubscribe: ['test_unsubscribeFlood'],
      subscribe(_params, emit) {
        const blob = 'f'.repeat(256 * 1024);
        const timer = setInterval(() => emit(blob), 2);
        return () => {
          clearInterval(timer);
          floodTeardowns++;
        };
      },
    },
    test_subscribeStrict: {
      notification: 'test_strict',
      unsubscribe: ['test_unsubscribeStrict'],
      subscribe(params) {
        boolParam(params, 0, 'flag');
        return () => undefined;
      },
    },
  },
};

/** A WebSocket client that keeps every message in arrival order. */
class WsClient {
  readonly messages: Json[] = [];
  readonly closed: Promise<number>;
  #waiters: Array<() => void> = [];
  #nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString()));
      for (const w of this.#waiters) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static open(url: string): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new WsClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
    });
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  async call(method: string, params?: unknown): Promise<Json> {
    const id = this.#nextId++;
    this.send(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params });
    return this.waitFor((m) => m.id === id);
  }

  waitFor(pred: (m: Json) => boolean, timeoutMs = 3000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.messages.find(pred);
        if (found === undefined) return false;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(found);
        return true;
      };
      const waiter = (): void => void check();
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      if (!check()) this.#waiters.push(waiter);
    });
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}

async function waitUntil(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let server: RpcServer;
const clients: WsClient[] = [];

async function ws(): Promise<WsClient> {
  const c = await WsClient.open(server.url);
  clients.push(c);
  return c;
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.httpUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function postJson(body: unknown): Promise<Json> {
  const res = await post(body);
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  server = await startRpcServer({
    port: 0,
    table,
    maxRequestBytes: MAX_BYTES,
    httpRoutes: {
      '/metrics': (_req, res) => {
        res.setHeader('Content-Type', 'text/plain');
        res.end('devchain_up 1\n');
      },
    },
  });
});

afterAll(async () => {
  for (const c of clients) c.ws.terminate();
  await server.close();
});

describe('startRpcServer', () => {
  test('listens on an ephemeral port and reports both URLs', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`ws://127.0.0.1:${server.port}`);
    expect(server.httpUrl).toBe(`http://127.0.0.1:${server.port}`);
  });
});

describe('JSON-RPC over HTTP', () => {
  test('a single request keeps its id and answers the result', async () => {
    expect(await postJson({ jsonrpc: '2.0', id: 7, method: 'test_echo', params: [1, 'a'] })).toEqual({
      jsonrpc: '2.0',
      result: [1, 'a'],
      id: 7,
    });
    expect(await postJson({ jsonrpc: '2.0', id: 'abc', method: 'test_echo' })).toEqual({ jsonrpc: '2.0', result: [], id: 'abc' });
    expect(await postJson({ jsonrpc: '2.0', id: 0, method: 'test_async', params: ['x'] })).toEqual({
      jsonrpc: '2.0',
      result: { delayed: 'x' },
      id: 0,
    });
    expect(await postJson({ jsonrpc: '2.0', id: null, method: 'test_echo', params: [] })).toEqual({ jsonrpc: '2.0', result: [], id: null });
  });

  test('a batch answers in an array without the notifications', async () => {
    const reply = await postJson([
      { jsonrpc: '2.0', id: 1, method: 'test_echo', params: [1] },
      { jsonrpc: '2.0', method: 'test_record', params: ['in-batch'] },
      { jsonrpc: '2.0', id: 2, method: 'test_async', params: [2] },
      { jsonrpc: '2.0', id: 3, method: 'nope' },
    ]);
    expect(reply).toHaveLength(3);
    expect(reply).toEqual(
      expect.arrayContaining([
        { jsonrpc: '2.0', result: [1], id: 1 },
        { jsonrpc: '2.0', result: { delayed: 2 }, id: 2 },
        { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 3 },
      ]),
    );
    expect(recorded).toContain('in-batch');
  });

  test('a notification runs but gets no answer; so does an all-notification batch', async () => {
    const single = await post({ jsonrpc: '2.0', method: 'test_record', params: ['note-1'] });
    expect(single.status).toBe(204);
    expect(await single.text()).toBe('');
    const batch = await post([
      { jsonrpc: '2.0', method: 'test_record', params: ['note-2'] },
      { jsonrpc: '2.0', method: 'unknown_method' },
    ]);
    expect(batch.status).toBe(204);
    expect(await batch.text()).toBe('');
    expect(recorded).toEqual(expect.arrayContaining(['note-1', 'note-2']));
  });

  test('parse error: -32700 with id null', async () => {
    expect(await postJson('{"jsonrpc":"2.0","id":1,"method":')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    });
  });

  test('invalid requests: -32600', async () => {
    const bad = (m: Json) => expect(m.error.code).toBe(-32600);
    const v1 = await postJson({ jsonrpc: '1.0', id: 4, method: 'test_echo' });
    bad(v1);
    expect(v1.id).toBe(4);
    bad(await postJson({ jsonrpc: '2.0', id: 5, method: 42 }));
    const weirdId = await postJson({ jsonrpc: '2.0', id: { a: 1 }, method: 'test_echo' });
    bad(weirdId);
    expect(weirdId.id).toBeNull();
    const scalar = await postJson(42);
    bad(scalar);
    expect(scalar.id).toBeNull();
    bad(await postJson({ jsonrpc: '2.0', id: 6, method: 'test_echo', params: 'x' }));
    // An empty batch is one error object, not an array.
    const empty = await postJson([]);
    expect(Array.isArray(empty)).toBe(false);
    bad(empty);
    // A batch of non-objects answers one error per entry.
    const junk = await postJson([1, 'two']);
    expect(junk).toHaveLength(2);
    junk.forEach(bad);
  });

  test('unknown method: -32601 Method not found', async () => {
    expect(await postJson({ jsonrpc: '2.0', id: 1, method: 'nope_nothing' })).toEqual({
      jsonrpc: '2.0',
      error: { code: -32601, message: 'Method not found' },
      id: 1,
    });
    // Prototype names are not methods.
    expect((await postJson({ jsonrpc: '2.0', id: 2, method: 'constructor' })).error.code).toBe(-32601);
  });

  test('invalid params: object params and failed validators answer -32602', async () => {
    expect(await postJson({ jsonrpc: '2.0', id: 1, method: 'test_echo', params: { a: 1 } })).toEqual({
      jsonrpc: '2.0',
      error: { code: -32602, message: 'Invalid params: expected an array' },
      id: 1,
    });
    const short = await postJson({ jsonrpc: '2.0', id: 2, method: 'test_validated', params: ['0x0102'] });
    expect(short.error).toEqual({ code: -32602, message: 'Invalid params: hash must be 4 bytes, got 2' });
    const ok = await postJson({ jsonrpc: '2.0', id: 3, method: 'test_validated', params: ['0x01020304', '0x10'] });
    expect(ok.result).toEqual({ hash: '0x01020304', at: 16 });
  });

  test('RpcError passes through with code, message and data; other errors become -32603', async () => {
    expect(await postJson({ jsonrpc: '2.0', id: 1, method: 'test_thrower' })).toEqual({
      jsonrpc: '2.0',
      error: { code: 1010, message: 'Invalid Transaction', data: 'Inability to pay some fees' },
      id: 1,
    });
    expect(await postJson({ jsonrpc: '2.0', id: 2, method: 'test_crash' })).toEqual({
      jsonrpc: '2.0',
      error: { code: -32603, message: 'Internal error', data: 'boom' },
      id: 2,
    });
    const big = await postJson({ jsonrpc: '2.0', id: 3, method: 'test_bigint' });
    expect(big.error.code).toBe(-32603);
  });

  test('rpc_methods lists every method, subscription and unsubscribe name, sorted', async () => {
    const { result } = await postJson({ jsonrpc: '2.0', id: 1, method: 'rpc_methods', params: [] });
    const expected = [
      ...Object.keys(table.methods),
      ...Object.keys(table.subscriptions),
      ...Object.values(table.subscriptions).flatMap((s) => s.unsubscribe),
      'rpc_methods',
    ].sort();
    expect(result).toEqual({ methods: expected });
  });

  test('subscriptions are refused over HTTP', async () => {
    const sub = await postJson({ jsonrpc: '2.0', id: 1, method: 'test_subscribeCounter', params: [] });
    expect(sub.error.code).toBe(-32601);
    expect(sub.error.message).toMatch(/WebSocket/);
    const unsub = await postJson({ jsonrpc: '2.0', id: 2, method: 'test_unsubscribeCounter', params: ['abc'] });
    expect(unsub.error.code).toBe(-32601);
  });

  test('an oversized body gets 413 and the server keeps serving', async () => {
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echo', params: ['x'.repeat(MAX_BYTES)] });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(((await res.json()) as Json).error.message).toBe('Request is too big');
    expect((await postJson({ jsonrpc: '2.0', id: 2, method: 'test_echo', params: [2] })).result).toEqual([2]);
  });

  test('an oversized chunked body (no Content-Length) is cut off at the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(server.httpUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      req.write('{"jsonrpc":"2.0","id":1,"method":"test_echo","params":["');
      for (let i = 0; i < 6; i++) req.write(chunk);
      req.end('"]}');
    });
    expect(status).toBe(413);
    expect((await postJson({ jsonrpc: '2.0', id: 3, method: 'test_echo', params: [3] })).result).toEqual([3]);
  });

  test('a non-JSON content type gets 415', async () => {
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'test_echo' }, { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  test('CORS: OPTIONS preflight and Access-Control-Allow-Origin on answers', async () => {
    const pre = await fetch(server.httpUrl, {
      method: 'OPTIONS',
      headers: { Origin: 'https://example.org', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type');
    const res = await post({ jsonrpc: '2.0', id: 1, method: 'test_echo' }, { Origin: 'https://example.org' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('GET /health answers like Substrate; extra routes are served; other GETs are refused', async () => {
    const health = await fetch(`${server.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ isSyncing: false, peers: 0, shouldHavePeers: false });
    const metrics = await fetch(`${server.httpUrl}/metrics`);
    expect(await metrics.text()).toBe('devchain_up 1\n');
    const root = await fetch(server.httpUrl);
    expect(root.status).toBe(405);
    expect(await root.text()).toMatch(/POST/);
    expect((await fetch(`${server.httpUrl}/nothing-here`)).status).toBe(404);
    expect((await fetch(server.httpUrl, { method: 'PUT', body: '{}' })).status).toBe(405);
  });
});

describe('JSON-RPC over WebSocket', () => {
  test('single, batch and notification', async () => {
    const c = await ws();
    expect(await c.call('test_echo', ['hi'])).toEqual({ jsonrpc: '2.0', result: ['hi'], id: 1 });
    expect((await c.call('test_async', [5])).result).toEqual({ delayed: 5 });
    c.send([
      { jsonrpc: '2.0', id: 'b1', method: 'test_echo', params: [1] },
      { jsonrpc: '2.0', method: 'test_record', params: ['ws-note'] },
      { jsonrpc: '2.0', id: 'b2', method: 'test_thrower' },
    ]);
    const batch = await c.waitFor((m) => Array.isArray(m));
    expect(batch).toHaveLength(2);
    expect(batch.find((m: Json) => m.id === 'b1').result).toEqual([1]);
    expect(batch.find((m: Json) => m.id === 'b2').error.code).toBe(1010);
    expect(recorded).toContain('ws-note');
    // Nothing more arrives for the notification: the next reply is the only new message.
    const before = c.messages.length;
    c.send({ jsonrpc: '2.0', method: 'test_record', params: ['ws-note-2'] });
    await c.call('test_echo', []);
    expect(c.messages.length).toBe(before + 1);
  });

  test('errors have the same shapes as over HTTP', async () => {
    const c = await ws();
    expect((await c.call('nope')).error).toEqual({ code: -32601, message: 'Method not found' });
    expect((await c.call('test_echo', { a: 1 })).error.code).toBe(-32602);
    expect((await c.call('test_crash')).error).toEqual({ code: -32603, message: 'Internal error', data: 'boom' });
    c.send('{not json');
    const parse = await c.waitFor((m) => m.error?.code === -32700);
    expect(parse.id).toBeNull();
  });

  test('subscribe: the id reply precedes every notification; unsubscribe answers true, then false', async () => {
    const c = await ws();
    const reply = await c.call('test_subscribeCounter', [10]);
    const subId = reply.result;
    expect(subId).toMatch(/^[1-9A-HJ-NP-Za-km-z]{16}$/);
    const third = await c.waitFor((m) => m.params?.subscription === subId && m.params.result === 2);
    expect(third).toEqual({ jsonrpc: '2.0', method: 'test_counter', params: { subscription: subId, result: 2 } });
    const order = c.messages.filter((m) => m.id === reply.id || m.params?.subscription === subId);
    expect(order[0]).toBe(reply); // the synchronous first emit was held back until the reply
    expect(order.slice(1, 4).map((m) => m.params.result)).toEqual([0, 1, 2]);

    const torn = teardowns;
    expect((await c.call('test_unsubscribeCounter', [subId])).result).toBe(true);
    expect(teardowns).toBe(torn + 1);
    expect((await c.call('test_unsubscribeCounter', [subId])).result).toBe(false);
    expect((await c.call('test_unsubscribeCounter', ['unknownSubId1234'])).result).toBe(false);
    // No notifications after the unsubscribe reply.
    const count = c.messages.filter((m) => m.params?.subscription === subId).length;
    await new Promise((r) => setTimeout(r, 50));
    expect(c.messages.filter((m) => m.params?.subscription === subId).length).toBe(count);
  });

  test('any listed unsubscribe alias works; another kind of unsubscribe does not; ids are per connection', async () => {
    const a = await ws();
    const b = await ws();
    const subId = (await a.call('test_subscribeCounter', [1000])).result;
    expect((await b.call('test_unsubscribeCounterAlias', [subId])).result).toBe(false);
    expect((await a.call('test_unsubscribeAsync', [subId])).result).toBe(false);
    expect((await a.call('test_unsubscribeCounterAlias', [subId])).result).toBe(true);
    expect((await a.call('test_unsubscribeCounter', [])).error.code).toBe(-32602);
  });

  test('an async subscription and a subscription inside a batch also reply first', async () => {
    const c = await ws();
    const reply = await c.call('test_subscribeAsync', []);
    const first = await c.waitFor((m) => m.method === 'test_async' && m.params.subscription === reply.result);
    expect(c.messages.indexOf(reply)).toBeLessThan(c.messages.indexOf(first));
    expect(first.params.result).toBe('first');

    c.send([{ jsonrpc: '2.0', id: 'sub-in-batch', method: 'test_subscribeCounter', params: [1000] }]);
    const batch = await c.waitFor((m) => Array.isArray(m) && m[0].id === 'sub-in-batch');
    const id = batch[0].result;
    const zero = await c.waitFor((m) => m.params?.subscription === id);
    expect(c.messages.indexOf(batch)).toBeLessThan(c.messages.indexOf(zero));
  });

  test('a subscription with bad params answers -32602 and is not opened', async () => {
    const c = await ws();
    const reply = await c.call('test_subscribeStrict', ['yes']);
    expect(reply.error).toEqual({ code: -32602, message: 'Invalid params: flag must be a boolean' });
  });

  test('closing the socket tears down all its subscriptions', async () => {
    const c = await WsClient.open(server.url);
    await c.call('test_subscribeCounter', [1000]);
    await c.call('test_subscribeCounter', [1000]);
    await c.call('test_subscribeAsync', []);
    const torn = teardowns;
    await c.close();
    await waitUntil(() => teardowns === torn + 3);
    expect(teardowns).toBe(torn + 3);
  });

  test('an oversized message closes the socket with 1009; the server keeps serving', async () => {
    const c = await ws();
    c.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echo', params: ['x'.repeat(MAX_BYTES)] }));
    expect(await c.closed).toBe(1009);
    const d = await ws();
    expect((await d.call('test_echo', ['still here'])).result).toEqual(['still here']);
  });

  test('garbage does not crash the server', async () => {
    const c = await ws();
    c.ws.send(Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x7b]));
    c.send('');
    c.send('[[[[');
    c.send('null');
    await c.waitFor((m) => m.error?.code === -32600); // the 'null'
    expect(c.messages.filter((m) => m.error?.code === -32700).length).toBe(3);
    expect((await c.call('test_echo', ['alive'])).result).toEqual(['alive']);

    // Raw non-HTTP bytes on the port, and a broken WebSocket handshake.
    await new Promise<void>((resolve) => {
      const sock = tcpConnect(server.port, '127.0.0.1', () => sock.end(Buffer.from([0, 1, 2, 3, 255, 13, 10, 13, 10])));
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
      sock.resume();
    });
    await new Promise<void>((resolve) => {
      const sock = tcpConnect(server.port, '127.0.0.1', () =>
        sock.end('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: bad\r\n\r\n'),
      );
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
      sock.resume();
    });
    expect((await postJson({ jsonrpc: '2.0', id: 9, method: 'test_echo', params: [9] })).result).toEqual([9]);
    expect((await c.call('test_echo', ['still alive'])).result).toEqual(['still alive']);
  });
});

describe('@polkadot/api providers, unmodified', () => {
  test('WsProvider sends, subscribes and unsubscribes', async () => {
    const provider = new WsProvider(server.url, false);
    try {
      await provider.connect();
      await provider.isReady;
      expect(await provider.send('test_echo', ['pjs'])).toEqual(['pjs']);
      await expect(provider.send('test_thrower', [])).rejects.toThrow(/1010: Invalid Transaction/);
      const seen: unknown[] = [];
      const subId = await provider.subscribe('test_counter', 'test_subscribeCounter', [5], (err: Error | null, result: unknown) => {
        if (!err) seen.push(result);
      });
      await waitUntil(() => seen.length >= 3);
      expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
      expect(await provider.unsubscribe('test_counter', 'test_unsubscribeCounter', subId)).toBe(true);
    } finally {
      await provider.disconnect();
    }
  });

  test('HttpProvider sends', async () => {
    const provider = new HttpProvider(server.httpUrl);
    expect(await provider.send('test_echo', [42])).toEqual([42]);
    await expect(provider.send('nope_nothing', [])).rejects.toThrow(/-32601: Method not found/);
  });
});

describe('limits and shutdown', () => {
  test('connections over maxConnections are refused with 503', async () => {
    const small = await startRpcServer({ port: 0, table, maxConnections: 1 });
    const first = await WsClient.open(small.url);
    const status = await new Promise<number>((resolve) => {
      const second = new WebSocket(small.url);
      second.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      second.on('error', () => undefined);
    });
    expect(status).toBe(503);
    expect((await first.call('test_echo', [1])).result).toEqual([1]);
    await small.close();
  });

  test('a client that stops reading is closed once its send buffer passes maxBufferedBytes', async () => {
    const other = await startRpcServer({ port: 0, table, maxBufferedBytes: 1024 * 1024 });
    const c = await WsClient.open(other.url);
    expect(typeof (await c.call('test_subscribeFlood', [])).result).toBe('string');
    // Stop reading at the TCP level: the server's queue grows until it gives up on us.
    (c.ws as unknown as { _socket: Socket })._socket.pause();
    await waitUntil(() => floodTeardowns === 1, 10_000);
    expect(floodTeardowns).toBe(1);
    c.ws.terminate();
    await other.close();
  });

  test('one WS connection has at most maxInFlightPerConnection messages handled at once; the rest wait unread', async () => {
    const other = await startRpcServer({ port: 0, table, maxInFlightPerConnection: 4 });
    const c = await WsClient.open(other.url);
    peakRunning = 0;
    const replies = await Promise.all(Array.from({ length: 40 }, () => c.call('test_concurrent')));
    expect(replies.every((r) => typeof r.result === 'number')).toBe(true);
    expect(peakRunning).toBe(4);
    await c.close();
    await other.close();
  });

  test('batches over maxBatchLength calls or maxResponseBytes of replies get one error; one reply over it gets -32008', async () => {
    const other = await startRpcServer({ port: 0, table, maxBatchLength: 3, maxResponseBytes: 10_000 });
    const body = (n: number, method: string, params: unknown[]): string =>
      JSON.stringify(Array.from({ length: n }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method, params })));
    const postTo = async (text: string): Promise<Json> =>
      (await fetch(other.httpUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text })).json();
    expect(await postTo(body(4, 'test_echo', [1]))).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: {
        code: -32010,
        message: 'The batch request was too large',
        data: 'Exceeded max limit of 3 calls (--rpc-max-batch-request-len), got 4',
      },
    });
    expect(await postTo(body(3, 'test_echo', [1]))).toHaveLength(3);
    expect(await postTo(body(3, 'test_blob', [3000]))).toHaveLength(3);
    expect((await postTo(body(3, 'test_blob', [4000]))).error).toMatchObject({ code: -32011, message: 'The batch response was too large' });
    const single = await postTo(JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'test_blob', params: [20_000] }));
    expect(single).toMatchObject({ id: 'big', error: { code: -32008, message: 'Response is too big' } });
    // A subscription opened by a batch refused for its size is closed again.
    const c = await WsClient.open(other.url);
    const torn = teardowns;
    c.send([
      { jsonrpc: '2.0', id: 1, method: 'test_subscribeCounter', params: [5] },
      ...Array.from({ length: 2 }, (_, i) => ({ jsonrpc: '2.0', id: i + 2, method: 'test_blob', params: [6000] })),
    ]);
    expect((await c.waitFor((m) => m.error?.code === -32011)).id).toBeNull();
    expect(teardowns).toBe(torn + 1);
    await c.close();
    await other.close();
  });

  test('close() tears down subscriptions, closes sockets with 1001 and stops listening', async () => {
    const other = await startRpcServer({ port: 0, table });
    const c = await WsClient.open(other.url);
    await c.call('test_subscribeCounter', [1000]);
    const torn = teardowns;
    await other.close();
    expect(teardowns).toBe(torn + 1);
    expect(await c.closed).toBe(1001);
    await expect(fetch(`${other.httpUrl}/health`)).rejects.toThrow();
  });
});

describe('param validators', () => {
  const code = (fn: () => unknown): number | undefined => {
    try {
      fn();
    } catch (err) {
      return err instanceof RpcError ? err.code : undefined;
    }
    return undefined;
  };

  test('hexParam', () => {
    expect(hexParam(['0xABcd'], 0, 'data')).toBe('0xABcd');
    expect(hexParam(['0x'], 0, 'data')).toBe('0x');
    expect(hexParam([null], 0, 'data', { optional: true })).toBeUndefined();
    expect(hexParam([], 0, 'data', { optional: true })).toBeUndefined();
    expect(() => hexParam(['0xabc'], 0, 'data')).toThrow('Invalid params: data must be 0x-prefixed hex of even length');
    expect(() => hexParam(['abcd'], 0, 'data')).toThrow(/data/);
    expect(() => hexParam([], 0, 'data')).toThrow('Invalid params: missing data (param 0)');
    expect(() => hexParam(['0x00'], 0, 'hash', { bytes: 32 })).toThrow('Invalid params: hash must be 32 bytes, got 1');
    expect(code(() => hexParam([1], 0, 'data'))).toBe(-32602);
  });

  test('numberParam accepts numbers and hex, as Substrate', () => {
    expect(numberParam([12], 0, 'n')).toBe(12);
    expect(numberParam(['0x10'], 0, 'n')).toBe(16);
    expect(numberParam([undefined], 0, 'n', { optional: true })).toBeUndefined();
    expect(() => numberParam([-1], 0, 'n')).toThrow('Invalid params: n must be >= 0');
    expect(() => numberParam([0], 0, 'n', { min: 1 })).toThrow('Invalid params: n must be >= 1');
    expect(() => numberParam([1.5], 0, 'n')).toThrow(/n must be an integer/);
    expect(() => numberParam(['0x' + 'f'.repeat(20)], 0, 'n')).toThrow(/n must be an integer/);
    expect(() => numberParam(['12'], 0, 'n')).toThrow('Invalid params: n must be a number or 0x-prefixed hex');
  });

  test('boolParam, stringParam, arrayParam', () => {
    expect(boolParam([false], 0, 'b')).toBe(false);
    expect(() => boolParam(['true'], 0, 'b')).toThrow('Invalid params: b must be a boolean');
    expect(stringParam(['s'], 0, 's')).toBe('s');
    expect(stringParam([], 0, 's', { optional: true })).toBeUndefined();
    expect(() => stringParam([1], 0, 's')).toThrow('Invalid params: s must be a string');
    expect(arrayParam([[1, 2]], 0, 'keys')).toEqual([1, 2]);
    expect(() => arrayParam([{}], 0, 'keys')).toThrow('Invalid params: keys must be an array');
    expect(invalidParams('x').message).toBe('Invalid params: x');
  });
});
