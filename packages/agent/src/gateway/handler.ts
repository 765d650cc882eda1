/**
 * The two gateway workloads (Zero-OS's GatewayBase and its kinds), one handler with a type each:
 *
 * - `gateway-name-proxy`: `<name>.<domain>` proxied to the workload's backends, only for a name
 *   whose name contract belongs to the deployment's own twin and is live.
 * - `gateway-fqdn-proxy`: the deployer's own domain `fqdn` (its DNS points at this node) proxied to
 *   the backends. No name contract: the domain is the deployer's. Refused when it is this node's
 *   domain or under it (those names are for name contracts), when another workload serves it, or
 *   when it is no domain name. Without ACME (`--acme-directory`) it is served on HTTP only, and
 *   its result says why HTTPS is not.
 *
 * Both are admitted only on a gateway node (public config with a domain) whose data plane is
 * available, with explicit http(s)://host[:port] backends (with `tls_passthrough`: IP:port, routed
 * by SNI). With `network` (a private network of the same twin that this node hosts), the backends
 * are http://<ipv4>[:port] addresses inside that network, reached through the network's relay.
 * Neither holds capacity; the bytes they carry are counted per node contract (NRU).
 */
import type { Logger } from 'pino';
import {
  fqdnProblem,
  fqdnUnderDomain,
  formatIpv4,
  gatewayBackendProblem,
  GATEWAY_NAME,
  MAX_GATEWAY_BACKENDS,
  normalFqdn,
  parseCidr4,
  type NetworkData,
  type Workload,
} from '@tfgrid/client';
import { CodedError } from '../core/coded-error';
import type { HostedNetwork } from '../network/handler';
import type { Capacity, HandlerContext, ProvisionOptions, WorkloadHandler, WorkloadState } from '../core/workload-types';
import { BackendError, parseBackend, type BackendNetwork } from './routes/backends';
import type { GatewayChain, NameContractInfo } from './chain';
import type { Gateway, GatewayStatus } from './gateway';
import { relayNetwork, type NetworkRelays } from './relays';
import type { RouteInfo, RouteSpec } from './routes/table';

/** The private networks a gateway can join: the node's networks (NetworkHandler.hosted) and the relays into them. */
export interface GatewayNetworks {
  hosted(twinId: number, name: string): HostedNetwork | undefined;
  relays: NetworkRelays;
}

/**
 * What the handlers ask of the data plane (Gateway, or any engine with the same route API);
 * `settled` resolves once every change made so far is served, where changes are applied later.
 */
export type GatewayRoutes = Pick<
  Gateway,
  'addRoute' | 'removeRoute' | 'route' | 'routes' | 'routeOf' | 'pauseWorkload' | 'setRouteState' | 'setGrace' | 'setDomain' | 'status'
> & { settled?(): Promise<void> };

export interface GatewayHandlerOptions {
  gateway: GatewayRoutes;
  /** The chain lookups; a getter while the agent is not connected yet (recovery runs before that). */
  chain: GatewayChain | (() => GatewayChain | undefined);
  /** This node's id (known after registration). */
  nodeId: number | (() => number | undefined);
  logger: Logger;
  /** Must match the gateway's allowLocalBackends (tests). Default false. */
  allowLocalBackends?: boolean;
  /** Told the domain at each provision (GatewayService starts the listeners on it). */
  onDomain?: (domain: string) => void | Promise<void>;
  /** Private networks (the workload's `network`); none: a workload naming one is refused. */
  networks?: GatewayNetworks;
  /** Own domains get certificates by ACME (the node has `--acme-directory`); else they are served on HTTP only. */
  acme?: boolean;
}

export type GatewayWorkloadType = 'gateway-name-proxy' | 'gateway-fqdn-proxy';

export type GatewayWorkloadErrorCode =
  | 'GATEWAY_INVALID'
  | 'GATEWAY_UNAVAILABLE'
  | 'GATEWAY_NOT_REGISTERED'
  | 'GATEWAY_NO_DOMAIN'
  | 'GATEWAY_NETWORK'
  | 'GATEWAY_NAME_CONTRACT'
  | 'GATEWAY_TAKEN'
  | 'FQDN_INVALID'
  | 'FQDN_OWN_DOMAIN';

/** Why a gateway workload is refused; the message is the reason the node's answer carries. */
export class GatewayWorkloadError extends CodedError<GatewayWorkloadErrorCode> {}

