/**
 * The HTTP/1.1 reverse proxy: one Exchange per request, over the gateway's own backend client
 * (upstream.ts). The request body is only sent once a backend connection is ready, so a failed
 * connect can move on to the next backend without having consumed anything; after that,
 * failures answer 502/504 (or cut a started response).
 */
import type http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { tryOrder, type Backend } from './backends';
import { admitRequest, BODY, isRefusal, markDown, markUp, type EdgeContext, type Refusal } from './edge';
import { hostOf, requestHeaders, responseHeaders } from './headers';
import type { Route } from './routes';
import type { UpstreamConn, UpstreamUser } from './upstream';
import { socketDelta } from './usage';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Writes a short plain-text answer (or cuts the response if one already started). */
export function reply(res: ServerResponse, status: number, body: string, headers?: Record<string, string>, close = false): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const b = `${body}\n`;
  const h: http.OutgoingHttpHeaders = {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(b),
    'cache-control': 'no-store',
    ...headers,
  };
  if (close) {
    h.connection = 'close';
    res.shouldKeepAlive = false;
  }
  res.writeHead(status, h);
  res.end(b);
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
    x.forward(r, hostOf(req.headers.host) ?? '');
  }
}

const X = Symbol('tfgrid.gateway.exchange');
type WithExchange = ServerResponse & { [X]?: Exchange };

/**
 * One request: admitted, sent to a backend over the upstream pool (failing over on connect
 * errors), its response copied back. Exchange is the pool's UpstreamUser, and its listeners are
 * shared functions that find it through a symbol: no closures per request on the hot path.
 */
class Exchange implements UpstreamUser {
  readonly #ctx: EdgeContext;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #proto: 'http' | 'https';
  readonly #start = performance.now();
  #route: Route | undefined;
  #counted = false;
  /** The request head as sent to every backend tried. */
  #head = '';
  #order: Backend[] = [];
  // The attempt in progress: which backend, whether it replaces one that met a stale socket.
  #i = 0;
  #retry = false;
  #conn: UpstreamConn | undefined;
  #waiting = false;
  #reused = false;
  #headTimer: NodeJS.Timeout | undefined;
  /** Set once we answered or gave up: later upstream errors are ours, not news. */
  #settled = false;
  #timedOut = false;
  #ended = false;

  constructor(ctx: EdgeContext, req: IncomingMessage, res: ServerResponse, proto: 'http' | 'https') {
    this.#ctx = ctx;
    this.#req = req;
    this.#res = res;
    this.#proto = proto;
    (res as WithExchange)[X] = this;
    res.once('close', onResClose);
  }

