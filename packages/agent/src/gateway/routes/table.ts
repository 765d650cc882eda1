/**
 * The route table: `<name>.<domain>` → backends, with the state that decides what a request
 * gets. A route is served when active; answered 503 when its workload is paused or one of its
 * contracts (node or name) is in grace; answered 404 like an unknown name once gone.
 */
import { Backend, parseBackend, type BackendNetwork } from './backends';
import { RouteMetrics, type GatewayMetrics } from './metrics';

export type RouteState = 'active' | 'paused' | 'gone';

export interface RouteSpec {
  /** The name (the name contract's), without the domain. */
  name: string;
  /** The node contract whose workload asked for it: usage is reported against it. */
  contractId: number;
  /** The name contract holding the name, and the twin that holds both. */
  nameContractId?: number;
  twinId?: number;
  /** The workload's name inside its deployment. */
  workload?: string;
  backends: string[];
  /** The private network the backends are on (reached through its relay, `via`). */
  network?: BackendNetwork;
  /** Start paused (a workload paused before a restart). */
  paused?: boolean;
  /** Contracts already in grace. */
  grace?: number[];
  /**
   * A full domain served instead of `<name>.<domain>` (a `gateway-fqdn-proxy`): the route table keys
   * the route by it, so the Gateway's methods that take a name take this fqdn for such a route.
   */
  fqdn?: string;
  /** TLS is not terminated: connections are routed by SNI to backends that terminate TLS themselves. */
  tlsPassthrough?: boolean;
}

export interface RouteInfo {
  name: string;
  /** `<name>.<domain>`, or the route's own fqdn. */
  fqdn: string | undefined;
  /** The route has its own domain (RouteSpec.fqdn): the route table's key for it. */
  ownFqdn: boolean;
  tlsPassthrough: boolean;
  contractId: number;
  nameContractId: number | undefined;
  twinId: number | undefined;
  workload: string | undefined;
  /** The private network's name, when the backends are on one. */
  network: string | undefined;
  state: RouteState;
  /** Why it is paused: the workload, and/or contracts in grace. */
  paused: boolean;
  grace: number[];
  inflight: number;
  backends: { url: string; healthy: boolean; lastError?: string }[];
}

export class Route {
  readonly name: string;
  readonly contractId: number;
  readonly nameContractId: number | undefined;
  readonly twinId: number | undefined;
  readonly workload: string | undefined;
  readonly network: string | undefined;
  /** The route's own domain (RouteSpec.fqdn), lower case. */
  readonly ownFqdn: string | undefined;
  readonly tlsPassthrough: boolean;
  readonly backends: Backend[];
  readonly metrics: RouteMetrics;
  paused: boolean;
  readonly grace: Set<number>;
  gone = false;
  /** Requests in flight and open tunnels; shared with the route that replaces this one. */
  load = { inflight: 0 };
  #next = 0;

  constructor(spec: RouteSpec, backends: Backend[], metrics: RouteMetrics) {
    this.name = spec.name;
    this.contractId = spec.contractId;
    this.nameContractId = spec.nameContractId;
    this.twinId = spec.twinId;
    this.workload = spec.workload;
    this.network = spec.network?.name;
    this.ownFqdn = spec.fqdn ? normalFqdn(spec.fqdn) : undefined;
    this.tlsPassthrough = spec.tlsPassthrough ?? false;
    this.backends = backends;
    this.metrics = metrics;
    this.paused = spec.paused ?? false;
    this.grace = new Set(spec.grace ?? []);
  }

  /** The route table's key: the own fqdn, else the name. */
  get key(): string {
    return this.ownFqdn ?? this.name;
  }

  get state(): RouteState {
    if (this.gone) return 'gone';
    return this.paused || this.grace.size > 0 ? 'paused' : 'active';
  }

  /** Round-robin start for the next request. */
  nextStart(): number {
    const s = this.#next;
    this.#next = (s + 1) % this.backends.length;
    return s;
  }

  info(domain: string | undefined): RouteInfo {
    return {
      name: this.name,
      fqdn: this.ownFqdn ?? (domain ? `${this.name}.${domain}` : undefined),
      ownFqdn: this.ownFqdn !== undefined,
      tlsPassthrough: this.tlsPassthrough,
      contractId: this.contractId,
      nameContractId: this.nameContractId,
      twinId: this.twinId,
      workload: this.workload,
      network: this.network,
      state: this.state,
      paused: this.paused,
      grace: [...this.grace],
      inflight: this.load.inflight,
      backends: this.backends.map((b) => ({ url: b.url, healthy: b.healthy, ...(b.lastError ? { lastError: b.lastError } : {}) })),
    };
  }
}

