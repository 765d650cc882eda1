/**
 * The `gateway-name-proxy` workload: `<name>.<domain>` proxied to the workload's backends.
 * Admitted only on a gateway node (public config with a domain), only for a name whose name
 * contract belongs to the deployment's own twin and is live, and only with explicit
 * http(s)://host[:port] backends. With `network` (Zero-OS's GatewayBase field: a private network
 * of the same twin that this node hosts), the backends are http://<ipv4>[:port] addresses inside
 * that network, reached through the network's relay.
 */
import type { Logger } from 'pino';
import { formatIpv4, parseCidr4, type NetworkData, type Workload } from '@tfgrid/client';
import type { HostedNetwork } from '../network/handler';
import type { Capacity, HandlerContext, ProvisionOptions, WorkloadHandler, WorkloadState } from '../workloads/types';
import { BackendError, parseBackend, type BackendNetwork } from './backends';
import type { GatewayChain, NameContractInfo } from './chain';
import type { Gateway } from './gateway';
import { relayNetwork, type NetworkRelays } from './relays';
import { NAME_RE, type RouteInfo, type RouteSpec } from './routes';

/** The private networks a gateway can join: the node's networks (NetworkHandler.hosted) and the relays into them. */
export interface GatewayNetworks {
  hosted(twinId: number, name: string): HostedNetwork | undefined;
  relays: NetworkRelays;
}

export interface GatewayHandlerOptions {
  gateway: Gateway;
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
}

interface ProxyData {
  name: string;
  backends: string[];
  network?: string;
}

/** A network workload's name (the client's rule for workload names). */
const NETWORK_NAME_RE = /^[a-zA-Z0-9_-]{1,50}$/;

/** What the result keeps of the network: its name for the deployer, the rest for a restart (not published: answers/result-data.ts). */
function networkResult(n: HostedNetwork | undefined): Record<string, unknown> {
  return n ? { network: n.name, network_id: n.netId, network_netns: n.netns, network_ip_range: n.ipRange, network_subnet: n.subnet, network_gateway: n.gateway } : {};
}

function savedNetwork(r: Record<string, unknown>, name: string): HostedNetwork | undefined {
  const s = (k: string): string | undefined => (typeof r[k] === 'string' ? (r[k] as string) : undefined);
  const [netId, netns, ipRange, subnet, gateway] = [s('network_id'), s('network_netns'), s('network_ip_range'), s('network_subnet'), s('network_gateway')];
  if (r.network !== name || !netId || !netns || !ipRange || !subnet || gateway === undefined) return undefined;
  return { name, netId, netns, ipRange, subnet, gateway };
}

/** The route's network as the backends are checked against it. */
const backendNetwork = (n: Pick<HostedNetwork, 'name' | 'ipRange' | 'gateway'>, via?: string): BackendNetwork => ({ name: n.name, ipRange: n.ipRange, own: n.gateway ? [n.gateway] : [], ...(via ? { via } : {}) });

const NONE: Capacity = { cru: 0, mru: 0, sru: 0, hru: 0 };

export class GatewayNameProxyHandler implements WorkloadHandler {
  readonly type = 'gateway-name-proxy' as const;
  readonly #o: GatewayHandlerOptions;
  readonly #log: Logger;

