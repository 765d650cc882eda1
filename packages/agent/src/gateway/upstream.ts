/**
 * The gateway's own HTTP/1.1 client for backends: a keep-alive socket pool per backend origin
 * and a small response parser. It replaces http.request + http.Agent on the proxy's hot path,
 * where they were most of the gateway's CPU per request (per request they build a
 * ClientRequest, look the pool up by a computed name, hang a parser and half a dozen listeners
 * on the socket and take them off again). Here a connection's listeners are set once when it
 * opens, and one request costs a string write and a parse of the response head.
 *
 * Scope: what the proxy needs. One request at a time per connection (no pipelining), response
 * bodies framed by Content-Length, chunked (decoded here; the server side frames again) or the
 * connection's close; 1xx interim answers skipped; trailers dropped. WebSocket upgrades do not
 * come here (upgrade.ts).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { BackendGuard } from './admission';
import type { Backend } from './backends';
import { ConnectTimeout } from './edge';
import { relaySocket } from './relay-client';

/** The side of a request that uses a backend connection (the proxy's Exchange). Calls stop once the request is done or detached. */
export interface UpstreamUser {
  /** A connection is ready; `reused`: it came from the pool (it may turn out stale). */
  upConnected(c: UpstreamConn, reused: boolean): void;
  upHead(status: number, message: string, raw: string[]): void;
  /** `last`: this chunk completes the body (the end can go out with it). */
  upData(chunk: Buffer, last: boolean): void;
  upEnd(): void;
  /** `connected`: false when the connect itself failed (nothing was sent: another backend may be tried). */
  upError(err: NodeJS.ErrnoException, connected: boolean): void;
}

export interface UpstreamOptions {
  /** Open connections per backend origin (busy, idle and connecting). */
  maxSockets: number;
  /** Idle keep-alive connections kept per origin. */
  maxIdle: number;
  connectTimeoutMs: number;
  /** Refuses connections that lead to the gateway node itself (names through its lookup, literals checked before connecting). */
  guard?: BackendGuard;
  rejectUnauthorized: boolean;
}

/** Largest response head (status line and headers) a backend may send. */
const MAX_HEAD = 64 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');

// Parser states.
const S = { Head: 0, Length: 1, ChunkSize: 2, ChunkData: 3, ChunkEnd: 4, Trailers: 5, UntilClose: 6, Done: 7 } as const;

function protocolError(msg: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`backend: ${msg}`);
  e.code = 'EBADRESPONSE';
  return e;
}

/** One keep-alive connection to a backend; listeners are attached once, for its whole life. */
export class UpstreamConn {
  readonly socket: net.Socket;
  readonly #pool: Pool;
  user: UpstreamUser | undefined;
  connecting = true;
  /** Idle through a whole sweep (see Pool.sweep). */
  unused = false;
  /**
   * When this idle connection stops being worth reusing (performance.now() ms): the backend's own
   * `Keep-Alive: timeout=N` less a margin, so a request is not sent just as the backend closes it
   * (for a POST that race would be a 502). Infinity when the backend did not say.
   */
  staleAt = Infinity;
  /** The backend's keep-alive timeout in ms, from its last response (0: not said). */
  #idleMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #state: number = S.Done;
  /** Bytes of an incomplete head, chunk-size line or trailer line. */
  #pending: Buffer | undefined;
  #remaining = 0;
  #keepAlive = true;
  #noBody = false;
  #sent = false;

  constructor(pool: Pool, socket: net.Socket) {
    this.#pool = pool;
    this.socket = socket;
    (socket as net.Socket & { [CONN]?: UpstreamConn })[CONN] = this;
    socket.on('data', onConnData);
    socket.on('end', onConnEnd);
    socket.on('error', onConnError);
    socket.on('close', onConnClose);
  }

  /**
   * Sends a request head (`method path HTTP/1.1`, headers, blank line); `headOnly`: a HEAD
   * request, whose response has no body whatever it declares; `complete`: nothing follows (no body).
   */
  request(head: string, headOnly: boolean, complete: boolean): void {
    this.#state = S.Head;
    this.#pending = undefined;
    this.#keepAlive = true;
    this.#noBody = headOnly;
    this.#sent = complete;
    this.socket.write(head, 'latin1');
  }

  /** The request's body is all written. */
  sent(): void {
    this.#sent = true;
  }

  /** Gives up on this connection: no further calls reach its user. */
  destroy(err?: Error): void {
    this.user = undefined;
    this.#clearTimer();
    this.socket.destroy(err);
  }