  refuse(r: Refusal): void {
    this.#route = r.route;
    this.#ctx.metrics.reject(r.route?.name ?? '', r.reason);
    this.#settled = true;
    reply(this.#res, r.status, r.body, r.headers, r.close);
  }

  forward(route: Route, host: string): void {
    this.#route = route;
    route.load.inflight++;
    this.#counted = true;
    const req = this.#req;
    const h = requestHeaders(req.rawHeaders, { clientIp: req.socket.remoteAddress ?? '', proto: this.#proto, host });
    // The backend gets the body framed as it came: Content-Length as is, anything else chunked (Node decoded it).
    let head = `${req.method} ${req.url} HTTP/1.1\r\n`;
    for (let k = 0; k < h.length; k += 2) head += `${h[k]}: ${h[k + 1]}\r\n`;
    if (req.headers['transfer-encoding'] !== undefined) head += 'Transfer-Encoding: chunked\r\n';
    this.#head = head + '\r\n';
    this.#order = tryOrder(route.backends, route.nextStart());
    this.#try(0, false);
  }

  /** `retry`: this attempt replaces one that died on a stale pooled socket. */
  #try(i: number, retry: boolean): void {
    this.#i = i;
    this.#retry = retry;
    this.#conn = undefined;
    this.#reused = false;
    this.#waiting = true;
    this.#ctx.upstream.pool(this.#order[i]!).acquire(this);
  }

  upConnected(c: UpstreamConn, reused: boolean): void {
    this.#waiting = false;
    if (this.#settled) return c.destroy();
    this.#conn = c;
    this.#reused = reused;
    if (this.#bodiless()) {
      c.request(this.#head, this.#req.method === 'HEAD', true);
      this.#startHeadTimer();
    } else {
      c.request(this.#head, this.#req.method === 'HEAD', false);
      this.#sendBody(c);
    }
  }

  /** The backend's clock for the response head starts once the whole request was sent. */
  #startHeadTimer(): void {
    const ms = this.#ctx.limits.backendTimeoutMs;
    if (ms > 0 && !this.#settled) this.#headTimer = setTimeout(onHeadTimeout, ms, this);
  }

  headTimeout(): void {
    this.#headTimer = undefined;
    this.#timedOut = true;
    const c = this.#conn;
    if (!c) return;
    const err: NodeJS.ErrnoException = new Error('backend response timeout');
    c.destroy();
    this.upError(err, true);
  }

  upError(err: NodeJS.ErrnoException, connected: boolean): void {
    const ctx = this.#ctx;
    this.#waiting = false;
    this.#conn = undefined;
    this.#clearHeadTimer();
    if (this.#settled) return;
    const route = this.#route!;
    // A pooled socket the backend closed just as we picked it (its keep-alive timeout): nothing
    // of a bodiless safe request was consumed, so one fresh attempt on the same backend is fine.
    if (
      this.#reused &&
      !this.#retry &&
      !this.#res.headersSent &&
      !this.#timedOut &&
      err.code === 'ECONNRESET' &&
      SAFE.has(this.#req.method ?? '') &&
      this.#bodiless()
    )
      return this.#try(this.#i, true);
    if (!connected) {
      markDown(ctx, route, this.#order[this.#i]!, err.code ?? err.message);
      if (this.#i + 1 < this.#order.length && !this.#res.headersSent) return this.#try(this.#i + 1, false);
    }
    this.#settled = true;
    const timeout = this.#timedOut;
    ctx.metrics.backendErrors.labels(route.name, timeout ? 'timeout' : this.#res.headersSent ? 'reset' : 'unavailable').inc();
    if (timeout) reply(this.#res, 504, BODY[504], undefined, true);
    else reply(this.#res, 502, BODY[502], undefined, true);
  }

  upHead(status: number, message: string, raw: string[]): void {
    this.#clearHeadTimer();
    if (this.#settled) return this.#conn?.destroy();
    markUp(this.#ctx, this.#route!, this.#order[this.#i]!);
    try {
      this.#res.writeHead(status, message, responseHeaders(raw) as unknown as http.OutgoingHttpHeaders);
    } catch {
      // A header Node will not send (control characters): the backend's answer is not HTTP we can relay.
      const c = this.#conn;
      c?.destroy();
      return this.upError(Object.assign(new Error('invalid response header'), { code: 'EBADRESPONSE' }), true);
    }
  }

  upData(chunk: Buffer, last: boolean): void {
    const res = this.#res;
    if (last) {
      // The body's last bytes and its end leave in one write.
      this.#ended = true;
      res.end(chunk);
    } else if (!res.write(chunk)) {
      // Backpressure: stop reading the backend until the client has taken what we gave it (once per stall).
      const s = this.#conn?.socket;
      if (s && !s.isPaused()) {
        s.pause();
        res.once('drain', () => s.resume());
      }
    }
  }

  upEnd(): void {
    this.#conn = undefined;
    if (!this.#ended) {
      this.#ended = true;
      this.#res.end();
    }
  }

  #clearHeadTimer(): void {
    if (this.#headTimer) clearTimeout(this.#headTimer);
    this.#headTimer = undefined;
  }

  #bodiless(): boolean {
    const h = this.#req.headers;
    return h['content-length'] === undefined && h['transfer-encoding'] === undefined;
  }

  /** Streams the request body to the backend with backpressure (chunk-framed when it came chunked). */
  #sendBody(c: UpstreamConn): void {
    const req = this.#req;
    const s = c.socket;
    const chunked = req.headers['transfer-encoding'] !== undefined;
    // A declared length was checked at admission (and Node's parser enforces it); a chunked body is counted as it streams.
    const max = this.#ctx.limits.maxBodyBytes;
    let n = 0;
    const data = (chunk: Buffer): void => {
      if (this.#conn !== c) return;
      n += chunk.length;
      if (chunked && n > max) {
        if (this.#settled) return;
        done();
        this.#settled = true;
        c.destroy();
        this.#conn = undefined;
        this.#ctx.metrics.reject(this.#route!.name, 'body_too_large');
        reply(this.#res, 413, BODY[413], undefined, true);
        return;
      }
      if (chunk.length === 0) return;
      const ok = chunked
        ? s.write(`${chunk.length.toString(16)}\r\n`, 'latin1') && s.write(chunk) && s.write('\r\n', 'latin1')
        : s.write(chunk);
      if (!ok) {
        req.pause();
        s.once('drain', () => req.resume());
      }
    };
    const end = (): void => {
      done();
      if (this.#conn !== c) return;
      if (chunked) s.write('0\r\n\r\n', 'latin1');
      c.sent();
      this.#startHeadTimer();
    };
    const done = (): void => {
      req.off('data', data);
      req.off('end', end);
    };
    req.on('data', data);
    req.on('end', end);
    if (req.readableEnded) end();
  }

  #closed(): void {
    const ctx = this.#ctx;
    const route = this.#route;
    const d = socketDelta(this.#req.socket);
    this.#clearHeadTimer();
    if (!this.#res.writableFinished) {
      this.#settled = true;
      // The client went away: so does the backend request.
      if (this.#conn) this.#conn.destroy();
      this.#conn = undefined;
      if (this.#waiting) ctx.upstream.pool(this.#order[this.#i]!).cancel(this);
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

  static closed(x: Exchange): void {
    x.#closed();
  }
}

function onResClose(this: WithExchange): void {
  Exchange.closed(this[X]!);
}
function onHeadTimeout(x: Exchange): void {
  x.headTimeout();
}