  constructor(o: GatewayHandlerOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'gateway-workload' });
  }

  /** A name proxy holds no capacity; this only checks the data. */
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
      if (!hosted) throw new Error(`network '${data.network}' is not up on this node`);
    }
    gw.setDomain(domain);
    await this.#o.onDomain?.(domain);
    // An update keeps the route's pause (and the grace the event feed set) as it was.
    const before = gw.route(data.name);
    const same = before && before.state !== 'gone' && before.contractId === ctx.contractId ? before : undefined;
    const route = await this.#route(data, hosted, {
      name: data.name,
      contractId: ctx.contractId,
      nameContractId: nc.id,
      twinId: ctx.twinId,
      workload: w.name,
      backends: data.backends,
      paused: opts?.paused ?? same?.paused ?? false,
      // the name contract's grace as the chain says now; the node contract's as the events said
      grace: [...(same?.grace ?? []).filter((id) => id !== nc.id), ...(nc.state === 'GracePeriod' ? [nc.id] : [])],
    });
    this.#log.info({ contractId: ctx.contractId, name: data.name, fqdn: route.fqdn, network: data.network }, 'gateway name provisioned');
    return { name: data.name, fqdn: route.fqdn, domain, name_contract_id: nc.id, backends: data.backends, ...networkResult(hosted) };
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
        await relays?.release(data.name);
        return route;
      }
      const via = await relays!.use(data.name, relayNetwork(hosted));
      return this.#o.gateway.addRoute({ ...spec, network: backendNetwork(hosted, via) });
    } catch (e) {
      // The name keeps no relay unless a route on the network holds it.
      if (this.#o.gateway.route(data.name)?.network === undefined) await relays?.release(data.name);
      throw e;
    }
  }

  async deprovision(state: WorkloadState): Promise<void> {
    const name = this.#nameOf(state);
    if (!name) return;
    this.#o.gateway.removeRoute(name);
    await this.#o.networks?.relays.release(name);
  }

  async pause(state: WorkloadState): Promise<void> {
    const name = this.#nameOf(state);
    if (name) this.#o.gateway.pauseWorkload(name, true);
  }

  async resume(state: WorkloadState): Promise<void> {
    const name = this.#nameOf(state);
    if (name) this.#o.gateway.pauseWorkload(name, false);
  }

  /** Agent shutdown: the route goes with the gateway; provision brings it back. */
  async stop(state: WorkloadState): Promise<void> {
    await this.deprovision(state);
  }

  #data(w: Workload, network?: BackendNetwork): ProxyData {
    const d = w.data as { name?: unknown; backends?: unknown; tls_passthrough?: unknown; network?: unknown };
    if (typeof d.name !== 'string' || !NAME_RE.test(d.name)) throw new Error('name must be 3-64 characters of [a-z0-9_-] (the name contract)');
    if (!Array.isArray(d.backends) || d.backends.length === 0) throw new Error('backends must be a non-empty list of http(s)://host[:port]');
    if (d.backends.length > 16) throw new Error('at most 16 backends');
    if (d.network !== undefined && d.network !== null && (typeof d.network !== 'string' || !NETWORK_NAME_RE.test(d.network))) throw new Error('network must be the name of a network workload: 1-50 characters of [a-zA-Z0-9_-]');
    const networkName = typeof d.network === 'string' ? d.network : undefined;
    // Without the network's range (needs() sees only the workload) the URLs are checked for form only.
    const on = networkName ? (network ?? { name: networkName, ipRange: '0.0.0.0/0', own: [] }) : undefined;
    try {
      for (const b of d.backends) parseBackend(b, this.#o.allowLocalBackends ?? false, on);
    } catch (e) {
      if (e instanceof BackendError) throw new Error(e.message);
      throw e;
    }
    if (d.tls_passthrough === true) throw new Error('tls_passthrough is not supported by this gateway');
    return { name: d.name, backends: d.backends as string[], ...(networkName ? { network: networkName } : {}) };
  }

  /**
   * The network a workload names, as this node has it: hosted already (another deployment of the
   * twin, or this one provisioned), or the network workload of the same deployment about to be.
   */
  #network(name: string, ctx: HandlerContext): BackendNetwork {
    if (!this.#o.networks) throw new Error(`network '${name}': this gateway node joins no private networks`);
    const hosted = this.#o.networks.hosted(ctx.twinId, name);
    if (hosted) return backendNetwork(hosted);
    const w = ctx.workload(name);
    if (w?.type === 'network') {
      const d = w.data as unknown as Partial<NetworkData>;
      const subnet = typeof d.subnet === 'string' ? parseCidr4(d.subnet) : undefined;
      return { name, ipRange: typeof d.ip_range === 'string' ? d.ip_range : '', own: subnet ? [formatIpv4(subnet.base + 1)] : [] };
    }
    throw new Error(`network '${name}' is not on this node: no network workload of twin ${ctx.twinId} named '${name}' here (add this node to the network)`);
  }

  async #check(w: Workload, ctx: HandlerContext, admitting: boolean): Promise<{ data: ProxyData; domain: string; nc: NameContractInfo }> {
    const named = (w.data as { network?: unknown }).network;
    // Every backend inside the network's range, now that the range is known.
    const data = typeof named === 'string' && NETWORK_NAME_RE.test(named) ? this.#data(w, this.#network(named, ctx)) : this.#data(w);
    const id = this.#nodeId();
    const chain = this.#chain();
    if (id === undefined || !chain) throw new Error('this node is not registered on the chain yet');
    const domain = await chain.nodeDomain(id);
    if (!domain) throw new Error('this node is not a gateway: its public config has no domain');
    const nc = await chain.nameContract(data.name);
    if (!nc) throw new Error(`no name contract holds ${data.name}`);
    if (nc.twinId !== ctx.twinId) throw new Error(`name ${data.name} is held by twin ${nc.twinId}, not by the deployment's twin ${ctx.twinId}`);
    // A fresh deployment needs a live name; after a restart a name in grace comes back paused.
    if (nc.state === 'Deleted' || (admitting && nc.state !== 'Created')) throw new Error(`name contract ${nc.id} of ${data.name} is ${nc.state}`);
    const held = this.#o.gateway.route(data.name);
    if (held && held.state !== 'gone' && held.contractId !== ctx.contractId) throw new Error(`name ${data.name} is already served for contract ${held.contractId}`);
    return { data, domain, nc };
  }

  #chain(): GatewayChain | undefined {
    return typeof this.#o.chain === 'function' ? this.#o.chain() : this.#o.chain;
  }

  #nodeId(): number | undefined {
    return typeof this.#o.nodeId === 'function' ? this.#o.nodeId() : this.#o.nodeId;
  }

  /** The route as the previous provision left it (its result says the domain and the name contract). */
  async #restore(w: Workload, ctx: HandlerContext, previous: WorkloadState, opts?: ProvisionOptions): Promise<Record<string, unknown>> {
    const data = this.#data(w);
    const r = previous.result ?? {};
    if (r.name !== data.name || typeof r.domain !== 'string' || typeof r.name_contract_id !== 'number') throw new Error('cannot check the name contract before the chain is connected');
    let hosted: HostedNetwork | undefined;
    if (data.network) {
      // The network's contract may come back after this one: its previous result says where it is.
      hosted = this.#o.networks?.hosted(ctx.twinId, data.network) ?? savedNetwork(r, data.network);
      if (!hosted || !this.#o.networks) throw new Error(`network '${data.network}' is not up on this node`);
    }
    this.#o.gateway.setDomain(r.domain);
    await this.#route(data, hosted, { name: data.name, contractId: ctx.contractId, nameContractId: r.name_contract_id, twinId: ctx.twinId, workload: w.name, backends: data.backends, paused: opts?.paused ?? false });
    this.#log.info({ contractId: ctx.contractId, name: data.name, network: data.network }, 'gateway name restored; checked again once connected');
    return { ...r, backends: data.backends, ...networkResult(hosted) };
  }

  /**
   * Checks every route against the chain again (after connecting): a name contract gone, no
   * longer the route's, or not its twin's → gone (404); in grace → 503 until it ends.
   */
  async revalidate(): Promise<void> {
    const chain = this.#chain();
    if (!chain) return;
    const gw = this.#o.gateway;
    for (const r of gw.routes()) {
      if (r.state === 'gone') continue;
      let nc;
      try {
        nc = await chain.nameContract(r.name);
      } catch (e) {
        this.#log.warn({ name: r.name, err: (e as Error).message }, 'name contract check failed; kept as it is');
        continue;
      }
      const lost = !nc || nc.state === 'Deleted' || (r.nameContractId !== undefined && nc.id !== r.nameContractId) || (r.twinId !== undefined && nc.twinId !== r.twinId);
      if (lost) {
        this.#log.warn({ name: r.name, contractId: r.contractId }, 'name contract no longer held: name taken down');
        gw.setRouteState(r.name, 'gone');
      } else gw.setGrace(r.name, nc!.id, nc!.state === 'GracePeriod');
    }
  }

  #nameOf(state: WorkloadState): string | undefined {
    const n = state.result?.name;
    if (typeof n === 'string') {
      const r = this.#o.gateway.route(n);
      // Only the workload that holds the route may take it down.
      return r && r.contractId === state.contractId ? n : undefined;
    }
    return this.#o.gateway.routeOf(state.contractId, state.name)?.name;
  }
}
