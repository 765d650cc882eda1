/** Shared pieces of the gateway tests: backends, a gateway on loopback, raw and plain requests, a minimal WebSocket. */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Gateway, type GatewayLimits, type GatewayOptions } from '../src/gateway';
export { until } from '@tfgrid/testkit';

export const DOMAIN = 'gw.test';
export const silent = pino({ level: 'silent' });

export interface Backend {
  server: http.Server;
  port: number;
  url: string;
  id: string;
  close(): Promise<void>;
}

/** An HTTP server answering JSON {backend, method, url, headers, bodyLength}, or with `handler`. */
export async function startBackend(id: string, handler?: http.RequestListener, port = 0): Promise<Backend> {
  const server = http.createServer(
    handler ??
      ((req, res) => {
        let n = 0;
        req.on('data', (c: Buffer) => (n += c.length));
        req.on('end', () => {
          const body = JSON.stringify({ backend: id, method: req.method, url: req.url, headers: req.headers, bodyLength: n });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      }),
  );
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const p = (server.address() as net.AddressInfo).port;
  return {
    server,
    port: p,
    url: `http://127.0.0.1:${p}`,
    id,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export async function startGateway(
  limits: Partial<GatewayLimits> = {},
  o: Partial<GatewayOptions> = {},
): Promise<{ gw: Gateway; port: number; registry: Registry }> {
  const registry = new Registry();
  const gw = new Gateway({
    logger: silent,
    httpAddress: '127.0.0.1:0',
    domain: DOMAIN,
    registry,
    allowLocalBackends: true,
    limits: { healthIntervalMs: 0, ...limits },
    ...o,
  });
  await gw.start();
  return { gw, port: Number(gw.status().http!.split(':').pop()), registry };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes the client socket wrote and read for this exchange. */
  sent: number;
  received: number;
}

/** One request on a fresh connection (no pooling: byte counts and limits stay per test). */
export function request(
  port: number,
  host: string,
  o: { method?: string; path?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path ?? '/', headers: { host, ...o.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        const s = res.socket; // null once the connection closed
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            sent: s.bytesWritten,
            received: s.bytesRead,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Writes raw bytes, answers everything read until the server closes (or `ms` passes). */
export function raw(port: number, text: string | Buffer, ms = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const t = setTimeout(() => s.destroy(), ms);
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks).toString());
    });
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    s.write(text);
  });
}

// ---- a minimal WebSocket (RFC 6455): handshake and small text frames only ----

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const acceptOf = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

/** A text frame; clients must mask, servers must not. Payloads < 126 bytes. */
export function frame(text: string, masked: boolean): Buffer {
  const p = Buffer.from(text);
  if (!masked) return Buffer.concat([Buffer.from([0x81, p.length]), p]);
  const mask = randomBytes(4);
  const out = Buffer.alloc(p.length);
  for (let i = 0; i < p.length; i++) out[i] = p[i]! ^ mask[i % 4]!;
  return Buffer.concat([Buffer.from([0x81, 0x80 | p.length]), mask, out]);
}

/** Reads one small text frame (masked or not) from the start of `b`. */
export function unframe(b: Buffer): string | undefined {
  if (b.length < 2) return undefined;
  const len = b[1]! & 0x7f;
  const masked = (b[1]! & 0x80) !== 0;
  const off = masked ? 6 : 2;
  if (b.length < off + len) return undefined;
  const p = Buffer.from(b.subarray(off, off + len));
  if (masked) for (let i = 0; i < len; i++) p[i] = p[i]! ^ b[2 + (i % 4)]!;
  return p.toString();
}

/** Makes `server` a WebSocket echo: answers each text frame with "echo:<text>". */
export function wsEcho(server: http.Server): void {
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    const key = req.headers['sec-websocket-key'] as string;
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptOf(key)}\r\nX-Seen-Forwarded-For: ${String(req.headers['x-forwarded-for'])}\r\n\r\n`,
    );
    socket.on('data', (d: Buffer) => {
      const t = unframe(d);
      if (t !== undefined) socket.write(frame(`echo:${t}`, false));
    });
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.end()); // http servers allow half-open sockets: close ours too
  });
}

/** Opens a WebSocket through the gateway, sends `text`, answers the 101 headers and the first frame back. */
export function wsRoundTrip(
  port: number,
  host: string,
  text: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; reply: string }> {
  return new Promise((resolve, reject) => {
    const key = randomBytes(16).toString('base64');
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: '/ws',
      agent: false,
      headers: { host, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
    });
    req.on('upgrade', (res, socket: net.Socket) => {
      if (res.headers['sec-websocket-accept'] !== acceptOf(key)) return reject(new Error('bad Sec-WebSocket-Accept'));
      let buf = Buffer.alloc(0);
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const t = unframe(buf);
        if (t !== undefined) {
          socket.destroy();
          resolve({ status: res.statusCode!, headers: res.headers, reply: t });
        }
      });
      socket.write(frame(text, true));
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode!, headers: res.headers, reply: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Request texts each hiding `GET /smuggled` where one reading of the framing sees a second request (Host `H`). */
export function smugglingForms(H: string): [string, string][] {
  return [
    [
      'CL and TE',
      `POST /clte HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2c\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n\r\n0\r\n\r\n`,
    ],
    [
      'TE and CL',
      `POST /tecl HTTP/1.1\r\nHost: ${H}\r\nTransfer-Encoding: chunked\r\nContent-Length: 48\r\nConnection: close\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
    ],
    [
      'duplicate Content-Length',
      `POST /dupcl HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 0\r\nContent-Length: 40\r\nConnection: close\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
    ],
    [
      'Content-Length list',
      `POST /listcl HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 0, 40\r\nConnection: close\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
    ],
    [
      'obs-fold Transfer-Encoding',
      `POST /fold HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 40\r\nTransfer-Encoding: identity\r\n chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
    ],
    [
      'obs-fold Transfer-Encoding with an empty first line',
      `POST /fold0 HTTP/1.1\r\nHost: ${H}\r\nTransfer-Encoding:\r\n chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
    ],
    ['obs-fold header', `GET /fold2 HTTP/1.1\r\nHost: ${H}\r\nX-A: a\r\n GET /smuggled HTTP/1.1\r\nConnection: close\r\n\r\n`],
    ['bare LF', `POST /lf HTTP/1.1\nHost: ${H}\nContent-Length: 40\nConnection: close\n\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`],
    [
      'bare LF inside a header',
      `GET /lf2 HTTP/1.1\r\nHost: ${H}\r\nX-A: a\nContent-Length: 40\r\nConnection: close\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: ${H}\r\n\r\n`,
    ],
    ['duplicate identical Host', `GET /duphost HTTP/1.1\r\nHost: ${H}\r\nHost: ${H}\r\nConnection: close\r\n\r\n`],
    ['duplicate different Host', `GET /duphost2 HTTP/1.1\r\nHost: ${H}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`],
  ];
}
