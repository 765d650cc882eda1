/**
 * WebSocket pass-through: the upgrade request goes through the same edge checks as any request,
 * then to a backend on a fresh (unpooled) connection; on 101 both sockets are piped both ways
 * until either side closes or the tunnel idles out. Other upgrade protocols are refused.
 */
import http, { STATUS_CODES, type IncomingMessage } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { tryOrder, type Backend } from './backends';
import { admitRequest, BODY, ConnectTimeout, isRefusal, markDown, markUp, type EdgeContext } from './edge';
import { hostOf, requestHeaders, responseHeaders } from './headers';
import { connectVia } from './relay-client';
import type { Route } from './routes';
import { socketDelta } from './usage';

/** A whole HTTP/1.1 answer written straight to a socket, which is then closed. */
export function writeRaw(socket: Duplex, status: number, body: string, headers: Record<string, string> = {}): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const b = `${body}\n`;
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(b)}\r\nCache-Control: no-store\r\nConnection: close\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  socket.end(`${head}\r\n${b}`);
}

function rawHead(status: number, message: string | undefined, headers: string[]): string {
  let s = `HTTP/1.1 ${status} ${message || STATUS_CODES[status] || ''}\r\n`;
  for (let i = 0; i < headers.length; i += 2) s += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${s}\r\n`;
}

export class UpgradeProxy {
  readonly #ctx: EdgeContext;

  constructor(ctx: EdgeContext) {
    this.#ctx = ctx;
  }

  handle(req: IncomingMessage, socket: Duplex, head: Buffer, proto: 'http' | 'https'): void {
    const ctx = this.#ctx;
    socket.on('error', () => socket.destroy());
    const r = admitRequest(ctx, req);
    if (isRefusal(r)) {
      ctx.metrics.reject(r.route?.name ?? '', r.reason);
      return writeRaw(socket, r.status, r.body, r.headers);
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      ctx.metrics.reject(r.name, 'upgrade_refused');
      return writeRaw(socket, 400, BODY[400]);
    }
    new Tunnel(ctx, r, req, socket as net.Socket, head, proto).open();
  }
}

class Tunnel {
  readonly #ctx: EdgeContext;
  readonly #route: Route;
  readonly #req: IncomingMessage;
  readonly #socket: net.Socket;
  readonly #head: Buffer;
  readonly #headers: string[];
  readonly #order: Backend[];
  #settled = false;
  #open = false;

  constructor(ctx: EdgeContext, route: Route, req: IncomingMessage, socket: net.Socket, head: Buffer, proto: 'http' | 'https') {
    this.#ctx = ctx;
    this.#route = route;
    this.#req = req;
    this.#socket = socket;
    this.#head = head;
    this.#headers = requestHeaders(req.rawHeaders, {
      clientIp: socket.remoteAddress ?? '',
      proto,
      host: hostOf(req.headers.host) ?? '',
      websocket: true,
    });
    this.#order = tryOrder(route.backends, route.nextStart());
  }

  open(): void {
    const route = this.#route;
    route.load.inflight++;
    this.#socket.once('close', () => {
      route.load.inflight--;
      const d = socketDelta(this.#socket);
      if (this.#open) this.#ctx.metrics.tunnels.labels(route.name).dec();
      if (route.gone) return;
      this.#ctx.usage.add(route.contractId, d.read, d.written);
      route.metrics.bytesIn.inc(d.read);
      route.metrics.bytesOut.inc(d.written);
    });
    this.#try(0);
  }

  #try(i: number): void {
    const ctx = this.#ctx;
    const b = this.#order[i]!;
    const opts: https.RequestOptions = {
      host: b.host,
      port: b.port,
      method: this.#req.method,
      path: this.#req.url,
      headers: this.#headers as unknown as http.OutgoingHttpHeaders,
      agent: false,
    };
    if (b.https && !net.isIP(b.host)) opts.servername = b.host;
    if (b.https) opts.rejectUnauthorized = ctx.verifyBackendTls;
    if (b.via) {
      // A backend on a private network: the relay's connected socket (it timed the connect itself).
      const via = b.via;
      // Without an agent: `agent: false` would make one, and an agent dials with its own createConnection.
      delete opts.agent;
      opts.createConnection = (_o, cb) => {
        connectVia(via, b.host, b.port, ctx.limits.backendConnectTimeoutMs, (err, s) => {
          if (err) return cb(err, undefined as unknown as Duplex);
          cb(null, s!);
          // Handed over paused; the request's listeners are attached on the next tick, then it may flow.
          process.nextTick(() => s!.resume());
        });
        return undefined;
      };
    } else {
      // Tunnels connect without the pool: the same guard as the pool's.
      const refused = ctx.guard?.refuse(b.host);
      if (refused) return this.#failed(i, refused, false);
      if (ctx.guard) opts.lookup = ctx.guard.lookup;
    }
    const up = (b.https ? https : http).request(opts);
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const onConnected = (): void => {
      connected = true;
      clearTimeout(timer);
      if (ctx.limits.backendTimeoutMs > 0)
        timer = setTimeout(() => up.destroy(new Error('backend response timeout')), ctx.limits.backendTimeoutMs);
    };
    up.once('socket', (s) => {
      if (b.via) return onConnected();
      timer = setTimeout(
        () => up.destroy(connected ? new Error('backend response timeout') : new ConnectTimeout('connect timeout')),
        ctx.limits.backendConnectTimeoutMs,
      );
      s.once('connect', onConnected);
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (!this.#settled) this.#failed(i, err, connected);
    });
    // The backend answered without upgrading: relay its answer, then close.
    up.once('response', (pr: IncomingMessage) => {
      clearTimeout(timer);
      this.#settled = true;
      const h = responseHeaders(pr.rawHeaders).filter((_, k, a) =>
        k % 2 === 0 ? !/^content-length$/i.test(a[k]!) : !/^content-length$/i.test(a[k - 1]!),
      );
      this.#route.metrics.request(pr.statusCode ?? 502);
      this.#socket.write(rawHead(pr.statusCode ?? 502, pr.statusMessage, [...h, 'Connection', 'close']));
      pr.pipe(this.#socket);
    });
    up.once('upgrade', (pr: IncomingMessage, ps: net.Socket, phead: Buffer) => {
      clearTimeout(timer);
      this.#settled = true;
      const client = this.#socket;
      if (client.destroyed) return void ps.destroy();
      markUp(ctx, this.#route, b);
      this.#open = true;
      ctx.metrics.tunnels.labels(this.#route.name).inc();
      this.#route.metrics.request(101);
      client.write(rawHead(101, pr.statusMessage, responseHeaders(pr.rawHeaders, true)));
      if (phead.length) client.write(phead);
      if (this.#head.length) ps.write(this.#head);
      ps.on('error', () => client.destroy());
      ps.once('close', () => client.destroy());
      client.once('close', () => ps.destroy());
      if (ctx.limits.tunnelIdleTimeoutMs > 0) client.setTimeout(ctx.limits.tunnelIdleTimeoutMs, () => client.destroy());
      ps.pipe(client);
      client.pipe(ps);
    });
    up.end();
  }

  /** Backend `i` failed: before connecting, the next one is tried; else the client gets 502 (504 on a timeout). */
  #failed(i: number, err: NodeJS.ErrnoException, connected: boolean): void {
    const ctx = this.#ctx;
    if (!connected) {
      markDown(ctx, this.#route, this.#order[i]!, err.code ?? err.message);
      if (i + 1 < this.#order.length && !this.#socket.destroyed) return this.#try(i + 1);
    }
    this.#settled = true;
    const timeout = connected && /timeout/.test(err.message);
    ctx.metrics.backendErrors.labels(this.#route.name, timeout ? 'timeout' : 'unavailable').inc();
    writeRaw(this.#socket, timeout ? 504 : 502, timeout ? BODY[504] : BODY[502]);
  }
}