const fail = (code: GatewayWorkloadErrorCode, message: string): never => {
  throw new GatewayWorkloadError(code, message);
};

interface ProxyData {
  /** The route table's key: the name, or the fqdn in lower case. */
  key: string;
  /** The name contract's name (name proxies). */
  name?: string;
  /** The own domain, lower case (fqdn proxies). */
  fqdn?: string;
  /** As the workload gives them (the result repeats them). */
  backends: string[];
  tlsPassthrough: boolean;
  network?: string;
}

/** A network workload's name (the client's rule for workload names). */
const NETWORK_NAME_RE = /^[a-zA-Z0-9_-]{1,50}$/;

/** What the result keeps of the network: its name for the deployer, the rest for a restart (not published: answers/result-data.ts). */
function networkResult(n: HostedNetwork | undefined): Record<string, unknown> {
  return n
    ? {
        network: n.name,
        network_id: n.netId,
        network_netns: n.netns,
        network_ip_range: n.ipRange,
        network_subnet: n.subnet,
        network_gateway: n.gateway,
      }
    : {};
}

function savedNetwork(r: Record<string, unknown>, name: string): HostedNetwork | undefined {
  const s = (k: string): string | undefined => (typeof r[k] === 'string' ? (r[k] as string) : undefined);
  const [netId, netns, ipRange, subnet, gateway] = [
    s('network_id'),
    s('network_netns'),
    s('network_ip_range'),
    s('network_subnet'),
    s('network_gateway'),
  ];
  if (r.network !== name || !netId || !netns || !ipRange || !subnet || gateway === undefined) return undefined;
  return { name, netId, netns, ipRange, subnet, gateway };
}

/** The route's network as the backends are checked against it. */
const backendNetwork = (n: Pick<HostedNetwork, 'name' | 'ipRange' | 'gateway'>, via?: string): BackendNetwork => ({
  name: n.name,
  ipRange: n.ipRange,
  own: n.gateway ? [n.gateway] : [],
  ...(via ? { via } : {}),
});

/**
 * A backend as the route table takes it: a passthrough backend `IP:port` is the TLS endpoint
 * `https://IP:port` (the route hands it the connection as it came, by SNI); the rest as given.
 */
const routeBackend = (b: string, passthrough: boolean): string => (passthrough ? `https://${b}` : b);

/** An fqdn proxy's route needs a name (the route table's rule); the contract's keeps it unique per contract and readable in logs. */
const fqdnRouteName = (contractId: number): string => `fqdn-${contractId}`;

const NONE: Capacity = { cru: 0, mru: 0, sru: 0, hru: 0 };

export class GatewayProxyHandler implements WorkloadHandler {
  readonly type: GatewayWorkloadType;
  readonly #o: GatewayHandlerOptions;
  readonly #log: Logger;

  constructor(type: GatewayWorkloadType, o: GatewayHandlerOptions) {
    this.type = type;
    this.#o = o;
    this.#log = o.logger.child({ module: 'gateway-workload', type });
  }

