/**
 * The Web Gateway daemon: {start, stop, status}. An HTTP and an HTTPS listener route by Host
 * (`<name>.<domain>`) to the backends of the route table; one interval probes backends, one
 * does housekeeping (rate buckets, handing usage to the NRU sink).
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { parseHostPort } from '../config';
import type { NruSink } from '../workloads/types';
import { LOCAL_BACKENDS_REFUSED } from './admission';
import { probe } from './backends';
import type { CertificateSource, CertificateStatus } from './certificates';
import { BODY, type EdgeContext } from './edge';
import type { FqdnCertificates } from './acme/types';
import { contractEffect, type ContractEventLike } from './events';
import { GatewayMetrics, type RejectReason } from './metrics';
import { limitsWith, type GatewayLimits } from './options';
import { HttpProxy } from './proxy';
import { RateLimiter } from './rate-limit';
import { RouteTable, type RouteInfo, type RouteSpec, type RouteState } from './routes';
import { UpgradeProxy, writeRaw } from './upgrade';
import { Upstream } from './upstream';
import { UsageMeter } from './usage';

export interface GatewayOptions {
  logger: Logger;
  /** host:port of the HTTP listener; empty/undefined: none. */
  httpAddress?: string;
  /** host:port of the HTTPS listener; used only with `certificates`. */
  httpsAddress?: string;
  certificates?: CertificateSource;
  /** The node's public config domain: names are served as `<name>.<domain>`. */
  domain?: string | null;
  limits?: Partial<GatewayLimits>;
  /** Metrics go here (the agent's registry); a private one if not given. */
  registry?: Registry;
  /** Where counted bytes go (the agent's NRU report queue). */
  nru?: NruSink;
  /** Allow loopback/link-local backends (tests, one-machine setups). Default false: a user must not reach the gateway node itself. */
  allowLocalBackends?: boolean;
  /** Verify https backends' certificates. Default true. */
  verifyBackendTls?: boolean;
  /** Certificates for routes with their own fqdn (not passthrough): ensure() on add, loaded again on every onIssued. */
  fqdnCertificates?: FqdnCertificates;
  /** The data plane's own directory (config, sockets, state kept across its restarts); default: a fresh temporary one. */
  runDir?: string;
}

export type GatewayState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface GatewayStatus {
  state: GatewayState;
  http?: string;
  https?: string;
  domain?: string;
  routes: Record<RouteState, number>;
  certificate?: CertificateStatus;
}

type RouteChange = { name: string; state: RouteState };

export class Gateway {
  readonly limits: GatewayLimits;
  readonly metrics: GatewayMetrics;
  readonly #o: GatewayOptions;
  readonly #log: Logger;
  readonly #routes: RouteTable;
  readonly #usage: UsageMeter;
  readonly #rate: RateLimiter;
  readonly #ctx: EdgeContext;
  #state: GatewayState = 'idle';
  #servers: { proto: 'http' | 'https'; server: http.Server; address?: string }[] = [];
  readonly #tunnels = new Set<Socket>();
  #intervals: NodeJS.Timeout[] = [];
  #checking = false;

