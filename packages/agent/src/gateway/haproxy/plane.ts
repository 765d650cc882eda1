/**
 * The gateway's data plane on HAProxy, driven from the route table. What must switch at once
 * (a route's state, a name added or removed, its servers) goes through the runtime API: maps and
 * dynamic servers, which also apply to connections already open. A reload (config rendered again,
 * seamless) happens only when the backend slots run out. Read back from HAProxy on an interval
 * and on demand: server health (`show stat`), per-route bytes and requests in flight (`show table`
 * of the route stick table, which the local peers section carries across reloads); request logs
 * (HAProxy's stdout) feed the per-code, latency and refusal metrics.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import type { Logger } from 'pino';
import type { BackendGuard } from '../routes/admission';
import type { CertificateSource, CertificateStatus } from '../routes/certificates';
import type { GatewayMetrics, RejectReason } from '../routes/metrics';
import type { GatewayLimits } from '../routes/options';
import { selfSignedCertificate } from '../routes/self-signed';
import type { Route, RouteTable } from '../routes/table';
import type { UsageMeter } from '../routes/usage';
import { renderConfig, serverArgs, type ServerSpec, type SlotSpec } from './config';
import { BODIES, errorFile, paths, PAUSED_BODY } from './files';
import { lua } from './lua';
import { HaproxyProcess, LOG_MARK } from './process';
import { parseServersConn, parseStatCsv, parseTable } from './runtime';
import { literalBackend, resolveBackend, splitAddress, type Resolved, type ResolveOptions } from './servers';
import { PARKED, SlotPool, type ServerState, type Slot, type SlotKind } from './slots';

export interface PlaneOptions {
  dir: string;
  logger: Logger;
  limits: GatewayLimits;
  metrics: GatewayMetrics;
  usage: UsageMeter;
  routes: RouteTable;
  http?: { host: string; port: number };
  https?: { host: string; port: number };
  certificates?: CertificateSource;
  guard?: BackendGuard;
  verifyBackendTls: boolean;
  networkSocket?: ResolveOptions['networkSocket'];
  binary?: string;
}

interface KeyCounters {
  in: number;
  out: number;
  use: number;
}

const REASON_OF_STATUS: Record<number, RejectReason> = {
  400: 'bad_request',
  408: 'client_timeout',
  431: 'header_too_large',
  413: 'body_too_large',
};

export class DataPlane {
  readonly #o: PlaneOptions;
  readonly #log: Logger;
  readonly #p: ReturnType<typeof paths>;
  readonly #pool = new SlotPool();
  readonly #proc: HaproxyProcess;
  /** Route key → its slot. */
  readonly #slotOf = new Map<string, Slot>();
  /** routes.map and passthrough.map as HAProxy has them (host → `key|slot|state`). */
  readonly #hosts = new Map<string, string>();
  readonly #sni = new Map<string, string>();
  readonly #challenges = new Map<string, string>();
  /** Last counters read per route key (deltas go to usage); `use` is what is in flight. */
  readonly #counters = new Map<string, KeyCounters>();
  /** Certificates in the crt-list: path → what was loaded (to see a renewal). */
  readonly #certs = new Map<string, string>();
  #peerPort = 0;
  #reloading: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #domainStatus: CertificateStatus | undefined;

  constructor(o: PlaneOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'gateway-plane' });
    this.#p = paths(o.dir);
    this.#proc = new HaproxyProcess({
      ...(o.binary ? { binary: o.binary } : {}),
      config: this.#p.config,
      admin: this.#p.admin,
      master: this.#p.master,
      logger: o.logger,
      drainMs: o.limits.drainMs,
      prepare: () => this.#prepare(),
      onLog: (line) => this.#onLog(line),
      onRestart: () => {
        // A new process counts from 0.
        for (const c of this.#counters.values()) Object.assign(c, { in: 0, out: 0, use: 0 });
      },
    });
  }

  get process(): HaproxyProcess {
    return this.#proc;
  }

  async start(): Promise<void> {
    await mkdir(this.#p.bodies, { recursive: true, mode: 0o700 });
    await mkdir(this.#p.certs, { recursive: true, mode: 0o700 });
    this.#peerPort = await freeLoopbackPort();
    if (this.#o.https) {
      await this.#defaultCertificate();
      // The domain's certificate is in the crt-list from the first start (renewals are loaded at runtime).
      await this.#o.certificates?.start?.();
      const pem = this.#o.certificates?.pem();
      if (pem) await this.loadCertificate('domain', pem);
      const st = this.#o.certificates?.status?.();
      if (pem && st) this.#domainStatus = st;
      this.#o.certificates?.onChange?.(
        () => void this.#checkCertificateSource().catch((e: Error) => this.#log.warn({ err: e.message }, 'certificate not loaded')),
      );
    }
    await this.#proc.start();
    const every = Math.max(100, this.#o.limits.statsIntervalMs);
    this.#timer = setInterval(() => void this.refresh().catch(() => undefined), every);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.refresh().catch(() => undefined);
    await this.#proc.stop();
  }

  /** Resolves once every runtime command queued so far has been answered. */
  async settled(): Promise<void> {
    // Servers still resolving (a name, a relay's target socket) are part of the changes made so far.
    while (this.#resolving.size) await Promise.all([...this.#resolving]);
    await this.#proc.runtime.settled();
  }

  /** Resolutions of servers in flight (settled() waits for them). */
  readonly #resolving = new Set<Promise<void>>();

  #track(p: Promise<void>): void {
    const t = p.catch((e: Error) => this.#log.warn({ err: e.message }, 'backend not resolved')).finally(() => this.#resolving.delete(t));
    this.#resolving.add(t);
  }

  // ---- routes ----

  /** Brings HAProxy in line with route `r` (added, replaced, state changed). */
  setRoute(r: Route, domain: string | undefined): void {
    const kind: SlotKind = r.tlsPassthrough ? 't' : 'h';
    let slot = this.#slotOf.get(r.key);
    if (slot && slot.kind !== kind) {
      this.#releaseSlot(r.key);
      slot = undefined;
    }
    if (!slot) {
      slot = this.#pool.take(kind, r.key);
      if (!slot) {
        this.#pool.grow(kind, this.#pool.capacity(kind) * 2);
        slot = this.#pool.take(kind, r.key)!;
        void this.#reload();
      }
      this.#slotOf.set(r.key, slot);
    }
    this.#syncServers(slot, r);
    this.#setEntries(r, domain);
  }

  /** The route no longer exists: its names answer 404 at once; its servers drain. */
  removeRoute(key: string): void {
    for (const [host, v] of [...this.#hosts]) if (v.startsWith(`${key}|`)) this.#delEntry('routes', host);
    for (const [sni, v] of [...this.#sni]) if (v.startsWith(`${key}|`)) this.#delEntry('passthrough', sni);
    this.#releaseSlot(key);
  }

  /** The domain changed: every `<name>.<domain>` entry is replaced in one atomic map version. */
  setDomain(domain: string | undefined): void {
    const want = new Map<string, string>();
    for (const r of this.#o.routes.all()) if (!r.tlsPassthrough) for (const [h, v] of this.#entriesOf(r, domain)) want.set(h, v);
    this.#hosts.clear();
    for (const [h, v] of want) this.#hosts.set(h, v);
    // Written back to back (no await between): the route changes that follow come after them.
    this.#runtime(`clear map ${this.#p.routes}`);
    if (want.size) void this.#change(`add map ${this.#p.routes}`, [...want].map(([h, v]) => `${h} ${v}`).join('\n'));
  }

  #entriesOf(r: Route, domain: string | undefined): [string, string][] {
    const slot = this.#slotOf.get(r.key);
    if (!slot || r.state === 'gone') return [];
    const host = r.ownFqdn ?? (domain ? `${r.name}.${domain}` : undefined);
    if (!host) return [];
    return [[host, `${r.key}|${slot.id}|${r.state === 'paused' ? 'p' : 'a'}`]];
  }

  #setEntries(r: Route, domain: string | undefined): void {
    const which = r.tlsPassthrough ? 'passthrough' : 'routes';
    const table = r.tlsPassthrough ? this.#sni : this.#hosts;
    const other = r.tlsPassthrough ? 'routes' : 'passthrough';
    const otherTable = r.tlsPassthrough ? this.#hosts : this.#sni;
    for (const [h, v] of [...otherTable]) if (v.startsWith(`${r.key}|`)) this.#delEntry(other, h);
    const want = new Map(this.#entriesOf(r, domain));
    for (const [h, v] of [...table]) if (v.startsWith(`${r.key}|`) && !want.has(h)) this.#delEntry(which, h);
    const file = which === 'routes' ? this.#p.routes : this.#p.passthrough;
    for (const [h, v] of want) {
      const had = table.get(h);
      if (had === v) continue;
      table.set(h, v);
      this.#runtime(had === undefined ? `add map ${file} ${h} ${v}` : `set map ${file} ${h} ${v}`);
    }
  }

  #delEntry(which: 'routes' | 'passthrough', host: string): void {
    (which === 'routes' ? this.#hosts : this.#sni).delete(host);
    this.#runtime(`del map ${which === 'routes' ? this.#p.routes : this.#p.passthrough} ${host}`);
  }

  // ---- ACME HTTP-01 answers ----

  publishChallenge(token: string, keyAuthorization: string): Promise<void> {
    const had = this.#challenges.get(token);
    this.#challenges.set(token, keyAuthorization);
    if (had === keyAuthorization) return Promise.resolve();
    return this.#change(
      had === undefined
        ? `add map ${this.#p.challenges} ${token} ${keyAuthorization}`
        : `set map ${this.#p.challenges} ${token} ${keyAuthorization}`,
    );
  }

  withdrawChallenge(token: string): Promise<void> {
    this.#challenges.delete(token);
    return this.#change(`del map ${this.#p.challenges} ${token}`).catch(() => undefined);
  }

  // ---- certificates ----

  /** Loads (or replaces) a certificate for SNI at runtime: a new one joins the crt-list. */
  async loadCertificate(name: string, pem: string): Promise<void> {
    const file = this.#certFile(name);
    if (this.#certs.get(file) === pem) return;
    const known = this.#certs.has(file);
    await writeFile(file, pem, { mode: 0o600 });
    this.#certs.set(file, pem);
    if (!this.#proc.running) return;
    const rt = this.#proc.runtime;
    if (!known) await rt.change(`new ssl cert ${file}`);
    await rt.change(`set ssl cert ${file}`, pem);
    await rt.change(`commit ssl cert ${file}`);
    if (!known) await rt.change(`add ssl crt-list ${this.#p.crtList} ${file}`);
    this.#log.info({ name }, 'certificate loaded');
  }

  // ---- servers ----

  #serverSpec(slot: Slot, s: ServerState): ServerSpec | undefined {
    if (!s.address) return undefined;
    const b = s.backend;
    return {
      id: s.id,
      address: s.address,
      ...(b.https && slot.kind === 'h' ? { tls: { sni: b.host, verify: this.#o.verifyBackendTls } } : {}),
      ...(s.forcedDown ? { down: true } : {}),
    };
  }

  #syncServers(slot: Slot, r: Route): void {
    const want = new Map(r.backends.map((b) => [b.origin, b]));
    // New servers first, then the old ones out: the slot never has none while its set changes.
    for (const [origin, b] of want) {
      const had = slot.servers.get(origin);
      if (had) {
        had.backend = b;
        continue;
      }
      // A seat when it can have one: a plain-HTTP backend HAProxy dials by IP (a relay's Unix
      // socket and TLS with the backend's SNI are not what `set server … addr` can give a seat).
      const seat = slot.kind === 'h' && !b.via && !b.https ? slot.takeSeat() : undefined;
      const s: ServerState =
        seat === undefined ? { id: slot.nextServerId(), backend: b, healthy: false } : { id: `s${seat}`, seat, backend: b, healthy: false };
      slot.servers.set(origin, s);
      // A literal is added now, before the map entry that sends requests to it.
      this.#track(this.#resolveAndAdd(slot, s));
    }
    for (const [origin, s] of [...slot.servers]) if (!want.has(origin)) this.#retire(slot, origin, s);
  }

  async #resolveAndAdd(slot: Slot, s: ServerState): Promise<void> {
    const literal = this.#literal(s);
    const res = literal ?? (await resolveBackend(s.backend, this.#resolveOptions()));
    if (slot.servers.get(s.backend.origin) !== s) return;
    if (res.error !== undefined) {
      s.error = res.error;
      s.healthy = false;
      this.#o.metrics.backendUp.labels(this.#labelOf(slot), s.backend.url).set(0);
      return;
    }
    s.address = res.address;
    s.error = undefined;
    s.healthy = true;
    const spec = this.#serverSpec(slot, s)!;
    const name = `${slot.id}/${s.id}`;
    const at = splitAddress(spec.address);
    if (s.seat !== undefined && at) this.#runtime(`set server ${name} addr ${at.ip} port ${at.port}`);
    else this.#runtime(`add server ${name} ${spec.address} ${serverArgs(spec, this.#o.limits, slot.kind === 'h')}`);
    this.#runtime(`enable health ${name}`);
    this.#runtime(`enable server ${name}`);
  }

  /** The address of a literal backend, found at once (so its server is added before anything routes to it). */
  #literal(s: ServerState): Resolved | undefined {
    return literalBackend(s.backend, this.#o.guard);
  }

  #resolveOptions(): ResolveOptions {
    return {
      ...(this.#o.guard ? { guard: this.#o.guard } : {}),
      ...(this.#o.networkSocket ? { networkSocket: this.#o.networkSocket } : {}),
      timeoutMs: this.#o.limits.healthTimeoutMs,
    };
  }

  #retire(slot: Slot, origin: string, s: ServerState): void {
    slot.servers.delete(origin);
    if (!s.address) {
      // A seat never given an address is still parked.
      if (s.seat !== undefined) slot.freeSeat(s.seat);
      return;
    }
    slot.retiring.set(s.id, s);
    // Maintenance: no new request goes there; those in flight finish, then it is deleted (a seat: parked).
    this.#runtime(`disable server ${slot.id}/${s.id}`);
    void this.#tryRelease(slot, s);
  }

  /** Deletes a retiring server, or frees a retiring seat, if its connections are done (else the next refresh tries again). */
  #tryRelease(slot: Slot, s: ServerState): Promise<void> {
    if (s.seat === undefined) return this.#tryDelete(slot, s);
    let p = this.#freeing.get(s);
    if (!p) {
      p = this.#tryFree(slot, s, s.seat)
        .catch((e: Error) => this.#log.debug({ server: `${slot.id}/${s.id}`, err: e.message }, 'seat not freed yet'))
        .finally(() => this.#freeing.delete(s));
      this.#freeing.set(s, p);
    }
    return p;
  }

  /** Retiring seats being checked now. */
  readonly #freeing = new Map<ServerState, Promise<void>>();

  /**
   * A drained seat is parked (its idle connections to the old address are closed with the
   * change), then free once HAProxy shows it at the parked address with no connection in use or
   * idle. Never before: a connection still busy would join the idle pool of the next address.
   */
  async #tryFree(slot: Slot, s: ServerState, seat: number): Promise<void> {
    if (!this.#proc.running) return;
    const rt = this.#proc.runtime;
    const name = `${slot.id}/${s.id}`;
    const conns = async (): Promise<{ parked: boolean; used: number; open: number } | undefined> => {
      const c = parseServersConn(await rt.command(`show servers conn ${slot.id}`)).get(name);
      if (!c) return undefined;
      const open = ['used_cur', 'idle_cur', 'safe_nb', 'unsafe_nb'].reduce((t, k) => t + (c.n[k] ?? 1), 0);
      return { parked: c.addr === PARKED.ip && c.port === String(PARKED.port), used: c.n.used_cur ?? 1, open };
    };
    const stat = parseStatCsv(await rt.command(`show stat ${slot.id} 4 -1`)).find((r) => r.svname === s.id);
    const before = await conns();
    // In maintenance no new connection is made: what is in use now only ends. Idle ones go with the address change.
    if (!stat || !before || Number(stat.scur || 0) + Number(stat.qcur || 0) > 0 || before.used > 0) return;
    if (!before.parked) await rt.change(`set server ${name} addr ${PARKED.ip} port ${PARKED.port}`);
    const after = before.parked ? before : await conns();
    if (!after?.parked || after.open > 0 || slot.retiring.get(s.id) !== s) return;
    slot.retiring.delete(s.id);
    slot.freeSeat(seat);
  }

  #tryDelete(slot: Slot, s: ServerState): Promise<void> {
    return this.#proc.runtime.command(`del server ${slot.id}/${s.id}`).then(
      (reply) => {
        if (/deleted|No such server/i.test(reply)) slot.retiring.delete(s.id);
      },
      () => undefined,
    );
  }

  #releaseSlot(key: string): void {
    const slot = this.#slotOf.get(key);
    if (!slot) return;
    this.#slotOf.delete(key);
    for (const [origin, s] of [...slot.servers]) this.#retire(slot, origin, s);
    slot.owner = undefined;
  }

  #labelOf(slot: Slot): string {
    return slot.owner ?? '';
  }

  /** Forces HAProxy's view of a server (the agent's own probe, checkHealth). */
  setHealth(key: string, origin: string, up: boolean, error?: string): void {
    const slot = this.#slotOf.get(key);
    const s = slot?.servers.get(origin);
    if (!slot || !s || !s.address) return;
    s.forcedDown = !up;
    if (error) s.error = error;
    this.#runtime(`set server ${slot.id}/${s.id} health ${up ? 'up' : 'down'}`);
  }

  /** Re-resolves a backend by name (its address may have moved, or now lead to the node itself). */
  async reresolve(key: string, origin: string): Promise<string | undefined> {
    const slot = this.#slotOf.get(key);
    const s = slot?.servers.get(origin);
    if (!slot || !s) return undefined;
    const res = this.#literal(s) ?? (await resolveBackend(s.backend, this.#resolveOptions()));
    if (res.error !== undefined) {
      s.error = res.error;
      s.healthy = false;
      if (s.address) this.#runtime(`disable server ${slot.id}/${s.id}`);
      return res.error;
    }
    if (!s.address) {
      s.error = undefined;
      await this.#resolveAndAdd(slot, s);
      return undefined;
    }
    if (res.address !== s.address && !res.address.startsWith('unix@')) {
      const at = splitAddress(res.address);
      if (at) this.#runtime(`set server ${slot.id}/${s.id} addr ${at.ip} port ${at.port}`);
      s.address = res.address;
    }
    return undefined;
  }

  /** The address HAProxy dials for a backend (a probe goes there too). */
  addressOf(key: string, origin: string): string | undefined {
    return this.#slotOf.get(key)?.servers.get(origin)?.address;
  }

  /** Health and last error of a route's backends as HAProxy (or the admission) sees them. */
  backendHealth(key: string, origin: string): { healthy: boolean; lastError?: string } {
    const s = this.#slotOf.get(key)?.servers.get(origin);
    if (!s) return { healthy: false };
    return { healthy: s.healthy, ...(s.error && !s.healthy ? { lastError: s.error } : {}) };
  }

  /** Requests and tunnels in flight for a route key (HAProxy's trackers of its stick-table entry). */
  inflight(key: string): number {
    return this.#counters.get(key)?.use ?? 0;
  }

  // ---- reading back ----

  /** Reads health and counters now (the interval does this every statsIntervalMs). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  async #refresh(): Promise<void> {
    if (!this.#proc.running) return;
    const rt = this.#proc.runtime;
    const [stat, table, ws] = await Promise.all([
      rt.command('show stat -1 4 -1'),
      rt.command('show table st_routes'),
      rt.command('show table st_ws'),
    ]);
    this.#readStat(stat);
    this.#readTable(table);
    this.#readTunnels(ws);
    // (The request logs of what HAProxy answered before these replies are in the pipe by now.)
    await this.#proc.drainLogs();
    const releasing: Promise<void>[] = [];
    for (const slot of this.#pool.all()) for (const s of [...slot.retiring.values()]) releasing.push(this.#tryRelease(slot, s));
    await Promise.all(releasing);
    await this.#checkCertificateSource();
  }

  #readStat(text: string): void {
    for (const row of parseStatCsv(text)) {
      const slot = this.#pool.get(row.pxname ?? '');
      if (!slot || !slot.owner) continue;
      for (const s of slot.servers.values()) {
        // (A seat whose backend has no address yet is parked: its row is not that backend's health.)
        if (s.id !== row.svname || !s.address) continue;
        const st = row.status ?? '';
        const healthy = st.startsWith('UP') || st === 'no check' || st === 'NOLB';
        if (healthy !== s.healthy)
          this.#log[healthy ? 'info' : 'warn'](
            { route: slot.owner, backend: s.backend.url, status: st },
            healthy ? 'backend up' : 'backend down',
          );
        s.healthy = healthy;
        if (!healthy && !s.forcedDown) s.error = row.check_status || row.last_chk || st;
        else if (healthy) s.error = undefined;
        this.#o.metrics.backendUp.labels(slot.owner, s.backend.url).set(healthy ? 1 : 0);
      }
    }
  }

  #readTable(text: string): void {
    for (const [key, v] of parseTable(text)) {
      const route = this.#o.routes.get(key);
      const last = this.#counters.get(key) ?? { in: 0, out: 0, use: 0 };
      const cin = v.bytes_in_cnt ?? 0;
      const cout = v.bytes_out_cnt ?? 0;
      // A counter that went down belongs to a new process (a crash without peers): it counts from 0.
      const din = cin >= last.in ? cin - last.in : cin;
      const dout = cout >= last.out ? cout - last.out : cout;
      this.#counters.set(key, { in: cin, out: cout, use: v.use ?? 0 });
      if (!route || din + dout === 0) continue;
      this.#o.usage.add(route.contractId, din, dout);
      route.metrics.bytesIn.inc(din);
      route.metrics.bytesOut.inc(dout);
    }
  }

  /** Open WebSocket tunnels per name (a tunnel's stream tracks its route's entry while it lives). */
  #readTunnels(text: string): void {
    const open = new Map<string, number>();
    for (const [key, v] of parseTable(text)) open.set(key, v.use ?? 0);
    for (const r of this.#o.routes.all()) this.#o.metrics.tunnels.labels(r.key).set(open.get(r.key) ?? 0);
  }

  async #checkCertificateSource(): Promise<void> {
    const src = this.#o.certificates;
    if (!this.#o.https || !src) return;
    const pem = src.pem();
    const status = src.status?.();
    if (pem) await this.loadCertificate('domain', pem);
    if (pem && status && this.#certs.get(this.#certFile('domain')) === pem) this.#domainStatus = status;
  }

  /** The domain certificate's status as HAProxy serves it (the source may have read a newer one not loaded yet). */
  get domainCertificate(): CertificateStatus | undefined {
    return this.#domainStatus;
  }

  #certFile(name: string): string {
    return `${this.#p.certs}/${name.replace(/[^a-z0-9.*_-]/gi, '_')}.pem`;
  }

  /** One request log line: `TFGW key|status|µs|why|termination` (µs from the request's head to its log). */
  #onLog(line: string): void {
    const at = line.indexOf(LOG_MARK);
    if (at < 0) return;
    const [key = '', statusText = '', us = '', why = ''] = line
      .slice(at + LOG_MARK.length)
      .trim()
      .split('|');
    const k = key === '-' ? '' : key;
    const w = why === '-' ? '' : why;
    const status = Number(statusText);
    const route = k ? this.#o.routes.get(k) : undefined;
    const name = route ? k : '';
    const m = this.#o.metrics;
    if (w) return m.reject(name, w as RejectReason);
    if (!route) {
      const reason = REASON_OF_STATUS[status];
      if (reason) m.reject('', reason);
      return;
    }
    route.metrics.request(status);
    const t = Number(us);
    if (Number.isFinite(t) && t >= 0) route.metrics.latency.observe(t / 1e6);
    if (status === 502 || status === 503) m.backendErrors.labels(name, 'unavailable').inc();
    else if (status === 504) m.backendErrors.labels(name, 'timeout').inc();
  }

  // ---- files and commands ----

  #runtime(cmd: string): void {
    void this.#change(cmd);
  }

  async #change(cmd: string, payload?: string): Promise<void> {
    if (!this.#proc.running) return; // the next start renders the state from the tables
    try {
      await this.#proc.runtime.change(cmd, payload);
    } catch (e) {
      this.#log.warn({ cmd: cmd.slice(0, 200), err: (e as Error).message }, 'runtime command failed');
    }
  }

  async #reload(): Promise<void> {
    const previous = this.#reloading ?? Promise.resolve();
    this.#reloading = previous
      .then(async () => {
        // What the old worker counted so far is read first (the stick table's copy to the new one is not relied on alone).
        await this.refresh().catch(() => undefined);
        await this.#proc.reload();
      })
      .catch((e: Error) => this.#log.error({ err: e.message }, 'haproxy reload failed'));
    await this.#reloading;
  }

  /** Writes the config and every file it names from the current state (before a start, restart or reload). */
  async #prepare(): Promise<void> {
    const p = this.#p;
    for (const [n, text] of Object.entries(BODIES)) await writeFile(`${p.bodies}/${n}.txt`, `${text}\n`);
    await writeFile(`${p.bodies}/paused.txt`, `${PAUSED_BODY}\n`);
    for (const s of [400, 408, 500, 502, 504] as const) await writeFile(`${p.bodies}/${s}.http`, errorFile(s));
    await writeFile(`${p.bodies}/503as502.http`, errorFile(503, 502));
    await writeFile(p.lua, lua(this.#o.limits));
    const lines = (m: Map<string, string>): string => [...m].map(([k, v]) => `${k} ${v}\n`).join('');
    await writeFile(p.routes, lines(this.#hosts));
    await writeFile(p.passthrough, lines(this.#sni));
    await writeFile(p.challenges, lines(this.#challenges));
    // The first is what a name no certificate matches is shown: the domain's, as the node always served it, else a self-signed one.
    const domain = this.#certFile('domain');
    const others = [...this.#certs.keys()].filter((f) => f !== domain);
    const list = [...(this.#certs.has(domain) ? [domain] : []), `${p.certs}/default.pem`, ...others];
    await writeFile(p.crtList, list.map((f) => `${f}\n`).join(''), { mode: 0o600 });
    const slots = (kind: SlotKind): SlotSpec[] =>
      [...this.#pool.all()]
        .filter((s) => s.kind === kind)
        .map((s) => ({
          id: s.id,
          seats: s.seats,
          servers: [...s.servers.values()].map((x) => this.#serverSpec(s, x)).filter((x): x is ServerSpec => x !== undefined),
        }));
    const cfg = renderConfig({
      dir: this.#o.dir,
      limits: this.#o.limits,
      ...(this.#o.http ? { http: this.#o.http } : {}),
      ...(this.#o.https ? { https: { ...this.#o.https, crtList: p.crtList } } : {}),
      httpSlots: slots('h'),
      tcpSlots: slots('t'),
      peerName: 'tfgw',
      peerPort: this.#peerPort,
    });
    await writeFile(p.config, cfg, { mode: 0o600 });
  }

  /** A self-signed certificate HAProxy's TLS listener needs to exist: shown only to names no other certificate matches, when the node has no domain certificate. */
  async #defaultCertificate(): Promise<void> {
    const file = `${this.#p.certs}/default.pem`;
    if (
      await readFile(file).then(
        () => true,
        () => false,
      )
    )
      return;
    const key = `${this.#p.certs}/default.key`;
    const crt = `${this.#p.certs}/default.crt`;
    await selfSignedCertificate({ names: ['gateway.invalid'], keyFile: key, certFile: crt, days: 3650 });
    await writeFile(file, `${await readFile(crt, 'utf8')}${await readFile(key, 'utf8')}`, { mode: 0o600 });
    await rm(key, { force: true });
    await rm(crt, { force: true });
  }
}

/** A loopback TCP port free now (for the local peers section, which has no Unix socket form). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
