/**
 * The Web Gateway: {start, stop, status} of an HAProxy data plane (./haproxy) that the agent
 * drives as its control plane. An HTTP and an HTTPS listener route by Host (`<name>.<domain>`,
 * or a route's own fqdn) to the backends of the route table; route states switch at once
 * through HAProxy's runtime API; health checks and failover are HAProxy's server checks; bytes
 * per route come back from its stick table into the NRU sink.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { parseHostPort } from '../config/config';
import type { NruSink } from '../core/workload-types';
import type { ChallengeResponder, FqdnCertificates, IssuedCertificate } from './acme/types';
import { hostPort } from '../core/address';
import { LOCAL_BACKENDS_REFUSED } from './routes/admission';
import { contractEffect, type ContractEventLike } from './events';
import type { CertificateSource, CertificateStatus } from './routes/certificates';
import { GatewayMetrics } from './routes/metrics';
import { limitsWith, type GatewayLimits } from './routes/options';
import { viaSocket } from './relays';
import { RouteTable, type Route, type RouteInfo, type RouteSpec, type RouteState } from './routes/table';
import { UsageMeter } from './routes/usage';
import { DataPlane } from './haproxy/plane';
import { checkBinary, engineMissing, HAPROXY_BINARY } from './haproxy/process';
import { probeAddress } from './haproxy/probe';

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
  /** The HAProxy binary (default /usr/sbin/haproxy). */
  haproxyBinary?: string;
}

export type GatewayState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface GatewayStatus {
  state: GatewayState;
  http?: string;
  https?: string;
  domain?: string;
  routes: Record<RouteState, number>;
  certificate?: CertificateStatus;
  /** Why this node cannot serve gateway workloads (HAProxy is not installed): the handler refuses with it. */
  unavailable?: string;
}

type RouteChange = { name: string; state: RouteState };

export class Gateway {
  readonly limits: GatewayLimits;
  readonly metrics: GatewayMetrics;
  /** HTTP-01 answers served on the HTTP listener, on any name (the ACME client publishes here). */
  readonly challenges: ChallengeResponder;
  readonly #o: GatewayOptions;
  readonly #log: Logger;
  readonly #routes: RouteTable;
  readonly #usage: UsageMeter;
  #state: GatewayState = 'idle';
  #plane: DataPlane | undefined;
  #bound: { http?: string; https?: string } = {};
  #tempDir: string | undefined;
  #intervals: NodeJS.Timeout[] = [];
  #checking = false;
  #unavailable: string | undefined;
  /** Own-fqdn routes whose certificate is loaded (served on HTTPS). */
  readonly #issued = new Map<string, IssuedCertificate>();

