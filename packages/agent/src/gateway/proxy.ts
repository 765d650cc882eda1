/**
 * The HTTP/1.1 reverse proxy: one Exchange per request. The request body is only piped once a
 * backend's socket is connected, so a failed connect can move on to the next backend without
 * having consumed anything; after that, failures answer 502/504 (or cut a started response).
 */
import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { tryOrder, type Backend } from './backends';
import { admitRequest, BODY, ConnectTimeout, isRefusal, markDown, markUp, type EdgeContext, type Refusal } from './edge';
import { hostOf, requestHeaders, responseHeaders } from './headers';
import type { Route } from './routes';
import { socketDelta } from './usage';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Writes a short plain-text answer (or cuts the response if one already started). */
export function reply(res: ServerResponse, status: number, body: string, headers?: Record<string, string>, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const b = `${body}\n`;
  const h: http.OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(b), 'cache-control': 'no-store', ...headers };
  if (close) {
    h.connection = 'close';
    res.shouldKeepAlive = false;
  }
  res.writeHead(status, h);
  res.end(b);
}

// Listeners are shared functions that find their request through these symbols: no closures
// are allocated per request on the hot path (measurable at thousands of requests per second).
const X = Symbol('tfgrid.gateway.exchange');
const A = Symbol('tfgrid.gateway.attempt');
const RES = Symbol('tfgrid.gateway.response');
type WithExchange = ServerResponse & { [X]?: Exchange };
type WithAttempt = ClientRequest & { [A]?: Attempt };
type WithResponse = IncomingMessage & { [RES]?: ServerResponse };

/** One try of one backend for an exchange. */
interface Attempt {
  x: Exchange;
  i: number;
  b: Backend;
  retry: boolean;
  up: ClientRequest;
  connected: boolean;
  reused: boolean;
  connectTimer: NodeJS.Timeout | undefined;
  headTimer: NodeJS.Timeout | undefined;
}

/**
 * Copies a backend response to the client with backpressure: a lighter stand-in for pipe(),
 * which sets up and tears down a dozen listeners per response (measurable per request).
 */
function pump(pr: IncomingMessage, res: ServerResponse): void {
  (pr as WithResponse)[RES] = res;
  pr.on('data', pumpData);
  pr.once('end', pumpEnd);
  pr.once('close', pumpClose);
}
function pumpData(this: WithResponse, chunk: Buffer): void {
  const res = this[RES]!;
  if (!res.write(chunk)) {
    this.pause();
    res.once('drain', () => this.resume());
  }
}
function pumpEnd(this: WithResponse): void {
  this[RES]!.end();
}
// A backend that dies mid-body: the client must see a cut, not a short "complete" body.
function pumpClose(this: WithResponse): void {
  if (!this.complete) this[RES]!.destroy();
}

export class HttpProxy {
  readonly #ctx: EdgeContext;

  constructor(ctx: EdgeContext) {
    this.#ctx = ctx;
  }