  constructor(o: GatewayOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'gateway' });
    this.limits = limitsWith(o.limits);
    this.metrics = new GatewayMetrics(o.registry ?? new Registry());
    this.#routes = new RouteTable(this.metrics, o.allowLocalBackends ?? false);
    this.#routes.setDomain(o.domain);
    this.#usage = new UsageMeter(o.nru);
    this.#rate = new RateLimiter(this.limits.ratePerSecond, this.limits.rateBurst);
    const guard = o.allowLocalBackends ? undefined : LOCAL_BACKENDS_REFUSED;
    const verifyBackendTls = o.verifyBackendTls ?? true;
    this.#ctx = {
      routes: this.#routes,
      limits: this.limits,
      metrics: this.metrics,
      usage: this.#usage,
      rate: this.#rate,
      verifyBackendTls,
      upstream: new Upstream({
        maxSockets: this.limits.maxSocketsPerBackend,
        maxIdle: 64,
        connectTimeoutMs: this.limits.backendConnectTimeoutMs,
        rejectUnauthorized: verifyBackendTls,
        ...(guard ? { guard } : {}),
      }),
      ...(guard ? { guard } : {}),
      log: this.#log,
    };
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`gateway already ${this.#state}`);
    this.#state = 'starting';
    const l = this.limits;
    const proxy = new HttpProxy(this.#ctx);
    const upgrades = new UpgradeProxy(this.#ctx);
    const serverOpts: http.ServerOptions = {
      maxHeaderSize: l.maxHeaderBytes,
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      // How often Node looks for requests past their timeouts: often enough for the smallest timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(l.headersTimeoutMs / 4))),
      requireHostHeader: true,
    };
    const listeners: { proto: 'http' | 'https'; address: string; server: http.Server }[] = [];
    if (this.#o.httpAddress) listeners.push({ proto: 'http', address: this.#o.httpAddress, server: http.createServer(serverOpts) });
    const certs = this.#o.certificates;
    if (this.#o.httpsAddress && certs) {
      await certs.start?.();
      const SNICallback = (servername: string, cb: (err: Error | null, ctx?: import('node:tls').SecureContext) => void): void => {
        Promise.resolve(certs.contextFor(servername)).then(
          (c) => (c ? cb(null, c) : cb(new Error(`no certificate for ${servername}`))),
          (e: Error) => cb(e),
        );
      };
      const server = https.createServer({ ...serverOpts, SNICallback });
      server.on('tlsClientError', (e) => this.#log.debug({ err: e.message }, 'TLS handshake failed'));
      listeners.push({ proto: 'https', address: this.#o.httpsAddress, server });
    } else if (this.#o.httpsAddress) this.#log.warn('no certificate source: HTTPS not served');
    try {
      for (const { proto, address, server } of listeners) {
        server.keepAliveTimeout = l.keepAliveTimeoutMs;
        // One more than allowed, so that a request over the limit can be seen (and refused) rather than cut.
        server.maxHeadersCount = l.maxHeaderCount + 1;
        server.maxConnections = l.maxConnections;
        server.on('request', (req, res) => proxy.handle(req, res, proto));
        // Without this listener Node answers 100 Continue before we could refuse the body.
        server.on('checkContinue', (req, res) => proxy.handle(req, res, proto, true));
        server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
          this.#tunnels.add(socket);
          socket.once('close', () => this.#tunnels.delete(socket));
          upgrades.handle(req, socket, head, proto);
        });
        server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
          this.metrics.reject('', 'connect_method');
          socket.on('error', () => socket.destroy());
          writeRaw(socket, 405, 'Method Not Allowed', { Allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' });
        });
        server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(err, socket));
        const { host, port } = parseHostPort(address, `gateway ${proto} address`);
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        const a = server.address() as { address: string; port: number };
        const bound = `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
        this.#servers.push({ proto, server, address: bound });
        this.#log.info({ proto, address: bound, domain: this.#routes.domain }, 'gateway listening');
      }
    } catch (e) {
      // One listener failed (port taken, no permission): close the others, stay startable.
      for (const { server } of listeners) server.close();
      this.#servers = [];
      this.#o.certificates?.close?.();
      this.#state = 'idle';
      throw e;
    }
    if (l.healthIntervalMs > 0) this.#intervals.push(setInterval(() => void this.checkHealth(), l.healthIntervalMs));
    this.#intervals.push(
      setInterval(() => {
        this.#rate.sweep();
        this.#ctx.upstream.sweep();
        this.#usage.flush();
      }, l.usageFlushMs || 15_000),
    );
    for (const t of this.#intervals) t.unref();
    this.#state = 'running';
  }

  async stop(): Promise<void> {
    if (this.#state !== 'running' && this.#state !== 'starting') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    for (const t of this.#intervals) clearInterval(t);
    this.#intervals = [];
    // Upgraded sockets are no longer the HTTP server's, but server.close() waits for them.
    for (const s of this.#tunnels) s.destroy();
    this.#tunnels.clear();
    await Promise.all(
      this.#servers.map(
        ({ server }) =>
          new Promise<void>((resolve) => {
            // Stop accepting, close idle keep-alive connections, give requests in flight drainMs.
            const cut = setTimeout(() => server.closeAllConnections(), this.limits.drainMs);
            server.close(() => {
              clearTimeout(cut);
              resolve();
            });
            server.closeIdleConnections();
          }),
      ),
    );
    this.#servers = [];
    this.#ctx.upstream.destroy();
    this.#o.certificates?.close?.();
    this.#usage.flush();
    this.#state = 'stopped';
    this.#log.info('gateway stopped');
  }

  status(): GatewayStatus {
    const routes = { active: 0, paused: 0, gone: 0 };
    for (const r of this.#routes.all()) routes[r.state]++;
    const s: GatewayStatus = { state: this.#state, routes };
    for (const { proto, address } of this.#servers) s[proto] = address;
    if (this.#routes.domain) s.domain = this.#routes.domain;
    const c = this.#o.certificates?.status?.();
    if (c) s.certificate = c;
    return s;
  }

  get domain(): string | undefined {
    return this.#routes.domain;
  }

  /** The node's public config domain (names are served under it); null: none (every name 404s). */
  setDomain(domain: string | null | undefined): void {
    if ((domain ?? undefined) !== this.#routes.domain) this.#log.info({ domain }, 'gateway domain');
    this.#routes.setDomain(domain);
  }

  /** Adds or replaces a route (idempotent for the same spec). Throws on an invalid name or backend. */
  addRoute(spec: RouteSpec): RouteInfo {
    const r = this.#routes.set(spec);
    this.#log.info({ name: spec.name, contractId: spec.contractId, backends: spec.backends, state: r.state }, 'route set');
    return r.info(this.#routes.domain);
  }

  /** Removes a route: its name answers 404 from now on. */
  removeRoute(name: string): boolean {
    const ok = this.#routes.delete(name);
    if (ok) this.#log.info({ name }, 'route removed');
    return ok;
  }

  /**
   * Forces a route's state: 'paused' → 503 with a short message, 'gone' → 404 (kept as a
   * tombstone so a later resume cannot bring it back), 'active' → served (clears pause and grace).
   */
  setRouteState(name: string, state: RouteState): boolean {
    const r = this.#routes.get(name);
    if (!r) return false;
    if (state === 'gone') r.gone = true;
    else if (state === 'paused') r.paused = true;
    else {
      r.gone = false;
      r.paused = false;
      r.grace.clear();
    }
    this.#changed(name, r.state);
    return true;
  }

  /** The workload's own pause/resume (the provisioner): resume lifts only the workload's pause, not a contract's grace. */
  pauseWorkload(name: string, paused: boolean): boolean {
    const r = this.#routes.get(name);
    if (!r) return false;
    r.paused = paused;
    this.#changed(name, r.state);
    return true;
  }

  /** Marks (or clears) a contract's grace on a route: what the chain says when routes are checked again after a restart. */
  setGrace(name: string, contractId: number, inGrace: boolean): boolean {
    const r = this.#routes.get(name);
    if (!r) return false;
    if (inGrace === r.grace.has(contractId)) return true;
    if (inGrace) r.grace.add(contractId);
    else r.grace.delete(contractId);
    this.#changed(name, r.state, `grace of ${contractId} ${inGrace ? 'on' : 'off'}`);
    return true;
  }

  route(name: string): RouteInfo | undefined {
    return this.#routes.get(name)?.info(this.#routes.domain);
  }

  routes(): RouteInfo[] {
    return [...this.#routes.all()].map((r) => r.info(this.#routes.domain));
  }

  /** The route a node contract's workload holds, if any. */
  routeOf(contractId: number, workload: string): RouteInfo | undefined {
    for (const r of this.#routes.all()) if (r.contractId === contractId && r.workload === workload) return r.info(this.#routes.domain);
    return undefined;
  }

  /**
   * Applies a finalized contract event (feed every SmartContractModule event): grace of the
   * node or name contract → 503, grace ended → served again, canceled → 404. Answers the
   * routes it changed.
   */
  applyContractEvent(e: ContractEventLike): RouteChange[] {
    const eff = contractEffect(e);
    if (!eff) return [];
    const out: RouteChange[] = [];
    for (const r of this.#routes.ofContract(eff.contractId)) {
      if (eff.effect === 'grace') r.grace.add(eff.contractId);
      else if (eff.effect === 'grace-ended') r.grace.delete(eff.contractId);
      else r.gone = true;
      this.#changed(r.name, r.state, `${e.method} ${eff.contractId}`);
      out.push({ name: r.name, state: r.state });
    }
    return out;
  }

  /** Bytes counted for a node contract since start (in = from clients, out = to clients). */
  usage(contractId: number): { in: number; out: number } {
    return this.#usage.total(contractId);
  }

  /** Hands counted bytes to the NRU sink now (also done every usageFlushMs and on stop). */
  flushUsage(): void {
    this.#usage.flush();
  }

  /** One round of health probes over every distinct backend (the interval calls this). */
  async checkHealth(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      const byOrigin = new Map<string, { name: string; b: import('./backends').Backend }[]>();
      for (const r of this.#routes.all()) {
        if (r.gone) continue;
        for (const b of r.backends) {
          const list = byOrigin.get(b.origin) ?? [];
          list.push({ name: r.name, b });
          byOrigin.set(b.origin, list);
        }
      }
      await Promise.all(
        [...byOrigin.values()].map(async (list) => {
          const err = await probe(list[0]!.b, this.limits.healthTimeoutMs, this.#ctx.guard);
          for (const { name, b } of list) {
            b.checkedAt = Date.now();
            if (err === undefined && !b.healthy) this.#log.info({ name, backend: b.url }, 'backend up');
            if (err !== undefined && b.healthy) this.#log.warn({ name, backend: b.url, err }, 'backend down');
            if (err === undefined) b.up();
            else b.down(err);
            this.metrics.backendUp.labels(name, b.url).set(err === undefined ? 1 : 0);
          }
        }),
      );
    } finally {
      this.#checking = false;
    }
  }

  #changed(name: string, state: RouteState, cause?: string): void {
    this.#routes.changed();
    this.#log.info({ name, state, ...(cause ? { cause } : {}) }, 'route state');
  }

  /** Malformed or too slow requests never reach a handler: answer them here (431, 408, 400). */
  #clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // Garbage pipelined behind a request still being answered: an answer written now would land
    // inside that response. Let it finish (the backend's timeout bounds it), then close; Node's
    // own handler would cut it instead.
    const answering = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    if (answering && err.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
      this.metrics.reject('', 'bad_request');
      // …unless the error is inside that request's own body: then it cannot be answered at all.
      if (!answering.req.complete) return void socket.destroy();
      answering.shouldKeepAlive = false;
      answering.once('finish', () => socket.end());
      answering.once('close', () => {
        if (!answering.writableFinished) socket.destroy();
      });
      return;
    }
    let status: 400 | 408 | 431 = 400;
    let reason: RejectReason = 'bad_request';
    if (err.code === 'HPE_HEADER_OVERFLOW') [status, reason] = [431, 'header_too_large'];
    else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') [status, reason] = [408, 'client_timeout'];
    this.metrics.reject('', reason);
    socket.on('error', () => socket.destroy());
    // A request too slow to finish while its response already started: nothing can be said any more.
    if (answering?.headersSent) return void socket.destroy();
    writeRaw(socket, status, BODY[status]);
  }
}