  /** Connect-stage timeout: the user hears a ConnectTimeout. */
  startConnectTimer(ms: number): void {
    this.#timer = setTimeout(() => this.socket.destroy(new ConnectTimeout('connect timeout')), ms);
  }

  onConnect(): void {
    this.#clearTimer();
    this.connecting = false;
    this.user?.upConnected(this, false);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  onData(d: Buffer): void {
    if (!this.user || this.#state === S.Done) {
      // Bytes nobody asked for (an idle connection, or past a response's end): not reusable.
      this.destroy();
      return;
    }
    if (this.#pending) {
      d = Buffer.concat([this.#pending, d]);
      this.#pending = undefined;
    }
    let at = 0;
    while (at < d.length && this.user) {
      switch (this.#state) {
        case S.Head: {
          const end = d.indexOf(CRLF2, at);
          if (end < 0) {
            if (d.length - at > MAX_HEAD) return this.#fail(protocolError('response head too large'));
            this.#pending = d.subarray(at);
            return;
          }
          const head = d.toString('latin1', at, end);
          at = end + 4;
          if (!this.#head(head)) return;
          // A response without a body is complete with its head.
          if ((this.#state as number) === S.Done) return this.#done(at < d.length);
          break;
        }
        case S.Length: {
          const n = Math.min(this.#remaining, d.length - at);
          this.#remaining -= n;
          const last = this.#remaining === 0;
          const chunk = d.subarray(at, at + n);
          at += n;
          if (last) this.#state = S.Done;
          this.user.upData(chunk, last);
          if (last) this.#done(at < d.length);
          break;
        }
        case S.UntilClose:
          this.user.upData(at === 0 ? d : d.subarray(at), false);
          return;
        case S.ChunkSize:
        case S.Trailers: {
          const eol = d.indexOf('\r\n', at, 'latin1');
          if (eol < 0) {
            if (d.length - at > 8192) return this.#fail(protocolError('chunk line too long'));
            this.#pending = d.subarray(at);
            return;
          }
          const line = d.toString('latin1', at, eol);
          at = eol + 2;
          if (this.#state === S.Trailers) {
            if (line === '') {
              this.#state = S.Done;
              this.#done(at < d.length);
            }
            break;
          }
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          const size = /^[0-9a-fA-F]{1,12}$/.test(hex) ? parseInt(hex, 16) : NaN;
          if (Number.isNaN(size)) return this.#fail(protocolError('bad chunk size'));
          if (size === 0) this.#state = S.Trailers;
          else {
            this.#state = S.ChunkData;
            this.#remaining = size;
          }
          break;
        }
        case S.ChunkData: {
          const n = Math.min(this.#remaining, d.length - at);
          this.#remaining -= n;
          const chunk = d.subarray(at, at + n);
          at += n;
          if (this.#remaining === 0) {
            this.#state = S.ChunkEnd;
            this.#remaining = 2;
          }
          this.user.upData(chunk, false);
          break;
        }
        case S.ChunkEnd: {
          // The CRLF after a chunk's data (may arrive split).
          const n = Math.min(this.#remaining, d.length - at);
          for (let k = 0; k < n; k++)
            if (d[at + k] !== (this.#remaining - k === 2 ? 13 : 10)) return this.#fail(protocolError('bad chunk end'));
          this.#remaining -= n;
          at += n;
          if (this.#remaining === 0) this.#state = S.ChunkSize;
          break;
        }
        case S.Done:
          // Bytes past the response: the connection is out of step, never reuse it.
          return this.destroy();
      }
    }
  }

  /** Parses a response head; answers false when the exchange is over (an error was reported). */
  #head(head: string): boolean {
    // "HTTP/1.x NNN reason"
    if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) return (this.#fail(protocolError('bad status line')), false);
    const http10 = head.charCodeAt(7) === 48;
    const status = Number(head.slice(9, 12));
    if (!(status >= 100 && status <= 999) || (head.length > 12 && head.charCodeAt(12) !== 32 && head.charCodeAt(12) !== 13))
      return (this.#fail(protocolError('bad status line')), false);
    const eol = head.indexOf('\r\n');
    const message = head.slice(13, eol < 0 ? head.length : eol);
    const raw: string[] = [];
    let length = -1;
    let chunked = false;
    let keepAlive = !http10;
    let at = eol < 0 ? head.length : eol + 2;
    while (at < head.length) {
      let end = head.indexOf('\r\n', at);
      if (end < 0) end = head.length;
      const colon = head.indexOf(':', at);
      if (colon <= at || colon > end) return (this.#fail(protocolError('bad header line')), false);
      const name = head.slice(at, colon);
      const value = head.slice(colon + 1, end).trim();
      at = end + 2;
      raw.push(name, value);
      const n = name.length;
      if (n === 14 && name.toLowerCase() === 'content-length') {
        const v = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
        if (Number.isNaN(v) || (length >= 0 && v !== length)) return (this.#fail(protocolError('bad content-length')), false);
        length = v;
      } else if (n === 17 && name.toLowerCase() === 'transfer-encoding') {
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
        if (!chunked) length = -1;
      } else if (n === 10 && name.toLowerCase() === 'keep-alive') {
        const m = /(?:^|[,\s])timeout=(\d{1,6})/i.exec(value);
        if (m) this.#idleMs = Number(m[1]) * 1000;
      } else if (n === 10 && name.toLowerCase() === 'connection') {
        const v = value.toLowerCase();
        if (v.includes('close')) keepAlive = false;
        else if (http10 && v.includes('keep-alive')) keepAlive = true;
      }
    }
    // 1xx interim answers (100 Continue, 103 Early Hints): the real head follows. A 101 was never asked for here.
    if (status < 200) {
      if (status === 101) return (this.#fail(protocolError('unexpected 101')), false);
      return true;
    }
    this.#keepAlive = keepAlive;
    const user = this.user!;
    user.upHead(status, message, raw);
    if (!this.user) return false;
    if (this.#noBody || status === 204 || status === 304 || (!chunked && length === 0)) this.#state = S.Done;
    else if (chunked) this.#state = S.ChunkSize;
    else if (length > 0) {
      this.#state = S.Length;
      this.#remaining = length;
    } else {
      this.#state = S.UntilClose;
      this.#keepAlive = false;
    }
    return true;
  }

  /** The response is complete: back to the pool when the connection can carry another. */
  #done(extra: boolean): void {
    const user = this.user;
    this.user = undefined;
    if (this.#keepAlive && this.#sent && !extra) {
      const ms = this.#idleMs;
      this.staleAt = ms > 0 ? performance.now() + ms - Math.min(1000, ms / 2) : Infinity;
      this.#pool.release(this);
    } else this.destroy();
    user?.upEnd();
  }

  #fail(err: NodeJS.ErrnoException): void {
    const user = this.user;
    this.destroy();
    user?.upError(err, true);
  }

  onEnd(): void {
    // A body framed by the connection's close ends here.
    if (this.#state === S.UntilClose && this.user) {
      this.#state = S.Done;
      this.#done(false);
    }
  }

  onError(err: NodeJS.ErrnoException): void {
    const user = this.user;
    this.user = undefined;
    this.#clearTimer();
    user?.upError(err, !this.connecting);
  }

  onClose(): void {
    this.#clearTimer();
    this.#pool.closed(this);
    const user = this.user;
    this.user = undefined;
    if (!user) return;
    const e: NodeJS.ErrnoException = new Error('socket hang up');
    e.code = 'ECONNRESET';
    user.upError(e, !this.connecting);
  }
}

const CONN = Symbol('tfgrid.gateway.upstreamConn');
type WithConn = net.Socket & { [CONN]: UpstreamConn };
function onConnData(this: WithConn, d: Buffer): void {
  this[CONN].onData(d);
}
function onConnEnd(this: WithConn): void {
  this[CONN].onEnd();
}
function onConnError(this: WithConn, err: NodeJS.ErrnoException): void {
  this[CONN].onError(err);
}
function onConnClose(this: WithConn): void {
  this[CONN].onClose();
}
function onConnConnect(this: WithConn): void {
  this[CONN].onConnect();
}

function serveWaiting(p: Pool): void {
  p.serve();
}

/** The connections to one backend origin. */
export class Pool {
  readonly #b: Backend;
  readonly #o: UpstreamOptions;
  readonly #idle: UpstreamConn[] = [];
  readonly #waiting: UpstreamUser[] = [];
  #open = 0;

  constructor(b: Backend, o: UpstreamOptions) {
    this.#b = b;
    this.#o = o;
  }

  /** Hands `u` a connection: an idle one (most recently used first) at once, else a new one once connected, else when one frees up. */
  acquire(u: UpstreamUser): void {
    let c = this.#idle.pop();
    // One whose close is still on its way is no use, nor one the backend is about to close.
    while (c && (c.socket.destroyed || (c.staleAt !== Infinity && performance.now() >= c.staleAt))) {
      c.destroy();
      c = this.#idle.pop();
    }
    if (c) {
      c.user = u;
      c.unused = false;
      return u.upConnected(c, true);
    }
    if (this.#open >= this.#o.maxSockets) {
      this.#waiting.push(u);
      return;
    }
    this.#connect(u);
  }

  /** A user that no longer waits for a connection (its client went away). */
  cancel(u: UpstreamUser): void {
    const i = this.#waiting.indexOf(u);
    if (i >= 0) this.#waiting.splice(i, 1);
  }

  release(c: UpstreamConn): void {
    if (this.#waiting.length) {
      this.#idle.push(c);
      // Not inside the previous response's callbacks; a connection that dies meanwhile is skipped.
      process.nextTick(serveWaiting, this);
      return;
    }
    if (this.#idle.length >= this.#o.maxIdle) return void c.destroy();
    this.#idle.push(c);
  }

  /** Hands freed connections (or new ones, below the limit) to users that waited for one. */
  serve(): void {
    while (this.#waiting.length && (this.#idle.length || this.#open < this.#o.maxSockets)) this.acquire(this.#waiting.shift()!);
  }

  closed(c: UpstreamConn): void {
    this.#open--;
    const i = this.#idle.indexOf(c);
    if (i >= 0) this.#idle.splice(i, 1);
    const next = this.#waiting.shift();
    if (next) this.#connect(next);
  }

  #connect(u: UpstreamUser): void {
    const b = this.#b;
    const o = this.#o;
    if (b.via) return this.#connectVia(u, b.via);
    const refused = o.guard?.refuse(b.host);
    // A failed connect, as the user expects one: asynchronously, and nothing opened.
    if (refused) return void process.nextTick(() => u.upError(refused, false));
    this.#open++;
    const opts: tls.ConnectionOptions & net.TcpSocketConnectOpts = { host: b.host, port: b.port, noDelay: true, keepAlive: true };
    if (o.guard) opts.lookup = o.guard.lookup;
    let socket: net.Socket;
    if (b.https) {
      if (!net.isIP(b.host)) opts.servername = b.host;
      opts.rejectUnauthorized = o.rejectUnauthorized;
      opts.ALPNProtocols = ['http/1.1'];
      socket = tls.connect(opts);
    } else socket = net.connect(opts as net.NetConnectOpts);
    const c = new UpstreamConn(this, socket);
    c.user = u;
    socket.once(b.https ? 'secureConnect' : 'connect', onConnConnect);
    c.startConnectTimer(o.connectTimeoutMs);
  }

  /** Through the network relay at `via`: the backend's own socket, which the relay carries to it inside its network (http only: parseBackend). */
  #connectVia(u: UpstreamUser, via: string): void {
    this.#open++;
    const socket = relaySocket(via, this.#b.host, this.#b.port);
    const c = new UpstreamConn(this, socket);
    c.user = u;
    socket.once('connect', onConnConnect);
    c.startConnectTimer(this.#o.connectTimeoutMs);
  }

  /**
   * Closes connections that stayed idle since the previous sweep (the gateway's housekeeping
   * interval calls this: no clock is read per request). Answers whether the pool is empty.
   */
  sweep(): boolean {
    const idle = this.#idle.splice(0);
    for (const c of idle) {
      if (c.unused) c.destroy();
      else {
        c.unused = true;
        this.#idle.push(c);
      }
    }
    return this.#open === 0 && this.#waiting.length === 0;
  }

  /** Closes the idle connections (the gateway stops). */
  destroy(): void {
    for (const c of this.#idle.splice(0)) c.destroy();
  }
}

/** The pools of every backend origin the proxy has talked to. */
export class Upstream {
  readonly #o: UpstreamOptions;
  readonly #pools = new Map<string, Pool>();

  constructor(o: UpstreamOptions) {
    this.#o = o;
  }

  pool(b: Backend): Pool {
    let p = this.#pools.get(b.origin);
    if (!p) this.#pools.set(b.origin, (p = new Pool(b, this.#o)));
    return p;
  }

  /** Closes long-idle connections, forgets pools with none open (backends no longer used). */
  sweep(): void {
    for (const [origin, p] of this.#pools) if (p.sweep()) this.#pools.delete(origin);
  }

  destroy(): void {
    for (const p of this.#pools.values()) p.destroy();
    this.#pools.clear();
  }
}