  /** `expectContinue`: the client waits for 100 Continue (sent only once the request is admitted, so a refused body is never invited). */
  handle(req: IncomingMessage, res: ServerResponse, proto: 'http' | 'https', expectContinue = false): void {
    const x = new Exchange(this.#ctx, req, res, proto);
    const r = admitRequest(this.#ctx, req);
    // A refused client that waits for 100 Continue never sends its body: close rather than wait for it.
    if (isRefusal(r)) return x.refuse(expectContinue ? { ...r, close: true } : r);
    if (expectContinue) res.writeContinue();
    x.forward(r);
  }
}

class Exchange {
  readonly #ctx: EdgeContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #proto: 'http' | 'https';
  readonly #start = performance.now();
  #route: Route | undefined;
  #counted = false;
  #up: ClientRequest | undefined;
  #headers: string[] = [];
  #order: Backend[] = [];
  /** Set once we answered or gave up: later upstream errors are ours, not news. */
  #settled = false;
  #timedOut = false;

  constructor(ctx: EdgeContext, req: IncomingMessage, res: ServerResponse, proto: 'http' | 'https') {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
    this.#proto = proto;
    (res as WithExchange)[X] = this;
    res.once('close', Exchange.#onResClose);
  }

  refuse(r: Refusal): void {
    this.#route = r.route;
    this.#ctx.metrics.reject(r.route?.name ?? '', r.reason);
    this.#settled = true;
    reply(this.#res, r.status, r.body, r.headers, r.close);
  }

  forward(route: Route): void {
    this.#route = route;
    route.load.inflight++;
    this.#counted = true;
    const req = this.#req;
    this.#headers = requestHeaders(req.rawHeaders, { clientIp: req.socket.remoteAddress ?? '', proto: this.#proto, host: hostOf(req.headers.host) ?? '' });
    this.#order = tryOrder(route.backends, route.nextStart());
    this.#try(0);
  }

  /** `retry`: this attempt replaces one that died on a stale pooled socket. */
  #try(i: number, retry = false): void {
    const ctx = this.#ctx;
    const b = this.#order[i]!;
    const req = this.#req;
    const opts: https.RequestOptions = { host: b.host, port: b.port, method: req.method, path: req.url, headers: this.#headers as unknown as http.OutgoingHttpHeaders, agent: b.https ? ctx.httpsAgent : ctx.httpAgent };
    if (b.https && !net.isIP(b.host)) opts.servername = b.host;
    const up = (b.https ? https : http).request(opts) as WithAttempt;
    this.#up = up;
    up[A] = { x: this, i, b, retry, up, connected: false, reused: false, connectTimer: undefined, headTimer: undefined };
    up.once('socket', Exchange.#onSocket);
    up.on('error', Exchange.#onError);
    up.once('response', Exchange.#onResponse);
  }

  static #onSocket(this: WithAttempt, s: Socket): void {
    const a = this[A]!;
    if (!s.connecting) {
      a.reused = true; // a pooled keep-alive socket
      return a.x.#connected(a);
    }
    a.connectTimer = setTimeout(() => a.up.destroy(new ConnectTimeout('connect timeout')), a.x.#ctx.limits.backendConnectTimeoutMs);
    s.once('connect', () => a.x.#connected(a));
  }

  #connected(a: Attempt): void {
    if (a.connectTimer) clearTimeout(a.connectTimer);
    a.connected = true;
    if (this.#bodiless()) {
      a.up.end();
      this.#startHeadTimer(a);
    } else {
      a.up.once('finish', Exchange.#onSent);
      this.#sendBody(a.up);
    }
  }

  static #onSent(this: WithAttempt): void {
    const a = this[A]!;
    a.x.#startHeadTimer(a);
  }

  /** The backend's clock for the response head starts once the whole request was sent. */
  #startHeadTimer(a: Attempt): void {
    const ms = this.#ctx.limits.backendTimeoutMs;
    if (ms > 0 && !this.#settled)
      a.headTimer = setTimeout(() => {
        this.#timedOut = true;
        a.up.destroy(new Error('backend response timeout'));
      }, ms);
  }

  static #onError(this: WithAttempt, err: NodeJS.ErrnoException): void {
    const a = this[A]!;
    a.x.#upError(a, err);
  }

  #upError(a: Attempt, err: NodeJS.ErrnoException): void {
    const ctx = this.#ctx;
    if (a.connectTimer) clearTimeout(a.connectTimer);
    if (a.headTimer) clearTimeout(a.headTimer);
    if (this.#settled) return;
    const route = this.#route!;
    // A pooled socket the backend closed just as we picked it (its keep-alive timeout): nothing
    // of a bodiless safe request was consumed, so one fresh attempt on the same backend is fine.
    if (a.reused && !a.retry && !this.#res.headersSent && !this.#timedOut && err.code === 'ECONNRESET' && SAFE.has(this.#req.method ?? '') && this.#bodiless()) return this.#try(a.i, true);
    if (!a.connected) {
      markDown(ctx, route, a.b, err.code ?? err.message);
      if (a.i + 1 < this.#order.length && !this.#res.headersSent) return this.#try(a.i + 1);
    }
    this.#settled = true;
    const timeout = this.#timedOut;
    ctx.metrics.backendErrors.labels(route.name, timeout ? 'timeout' : this.#res.headersSent ? 'reset' : 'unavailable').inc();
    if (timeout) reply(this.#res, 504, BODY[504], undefined, true);
    else reply(this.#res, 502, BODY[502], undefined, true);
  }

  static #onResponse(this: WithAttempt, pr: IncomingMessage): void {
    const a = this[A]!;
    a.x.#upResponse(a, pr);
  }

  #upResponse(a: Attempt, pr: IncomingMessage): void {
    if (a.headTimer) clearTimeout(a.headTimer);
    if (this.#settled) return void pr.resume();
    markUp(this.#ctx, this.#route!, a.b);
    const res = this.#res;
    res.writeHead(pr.statusCode ?? 502, pr.statusMessage, responseHeaders(pr.rawHeaders) as unknown as http.OutgoingHttpHeaders);
    pump(pr, res);
  }

  #bodiless(): boolean {
    const h = this.#req.headers;
    return h['content-length'] === undefined && h['transfer-encoding'] === undefined;
  }

  #sendBody(up: ClientRequest): void {
    const req = this.#req;
    const h = req.headers;
    // A declared length was checked at admission (and Node's parser enforces it); a chunked body is counted as it streams.
    if (h['transfer-encoding'] !== undefined) {
      const max = this.#ctx.limits.maxBodyBytes;
      let n = 0;
      const count = (chunk: Buffer): void => {
        n += chunk.length;
        if (n <= max || this.#settled) return;
        req.off('data', count);
        req.unpipe(up);
        this.#settled = true;
        up.destroy();
        this.#ctx.metrics.reject(this.#route!.name, 'body_too_large');
        reply(this.#res, 413, BODY[413], undefined, true);
      };
      req.on('data', count);
    }
    req.pipe(up);
  }

  static #onResClose(this: WithExchange): void {
    this[X]!.#closed();
  }

  #closed(): void {
    const ctx = this.#ctx;
    const route = this.#route;
    const d = socketDelta(this.#req.socket);
    if (this.#up && !this.#res.writableFinished) {
      this.#settled = true;
      this.#up.destroy(); // the client went away: so does the backend request
    }
    if (!route) return;
    if (this.#counted) route.load.inflight--;
    if (route.gone) return;
    ctx.usage.add(route.contractId, d.read, d.written);
    const m = route.metrics;
    m.bytesIn.inc(d.read);
    m.bytesOut.inc(d.written);
    m.request(this.#res.statusCode);
    m.latency.observe((performance.now() - this.#start) / 1000);
  }
}
