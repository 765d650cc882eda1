/**
 * The `gateway-name-proxy` workload: `<name>.<domain>` proxied to the workload's backends.
 * Admitted only on a gateway node (public config with a domain), only for a name whose name
 * contract belongs to the deployment's own twin and is live, and only with explicit
 * http(s)://host[:port] backends.
 */
import type { Logger } from 'pino';
import type { Workload } from '@tfgrid/client';
import type { Capacity, HandlerContext, ProvisionOptions, WorkloadHandler, WorkloadState } from '../workloads/types';
import { BackendError, parseBackend } from './backends';
import type { GatewayChain, NameContractInfo } from './chain';
import type { Gateway } from './gateway';
import { NAME_RE } from './routes';

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
}

interface ProxyData {
  name: string;
  backends: string[];
}

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
    gw.setDomain(domain);
    await this.#o.onDomain?.(domain);
    // An update keeps the route's pause (and the grace the event feed set) as it was.
    const before = gw.route(data.name);
    const same = before && before.state !== 'gone' && before.contractId === ctx.contractId ? before : undefined;
    const route = gw.addRoute({
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
    this.#log.info({ contractId: ctx.contractId, name: data.name, fqdn: route.fqdn }, 'gateway name provisioned');
    return { name: data.name, fqdn: route.fqdn, domain, name_contract_id: nc.id, backends: data.backends };
  }

  async deprovision(state: WorkloadState): Promise<void> {
    const name = this.#nameOf(state);
    if (name) this.#o.gateway.removeRoute(name);
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

  #data(w: Workload): ProxyData {
    const d = w.data as { name?: unknown; backends?: unknown; tls_passthrough?: unknown };
    if (typeof d.name !== 'string' || !NAME_RE.test(d.name)) throw new Error('name must be 3-64 characters of [a-z0-9_-] (the name contract)');
    if (!Array.isArray(d.backends) || d.backends.length === 0) throw new Error('backends must be a non-empty list of http(s)://host[:port]');
    if (d.backends.length > 16) throw new Error('at most 16 backends');
    try {
      for (const b of d.backends) parseBackend(b, this.#o.allowLocalBackends ?? false);
    } catch (e) {
      if (e instanceof BackendError) throw new Error(e.message);
      throw e;
    }
    if (d.tls_passthrough === true) throw new Error('tls_passthrough is not supported by this gateway');
    return { name: d.name, backends: d.backends as string[] };
  }

  async #check(w: Workload, ctx: HandlerContext, admitting: boolean): Promise<{ data: ProxyData; domain: string; nc: NameContractInfo }> {
    const data = this.#data(w);
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
  #restore(w: Workload, ctx: HandlerContext, previous: WorkloadState, opts?: ProvisionOptions): Record<string, unknown> {
    const data = this.#data(w);
    const r = previous.result ?? {};
    if (r.name !== data.name || typeof r.domain !== 'string' || typeof r.name_contract_id !== 'number') throw new Error('cannot check the name contract before the chain is connected');
    this.#o.gateway.setDomain(r.domain);
    this.#o.gateway.addRoute({ name: data.name, contractId: ctx.contractId, nameContractId: r.name_contract_id, twinId: ctx.twinId, workload: w.name, backends: data.backends, paused: opts?.paused ?? false });
    this.#log.info({ contractId: ctx.contractId, name: data.name }, 'gateway name restored; checked again once connected');
    return { ...r, backends: data.backends };
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