  get #fqdnKind(): boolean {
    return this.type === 'gateway-fqdn-proxy';
  }

  /** A gateway workload holds no capacity; this only checks the data. */
  needs(w: Workload): Capacity {
    this.#data(w);
    return { ...NONE };
  }

  async admit(w: Workload, ctx: HandlerContext): Promise<void> {
    await this.#check(w, ctx, true);
  }

  /** Adds (or updates) the route; a workload recovered paused comes back paused, never serving in between. */
  async provision(w: Workload, ctx: HandlerContext, previous?: WorkloadState, opts?: ProvisionOptions): Promise<Record<string, unknown>> {
    // Recovery runs before the agent reaches the chain: bring the route back as it was; revalidate() checks it once connected.
    if (previous && (!this.#chain() || this.#nodeId() === undefined)) return this.#restore(w, ctx, previous, opts);
    const { data, domain, nc } = await this.#check(w, ctx, false);
    const gw = this.#o.gateway;
    let hosted: HostedNetwork | undefined;
    if (data.network) {
      hosted = this.#o.networks!.hosted(ctx.twinId, data.network); // #check made sure of both
      if (!hosted) fail('GATEWAY_NETWORK', `network '${data.network}' is not up on this node`);
    }
    gw.setDomain(domain);
    await this.#o.onDomain?.(domain);
    // An update keeps the route's pause (and the grace the event feed set) as it was.
    const before = gw.route(data.key);
    const same = before && before.state !== 'gone' && before.contractId === ctx.contractId ? before : undefined;
    const route = await this.#route(data, hosted, {
      ...this.#spec(data, w, ctx, nc?.id),
      paused: opts?.paused ?? same?.paused ?? false,
      // the name contract's grace as the chain says now; the node contract's as the events said
      grace: [...(same?.grace ?? []).filter((id) => id !== nc?.id), ...(nc?.state === 'GracePeriod' ? [nc.id] : [])],
    });
    this.#log.info(
      { contractId: ctx.contractId, key: data.key, fqdn: route.fqdn, network: data.network, tlsPassthrough: data.tlsPassthrough },
      'gateway workload provisioned',
    );
    return this.#result(data, route.fqdn, domain, nc?.id, hosted);
  }

  /** What the deployer is told (answers/result-data.ts picks the shared part) and what a restart needs. */
  #result(
    data: ProxyData,
    fqdn: string | undefined,
    domain: string,
    nameContractId: number | undefined,
    hosted: HostedNetwork | undefined,
  ): Record<string, unknown> {
    const common = { backends: data.backends, tls_passthrough: data.tlsPassthrough, domain, ...networkResult(hosted) };
    if (!this.#fqdnKind) return { name: data.name, fqdn, name_contract_id: nameContractId, ...common };
    return { fqdn: data.fqdn, https: this.#https(data), ...common };
  }

  /** How the own domain is served over TLS: by its backends (passthrough), with an ACME certificate, or not (and why). */
  #https(data: ProxyData): string {
    if (data.tlsPassthrough) return 'passthrough: TLS goes to the backends as it came';
    if (this.#o.acme) return 'certificate by ACME (HTTP-01), renewed before it expires';
    return `refused: this gateway node has no ACME directory (--acme-directory), so ${data.fqdn} is served on HTTP only`;
  }

  #spec(data: ProxyData, w: Workload, ctx: HandlerContext, nameContractId: number | undefined): Omit<RouteSpec, 'network'> {
    return {
      name: data.name ?? fqdnRouteName(ctx.contractId),
      ...(data.fqdn ? { fqdn: data.fqdn } : {}),
      ...(data.tlsPassthrough ? { tlsPassthrough: true } : {}),
      contractId: ctx.contractId,
      ...(nameContractId !== undefined ? { nameContractId } : {}),
      twinId: ctx.twinId,
      workload: w.name,
      backends: data.backends.map((b) => routeBackend(b, data.tlsPassthrough)),
    };
  }

  /**
   * Sets the route; on a network, its relay first (so the first request finds it listening). A
   * route that leaves a network, or fails to be set, gives its relay back.
   */
  async #route(data: ProxyData, hosted: HostedNetwork | undefined, spec: Omit<RouteSpec, 'network'>): Promise<RouteInfo> {
    const relays = this.#o.networks?.relays;
    try {
      if (!hosted) {
        const route = this.#o.gateway.addRoute(spec);
        await relays?.release(data.key);
        await this.#applied(true);
        return route;
      }
      const via = await relays!.use(data.key, relayNetwork(hosted));
      const route = this.#o.gateway.addRoute({ ...spec, network: backendNetwork(hosted, via) });
      await this.#applied(true);
      return route;
    } catch (e) {
      // The key keeps no relay unless a route on the network holds it.
      if (this.#o.gateway.route(data.key)?.network === undefined) await relays?.release(data.key);
      if (e instanceof GatewayWorkloadError) throw e;
      throw new GatewayWorkloadError('GATEWAY_INVALID', (e as Error).message);
    }
  }

  async deprovision(state: WorkloadState): Promise<void> {
    const key = this.#keyOf(state);
    if (!key) return;
    this.#o.gateway.removeRoute(key);
    await this.#applied();
    await this.#o.networks?.relays.release(key);
  }

  async pause(state: WorkloadState): Promise<void> {
    const key = this.#keyOf(state);
    if (key) this.#o.gateway.pauseWorkload(key, true);
    await this.#applied();
  }

  async resume(state: WorkloadState): Promise<void> {
    const key = this.#keyOf(state);
    if (key) this.#o.gateway.pauseWorkload(key, false);
    await this.#applied();
  }

  /** Agent shutdown: the route goes with the gateway; provision brings it back. */
  async stop(state: WorkloadState): Promise<void> {
    await this.deprovision(state);
  }

  /** The workload's data as this node serves it (the client's rules, then this node's own: local backends, networks). */
  #data(w: Workload, network?: BackendNetwork): ProxyData {
    const d = w.data as { name?: unknown; fqdn?: unknown; backends?: unknown; tls_passthrough?: unknown; network?: unknown };
    let name: string | undefined;
    let fqdn: string | undefined;
    if (this.#fqdnKind) {
      const why = fqdnProblem(d.fqdn);
      if (why) fail('FQDN_INVALID', `fqdn ${why}`);
      fqdn = normalFqdn(d.fqdn as string);
    } else {
      if (typeof d.name !== 'string' || !GATEWAY_NAME.test(d.name))
        fail('GATEWAY_INVALID', 'name must be 3-64 characters of [a-z0-9_-] (the name contract)');
      name = d.name as string;
    }
    if (d.tls_passthrough !== undefined && typeof d.tls_passthrough !== 'boolean')
      fail('GATEWAY_INVALID', 'tls_passthrough must be true or false');
    const tlsPassthrough = d.tls_passthrough === true;
    if (!Array.isArray(d.backends) || d.backends.length === 0)
      fail(
        'GATEWAY_INVALID',
        tlsPassthrough ? 'backends must be a non-empty list of IP:port' : 'backends must be a non-empty list of http(s)://host[:port]',
      );
    const backends = d.backends as unknown[];
    if (backends.length > MAX_GATEWAY_BACKENDS) fail('GATEWAY_INVALID', `at most ${MAX_GATEWAY_BACKENDS} backends`);
    if (d.network !== undefined && d.network !== null && (typeof d.network !== 'string' || !NETWORK_NAME_RE.test(d.network)))
      fail('GATEWAY_INVALID', 'network must be the name of a network workload: 1-50 characters of [a-zA-Z0-9_-]');
    const networkName = typeof d.network === 'string' ? d.network : undefined;
    if (tlsPassthrough && networkName)
      fail(
        'GATEWAY_INVALID',
        'tls_passthrough to backends on a private network is not supported by this gateway (give public IP:port backends, or terminate TLS here)',
      );
    // Without the network's range (needs() sees only the workload) the URLs are checked for form only.
    const on = networkName ? (network ?? { name: networkName, ipRange: '0.0.0.0/0', own: [] }) : undefined;
    for (const b of backends) {
      // A passthrough backend has no URL form of its own: the client's rule first, then the URL's.
      const form = tlsPassthrough ? gatewayBackendProblem(b, true) : undefined;
      if (form) fail('GATEWAY_INVALID', `backend ${String(b).slice(0, 300)}: ${form}`);
      try {
        parseBackend(routeBackend(b as string, tlsPassthrough), this.#o.allowLocalBackends ?? false, on);
      } catch (e) {
        if (e instanceof BackendError)
          fail(
            'GATEWAY_INVALID',
            tlsPassthrough ? e.message.replace(`backend https://${b as string}`, `backend ${b as string}`) : e.message,
          );
        throw e;
      }
    }
    return {
      key: fqdn ?? name!,
      ...(name ? { name } : {}),
      ...(fqdn ? { fqdn } : {}),
      backends: backends as string[],
      tlsPassthrough,
      ...(networkName ? { network: networkName } : {}),
    };
  }

  /**
   * The network a workload names, as this node has it: hosted already (another deployment of the
   * twin, or this one provisioned), or the network workload of the same deployment about to be.
   */
  #network(name: string, ctx: HandlerContext): BackendNetwork {
    if (!this.#o.networks) fail('GATEWAY_NETWORK', `network '${name}': this gateway node joins no private networks`);
    const hosted = this.#o.networks!.hosted(ctx.twinId, name);
    if (hosted) return backendNetwork(hosted);
    const w = ctx.workload(name);
    if (w?.type === 'network') {
      const d = w.data as unknown as Partial<NetworkData>;
      const subnet = typeof d.subnet === 'string' ? parseCidr4(d.subnet) : undefined;
      return { name, ipRange: typeof d.ip_range === 'string' ? d.ip_range : '', own: subnet ? [formatIpv4(subnet.base + 1)] : [] };
    }
    return fail(
      'GATEWAY_NETWORK',
      `network '${name}' is not on this node: no network workload of twin ${ctx.twinId} named '${name}' here (add this node to the network)`,
    );
  }

  async #check(w: Workload, ctx: HandlerContext, admitting: boolean): Promise<{ data: ProxyData; domain: string; nc?: NameContractInfo }> {
    // The data plane first: without it no gateway workload can be served, whatever its data.
    const unavailable = (this.#o.gateway.status() as GatewayStatus & { unavailable?: string }).unavailable;
    if (unavailable) fail('GATEWAY_UNAVAILABLE', `this node serves no gateway workloads: ${unavailable}`);
    const named = (w.data as { network?: unknown }).network;
    // Every backend inside the network's range, now that the range is known.
    const data = typeof named === 'string' && NETWORK_NAME_RE.test(named) ? this.#data(w, this.#network(named, ctx)) : this.#data(w);
    const id = this.#nodeId();
    const chain = this.#chain();
    if (id === undefined || !chain) fail('GATEWAY_NOT_REGISTERED', 'this node is not registered on the chain yet');
    const domain = await chain!.nodeDomain(id!);
    if (!domain) fail('GATEWAY_NO_DOMAIN', 'this node is not a gateway: its public config has no domain');
    const held = this.#o.gateway.route(data.key);
    // Another contract's route, or another workload of this deployment that still serves it (a renamed workload takes its route over).
    const taken =
      held &&
      held.state !== 'gone' &&
      (held.contractId !== ctx.contractId ||
        (held.workload !== undefined && held.workload !== w.name && ctx.workload(held.workload)?.type === this.type));
    if (data.fqdn !== undefined) {
      if (fqdnUnderDomain(data.fqdn, domain!))
        fail(
          'FQDN_OWN_DOMAIN',
          `fqdn ${data.fqdn} is this gateway's own domain ${domain} or under it: names there are served for name contracts (reserve a name and deploy a gateway-name-proxy instead)`,
        );
      if (taken) fail('GATEWAY_TAKEN', `fqdn ${data.fqdn} is already served for contract ${held!.contractId}`);
      return { data, domain: domain! };
    }
    const nc = await chain!.nameContract(data.name!);
    if (!nc) fail('GATEWAY_NAME_CONTRACT', `no name contract holds ${data.name}`);
    if (nc!.twinId !== ctx.twinId)
      fail('GATEWAY_NAME_CONTRACT', `name ${data.name} is held by twin ${nc!.twinId}, not by the deployment's twin ${ctx.twinId}`);
    // A fresh deployment needs a live name; after a restart a name in grace comes back paused.
    if (nc!.state === 'Deleted' || (admitting && nc!.state !== 'Created'))
      fail('GATEWAY_NAME_CONTRACT', `name contract ${nc!.id} of ${data.name} is ${nc!.state}`);
    if (taken) fail('GATEWAY_TAKEN', `name ${data.name} is already served for contract ${held!.contractId}`);
    return { data, domain: domain!, nc: nc! };
  }

  /**
   * Once the data plane serves every change made so far (a gateway that applies them at once has
   * nothing to wait for). A route being set fails with it; a removal or pause is only logged (the
   * route table already says so, and the plane is brought back to it).
   */
  async #applied(strict = false): Promise<void> {
    try {
      await this.#o.gateway.settled?.();
    } catch (e) {
      if (strict) throw e;
      this.#log.warn({ err: (e as Error).message }, 'gateway change not applied yet');
    }
  }

  #chain(): GatewayChain | undefined {
    return typeof this.#o.chain === 'function' ? this.#o.chain() : this.#o.chain;
  }

  #nodeId(): number | undefined {
    return typeof this.#o.nodeId === 'function' ? this.#o.nodeId() : this.#o.nodeId;
  }

  /** The route as the previous provision left it (its result says the domain and, for a name, its name contract). */
  async #restore(w: Workload, ctx: HandlerContext, previous: WorkloadState, opts?: ProvisionOptions): Promise<Record<string, unknown>> {
    const data = this.#data(w);
    const r = previous.result ?? {};
    const same = this.#fqdnKind ? r.fqdn === data.fqdn : r.name === data.name && typeof r.name_contract_id === 'number';
    if (!same || typeof r.domain !== 'string')
      fail(
        'GATEWAY_NOT_REGISTERED',
        this.#fqdnKind
          ? 'cannot check the domain before the chain is connected'
          : 'cannot check the name contract before the chain is connected',
      );
    let hosted: HostedNetwork | undefined;
    if (data.network) {
      // The network's contract may come back after this one: its previous result says where it is.
      hosted = this.#o.networks?.hosted(ctx.twinId, data.network) ?? savedNetwork(r, data.network);
      if (!hosted || !this.#o.networks) fail('GATEWAY_NETWORK', `network '${data.network}' is not up on this node`);
    }
    this.#o.gateway.setDomain(r.domain as string);
    const nameContractId = typeof r.name_contract_id === 'number' ? r.name_contract_id : undefined;
    await this.#route(data, hosted, { ...this.#spec(data, w, ctx, nameContractId), paused: opts?.paused ?? false });
    this.#log.info(
      { contractId: ctx.contractId, key: data.key, network: data.network },
      'gateway workload restored; checked again once connected',
    );
    return { ...r, ...this.#result(data, typeof r.fqdn === 'string' ? r.fqdn : undefined, r.domain as string, nameContractId, hosted) };
  }

  /**
   * Checks this type's routes against the chain again (after connecting). Names: a name contract
   * gone, no longer the route's, or not its twin's → gone (404); in grace → 503 until it ends.
   * Own domains: one the node's domain now covers → gone (it is a name contract's to serve).
   */
  async revalidate(): Promise<void> {
    const chain = this.#chain();
    if (!chain) return;
    const gw = this.#o.gateway;
    if (this.#fqdnKind) return this.#revalidateFqdns(chain);
    for (const r of gw.routes()) {
      if (r.state === 'gone' || r.ownFqdn) continue;
      let nc;
      try {
        nc = await chain.nameContract(r.name);
      } catch (e) {
        this.#log.warn({ name: r.name, err: (e as Error).message }, 'name contract check failed; kept as it is');
        continue;
      }
      const lost =
        !nc ||
        nc.state === 'Deleted' ||
        (r.nameContractId !== undefined && nc.id !== r.nameContractId) ||
        (r.twinId !== undefined && nc.twinId !== r.twinId);
      if (lost) {
        this.#log.warn({ name: r.name, contractId: r.contractId }, 'name contract no longer held: name taken down');
        gw.setRouteState(r.name, 'gone');
      } else gw.setGrace(r.name, nc!.id, nc!.state === 'GracePeriod');
    }
  }

  async #revalidateFqdns(chain: GatewayChain): Promise<void> {
    const id = this.#nodeId();
    if (id === undefined) return;
    let domain: string | null;
    try {
      domain = await chain.nodeDomain(id);
    } catch (e) {
      this.#log.warn({ err: (e as Error).message }, 'node domain check failed; own domains kept as they are');
      return;
    }
    for (const r of this.#o.gateway.routes()) {
      if (r.state === 'gone' || !r.ownFqdn || !r.fqdn || !domain || !fqdnUnderDomain(r.fqdn, domain)) continue;
      this.#log.warn({ fqdn: r.fqdn, contractId: r.contractId, domain }, "own domain now under the node's domain: taken down");
      this.#o.gateway.setRouteState(r.fqdn, 'gone');
    }
  }

  /** The route key a workload's state holds, when the route is still that workload's. */
  #keyOf(state: WorkloadState): string | undefined {
    const k = this.#fqdnKind ? state.result?.fqdn : state.result?.name;
    if (typeof k === 'string') {
      const r = this.#o.gateway.route(k);
      // Only the workload that holds the route may take it down (not one it was renamed from).
      return r && r.contractId === state.contractId && (r.workload === undefined || r.workload === state.name) ? k : undefined;
    }
    const r = this.#o.gateway.routeOf(state.contractId, state.name);
    return r ? (r.ownFqdn ? r.fqdn : r.name) : undefined;
  }
}

/** `gateway-name-proxy`: `<name>.<domain>` for a name contract of the deployment's twin. */
export class GatewayNameProxyHandler extends GatewayProxyHandler {
  constructor(o: GatewayHandlerOptions) {
    super('gateway-name-proxy', o);
  }
}

/** `gateway-fqdn-proxy`: the deployer's own domain, its DNS pointing at this node. */
export class GatewayFqdnProxyHandler extends GatewayProxyHandler {
  constructor(o: GatewayHandlerOptions) {
    super('gateway-fqdn-proxy', o);
  }
}