  constructor(o: GatewayOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'gateway' });
    this.limits = limitsWith(o.limits);
    this.metrics = new GatewayMetrics(o.registry ?? new Registry());
    this.#routes = new RouteTable(this.metrics, o.allowLocalBackends ?? false);
    this.#routes.setDomain(o.domain);
    this.#usage = new UsageMeter(o.nru);
    const pending = new Map<string, string>();
    this.challenges = {
      publish: async (token, keyAuthorization) => {
        checkToken(token, keyAuthorization);
        pending.set(token, keyAuthorization);
        await this.#plane?.publishChallenge(token, keyAuthorization);
      },
      withdraw: async (token) => {
        pending.delete(token);
        await this.#plane?.withdrawChallenge(token);
      },
    };
    this.#pendingChallenges = pending;
    this.metrics.beforeCollect = () => this.refresh();
    // Known before any start: a node without HAProxy refuses gateway workloads from the first one.
    const binary = o.haproxyBinary ?? HAPROXY_BINARY;
    if (!existsSync(binary)) this.#unavailable = engineMissing(binary).message;
    o.fqdnCertificates?.onIssued((c) => void this.#loadIssued(c));
  }

  readonly #pendingChallenges: Map<string, string>;

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`gateway already ${this.#state}`);
    this.#state = 'starting';
    try {
      await checkBinary(this.#o.haproxyBinary ?? HAPROXY_BINARY);
      const http = this.#o.httpAddress ? await bindable(this.#o.httpAddress, 'http') : undefined;
      const certs = this.#o.certificates;
      let https: { host: string; port: number } | undefined;
      // HTTPS serves the domain's certificate, or own domains' (ACME) alone.
      if (this.#o.httpsAddress && (certs || this.#o.fqdnCertificates)) {
        https = await bindable(this.#o.httpsAddress, 'https');
      } else if (this.#o.httpsAddress) this.#log.warn('no certificate source: HTTPS not served');
      const dir = this.#o.runDir ?? (this.#tempDir = await mkdtemp(path.join(os.tmpdir(), 'tfgw-')));
      const guard = this.#o.allowLocalBackends ? undefined : LOCAL_BACKENDS_REFUSED;
      const plane = new DataPlane({
        dir,
        logger: this.#o.logger,
        limits: this.limits,
        metrics: this.metrics,
        usage: this.#usage,
        routes: this.#routes,
        ...(http ? { http } : {}),
        ...(https ? { https } : {}),
        ...(certs ? { certificates: certs } : {}),
        ...(guard ? { guard } : {}),
        verifyBackendTls: this.#o.verifyBackendTls ?? true,
        networkSocket: viaSocket,
        ...(this.#o.haproxyBinary ? { binary: this.#o.haproxyBinary } : {}),
      });
      await plane.start();
      this.#plane = plane;
      for (const r of this.#routes.all()) plane.setRoute(r, this.#routes.domain);
      for (const [t, k] of this.#pendingChallenges) void plane.publishChallenge(t, k);
      for (const c of this.#issued.values()) void this.#loadIssued(c);
      this.#o.fqdnCertificates?.start?.();
      if (http) this.#bound.http = hostPort(http.host, http.port);
      if (https) this.#bound.https = hostPort(https.host, https.port);
      this.#log.info({ ...this.#bound, domain: this.#routes.domain, dir }, 'gateway listening');
    } catch (e) {
      if ((e as { code?: string }).code === 'GATEWAY_ENGINE_MISSING') this.#unavailable = (e as Error).message;
      this.#o.certificates?.close?.();
      await this.#removeTemp();
      this.#state = 'idle';
      throw e;
    }
    if (this.limits.healthIntervalMs > 0) this.#intervals.push(setInterval(() => void this.#resolveAgain(), this.limits.healthIntervalMs));
    this.#intervals.push(setInterval(() => this.#usage.flush(), this.limits.usageFlushMs || 15_000));
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
    await this.#o.fqdnCertificates?.stop?.();
    await this.#plane?.stop();
    this.#plane = undefined;
    this.#bound = {};
    this.#o.certificates?.close?.();
    this.#usage.flush();
    await this.#removeTemp();
    this.#state = 'stopped';
    this.#log.info('gateway stopped');
  }

  status(): GatewayStatus {
    const routes = { active: 0, paused: 0, gone: 0 };
    for (const r of this.#routes.all()) routes[r.state]++;
    const s: GatewayStatus = { state: this.#state, routes };
    if (this.#bound.http) s.http = this.#bound.http;
    if (this.#bound.https) s.https = this.#bound.https;
    if (this.#routes.domain) s.domain = this.#routes.domain;
    // While serving: the certificate HAProxy has loaded (a renewal read from disk counts once it is loaded).
    const c = this.#plane?.domainCertificate ?? this.#o.certificates?.status?.();
    if (c) s.certificate = c;
    if (this.#unavailable) s.unavailable = this.#unavailable;
    return s;
  }

  get domain(): string | undefined {
    return this.#routes.domain;
  }

  /** The node's public config domain (names are served under it); null: none (every name 404s). */
  setDomain(domain: string | null | undefined): void {
    const before = this.#routes.domain;
    this.#routes.setDomain(domain);
    if (this.#routes.domain === before) return;
    this.#log.info({ domain }, 'gateway domain');
    this.#plane?.setDomain(this.#routes.domain);
  }

  /**
   * Adds or replaces a route (idempotent for the same spec). Throws on an invalid name or
   * backend. A route with its own fqdn (not passthrough) is served on HTTP at once and on HTTPS
   * once its certificate (fqdnCertificates) is loaded.
   */
  addRoute(spec: RouteSpec): RouteInfo {
    const r = this.#routes.set(spec);
    this.#plane?.setRoute(r, this.#routes.domain);
    this.#log.info({ name: spec.name, key: r.key, contractId: spec.contractId, backends: spec.backends, state: r.state }, 'route set');
    if (r.ownFqdn && !r.tlsPassthrough) void this.#ensureCertificate(r.ownFqdn);
    return this.#info(r);
  }

  /** Removes a route (by its name, or its own fqdn): its name answers 404 from now on. */
  removeRoute(name: string): boolean {
    const r = this.#routes.get(name);
    const ok = this.#routes.delete(name);
    if (!ok) return false;
    this.#plane?.removeRoute(name);
    this.#log.info({ name }, 'route removed');
    if (r?.ownFqdn && !r.tlsPassthrough && this.#o.fqdnCertificates) {
      this.#issued.delete(r.ownFqdn);
      this.#o.fqdnCertificates
        .release(r.ownFqdn)
        .catch((e: Error) => this.#log.warn({ fqdn: r.ownFqdn, err: e.message }, 'certificate release failed'));
    }
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
    this.#changed(r);
    return true;
  }

  /** The workload's own pause/resume (the provisioner): resume lifts only the workload's pause, not a contract's grace. */
  pauseWorkload(name: string, paused: boolean): boolean {
    const r = this.#routes.get(name);
    if (!r) return false;
    r.paused = paused;
    this.#changed(r);
    return true;
  }

  /** Marks (or clears) a contract's grace on a route: what the chain says when routes are checked again after a restart. */
  setGrace(name: string, contractId: number, inGrace: boolean): boolean {
    const r = this.#routes.get(name);
    if (!r) return false;
    if (inGrace === r.grace.has(contractId)) return true;
    if (inGrace) r.grace.add(contractId);
    else r.grace.delete(contractId);
    this.#changed(r, `grace of ${contractId} ${inGrace ? 'on' : 'off'}`);
    return true;
  }

  route(name: string): RouteInfo | undefined {
    const r = this.#routes.get(name);
    return r && this.#info(r);
  }

  routes(): RouteInfo[] {
    return [...this.#routes.all()].map((r) => this.#info(r));
  }

  /** The route a node contract's workload holds, if any. */
  routeOf(contractId: number, workload: string): RouteInfo | undefined {
    for (const r of this.#routes.all()) if (r.contractId === contractId && r.workload === workload) return this.#info(r);
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
      this.#changed(r, `${e.method} ${eff.contractId}`);
      out.push({ name: r.key, state: r.state });
    }
    return out;
  }

  /** Bytes counted for a node contract since start (in = from clients, out = to clients), as last read from HAProxy. */
  usage(contractId: number): { in: number; out: number } {
    return this.#usage.total(contractId);
  }

  /** Hands counted bytes to the NRU sink now (also done every usageFlushMs and on stop). */
  flushUsage(): void {
    this.#usage.flush();
  }

  /** Reads HAProxy's counters and health now (done every statsIntervalMs, and before metrics are collected). */
  async refresh(): Promise<void> {
    await this.#plane?.settled();
    await this.#plane?.refresh().catch((e: Error) => this.#log.debug({ err: e.message }, 'stats not read'));
  }

  /** Resolves once every change made so far has reached HAProxy. */
  async settled(): Promise<void> {
    await this.#plane?.settled();
  }

  /**
   * One round of health probes from the agent over every backend (names resolved again through
   * the guard), forced into HAProxy's view; HAProxy's own checks run on healthIntervalMs.
   */
  async checkHealth(): Promise<void> {
    const plane = this.#plane;
    if (this.#checking || !plane) return;
    this.#checking = true;
    try {
      await Promise.all(
        [...this.#routes.all()].flatMap((r) =>
          r.gone
            ? []
            : r.backends.map(async (b) => {
                const refused = await plane.reresolve(r.key, b.origin);
                if (refused) return;
                const address = plane.addressOf(r.key, b.origin);
                if (!address) return;
                const err = await probeAddress(address, this.limits.healthTimeoutMs);
                plane.setHealth(r.key, b.origin, err === undefined, err);
              }),
        ),
      );
      await this.refresh();
    } finally {
      this.#checking = false;
    }
  }

  /** Names resolved again on the health interval (an address that moved, or now leads to the node itself). */
  async #resolveAgain(): Promise<void> {
    const plane = this.#plane;
    if (!plane) return;
    for (const r of this.#routes.all())
      for (const b of r.backends) if (!r.gone) await plane.reresolve(r.key, b.origin).catch(() => undefined);
  }

  #info(r: Route): RouteInfo {
    const i = r.info(this.#routes.domain);
    const plane = this.#plane;
    i.inflight = plane?.inflight(r.key) ?? 0;
    i.backends = r.backends.map((b) => ({ url: b.url, ...(plane ? plane.backendHealth(r.key, b.origin) : { healthy: b.healthy }) }));
    return i;
  }

  #changed(r: Route, cause?: string): void {
    this.#routes.changed();
    this.#plane?.setRoute(r, this.#routes.domain);
    this.#log.info({ name: r.key, state: r.state, ...(cause ? { cause } : {}) }, 'route state');
  }

  async #ensureCertificate(fqdn: string): Promise<void> {
    const fc = this.#o.fqdnCertificates;
    if (!fc) return;
    try {
      await this.#loadIssued(await fc.ensure(fqdn));
    } catch (e) {
      this.#log.warn({ fqdn, err: (e as Error).message }, 'no certificate for fqdn (served on HTTP only)');
    }
  }

  async #loadIssued(c: IssuedCertificate): Promise<void> {
    const r = this.#routes.get(c.fqdn);
    if (!r || r.tlsPassthrough) return;
    this.#issued.set(c.fqdn, c);
    const plane = this.#plane;
    if (!plane || !this.#bound.https) return;
    try {
      const { readFile } = await import('node:fs/promises');
      const pem = `${(await readFile(c.certPath, 'utf8')).trimEnd()}\n${(await readFile(c.keyPath, 'utf8')).trimEnd()}\n`;
      await plane.loadCertificate(c.fqdn, pem);
    } catch (e) {
      this.#log.warn({ fqdn: c.fqdn, err: (e as Error).message }, 'certificate not loaded');
    }
  }

  async #removeTemp(): Promise<void> {
    if (!this.#tempDir) return;
    await rm(this.#tempDir, { recursive: true, force: true }).catch(() => undefined);
    this.#tempDir = undefined;
  }
}

/** An ACME token and key authorization are base64url (RFC 8555 §8.1, §8.3): nothing else reaches the map. */
function checkToken(token: string, keyAuthorization: string): void {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(token) || !/^[A-Za-z0-9_-]{1,256}\.[A-Za-z0-9_-]{1,256}$/.test(keyAuthorization)) {
    throw Object.assign(new Error('an ACME challenge token and key authorization must be base64url (token.thumbprint)'), {
      code: 'EACMETOKEN',
    });
  }
}

/**
 * Checks that `address` can be bound now (EADDRINUSE, EACCES fail start() here, in the agent's
 * words) and picks the port when it is 0; HAProxy binds it right after.
 */
function bindable(address: string, proto: string): Promise<{ host: string; port: number }> {
  const { host, port } = parseHostPort(address, `gateway ${proto} address`);
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, host, () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => resolve({ host: a.address, port: a.port }));
    });
  });
}