export const NAME_RE = /^[a-z0-9_-]{3,64}$/;
/** A DNS name of at least two labels, each 1-63 of [a-z0-9-] not starting or ending with `-`; 253 characters at most. */
export const FQDN_RE = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** An fqdn as routes key it: lower case, no trailing dot. */
export function normalFqdn(fqdn: string): string {
  return fqdn.trim().toLowerCase().replace(/\.$/, '');
}

export class RouteTable {
  readonly #routes = new Map<string, Route>();
  readonly #metrics: GatewayMetrics;
  readonly #allowLocal: boolean;
  #domain: string | undefined;
  #suffix: string | undefined;

  constructor(metrics: GatewayMetrics, allowLocalBackends: boolean) {
    this.#metrics = metrics;
    this.#allowLocal = allowLocalBackends;
  }

  get domain(): string | undefined {
    return this.#domain;
  }

  setDomain(domain: string | null | undefined): void {
    const d = domain ? domain.trim().toLowerCase().replace(/\.$/, '') : undefined;
    this.#domain = d || undefined;
    this.#suffix = this.#domain ? `.${this.#domain}` : undefined;
  }

  /** The route a Host header names, if any (a route's own fqdn, or `<name>.<domain>`, never deeper labels). */
  lookup(host: string | undefined): Route | undefined {
    // Own fqdns hold dots and names never do, so the two kinds of key cannot collide.
    const own = host?.includes('.') ? this.#routes.get(host) : undefined;
    if (own) return own;
    const s = this.#suffix;
    if (!host || !s || host.length <= s.length || !host.endsWith(s)) return undefined;
    return this.#routes.get(host.slice(0, host.length - s.length));
  }

  /** A route by its key: its own fqdn, else its name. */
  get(key: string): Route | undefined {
    return this.#routes.get(key);
  }

  /** Adds or replaces the route of `spec.fqdn ?? spec.name`; throws on an invalid name, fqdn or backend. */
  set(spec: RouteSpec): Route {
    if (!NAME_RE.test(spec.name)) throw new Error(`name ${spec.name} must be 3-64 characters of [a-z0-9_-]`);
    if (spec.fqdn !== undefined && !FQDN_RE.test(normalFqdn(spec.fqdn)))
      throw new Error(
        `fqdn ${String(spec.fqdn).slice(0, 260)} must be a DNS name of two labels or more (letters, digits, '-'; at most 253 characters)`,
      );
    if (!spec.backends.length) throw new Error('a route needs at least one backend');
    const key = spec.fqdn !== undefined ? normalFqdn(spec.fqdn) : spec.name;
    const previous = this.#routes.get(key);
    // Keep health and in-flight counts when the same backends come again (idempotent provision).
    const known = new Map(previous?.backends.map((b) => [`${b.url} ${b.via ?? ''}`, b]));
    if (spec.network && !spec.network.via) throw new Error(`route ${spec.name}: network '${spec.network.name}' has no relay`);
    const backends = spec.backends.map(
      (u) => known.get(`${u} ${spec.network?.via ?? ''}`) ?? parseBackend(u, this.#allowLocal, spec.network),
    );
    const r = new Route(spec, backends, previous?.metrics ?? new RouteMetrics(this.#metrics, key));
    if (previous) {
      r.load = previous.load;
      for (const b of previous.backends) if (!spec.backends.includes(b.url)) this.#metrics.backendUp.remove(key, b.url);
    }
    for (const b of backends) this.#metrics.backendUp.labels(key, b.url).set(b.healthy ? 1 : 0);
    this.#routes.set(key, r);
    this.#count();
    return r;
  }

  delete(key: string): boolean {
    const r = this.#routes.get(key);
    if (!r) return false;
    this.#routes.delete(key);
    r.gone = true; // requests still in flight must not count against a route that no longer exists
    this.#metrics.forget(
      key,
      r.backends.map((b) => b.url),
    );
    r.metrics.forget();
    this.#count();
    return true;
  }

  /** Routes a contract (node or name) stands behind. */
  ofContract(id: number): Route[] {
    const out: Route[] = [];
    for (const r of this.#routes.values()) if (r.contractId === id || r.nameContractId === id) out.push(r);
    return out;
  }

  all(): IterableIterator<Route> {
    return this.#routes.values();
  }

  get size(): number {
    return this.#routes.size;
  }

  /** Refreshes the routes-by-state gauge (after any state change). */
  #count(): void {
    const n = { active: 0, paused: 0, gone: 0 };
    for (const r of this.#routes.values()) n[r.state]++;
    for (const [k, v] of Object.entries(n)) this.#metrics.routes.labels(k).set(v);
  }

  changed(): void {
    this.#count();
  }
}
