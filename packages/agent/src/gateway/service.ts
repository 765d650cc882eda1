/**
 * The gateway as one of the node's services: the workload handler registered on the
 * provisioner, the listeners started once the node has a public config domain (at start, or
 * when a NodePublicConfigStored event or a provision brings one), contract events applied to
 * the routes. {start, stop, status}, like the agent's other services.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NruSink, WorkloadHandler } from '../core/workload-types';
import type { GatewayChain } from './chain';
import { contractEffect, publicConfigDomain, type ContractEventLike } from './events';
import type { Gateway, GatewayStatus } from './gateway';
import { GatewayFqdnProxyHandler, GatewayNameProxyHandler, type GatewayHandlerOptions, type GatewayNetworks } from './handler';
import type { GatewayLimits } from './routes/options';
import { gatewayFromConfig, type GatewayConfig } from './setup';

/** The two follower hooks the service needs (ContractFollower has both). */
export interface GatewayEventSource {
  onEvent(l: (e: ContractEventLike) => void | Promise<void>): () => void;
  onContractEvent(l: (ce: unknown, e: ContractEventLike) => void | Promise<void>): () => void;
}

export interface GatewayServiceOptions {
  config: GatewayConfig;
  /** Where the handler goes (Provisioner.register) — before recover(), so gateway workloads come back. */
  provisioner: { register(h: WorkloadHandler): void };
  /** The agent's metrics registry. */
  registry: Registry;
  logger: Logger;
  limits?: Partial<GatewayLimits>;
  /** Tests and one-machine setups only: backends on loopback. */
  allowLocalBackends?: boolean;
  /** The node's private networks and the relays into them (workloads with `network`); none: refused. */
  networks?: GatewayNetworks;
  /**
   * When the service is built after the node is connected and registered, give these here and
   * call start() without arguments; else give them to start().
   */
  chain?: GatewayChain;
  nodeId?: number;
  events?: GatewayEventSource;
  nru?: NruSink;
}

/** What exists once the node is connected and registered. */
export interface GatewayServiceStart {
  /** `gatewayChain(client)`. */
  chain: GatewayChain;
  nodeId: number;
  /** The contract follower. */
  events: GatewayEventSource;
  /** The NRU report queue. */
  nru: NruSink;
}

const NO_EVENTS: GatewayEventSource = { onEvent: () => () => undefined, onContractEvent: () => () => undefined };

export class GatewayService {
  readonly gateway: Gateway;
  readonly handler: GatewayNameProxyHandler;
  /** gateway-fqdn-proxy: own domains (no name contract). */
  readonly fqdnHandler: GatewayFqdnProxyHandler;
  readonly #log: Logger;
  readonly #given: Partial<GatewayServiceStart>;
  #live: GatewayServiceStart | undefined;
  #unsubscribe: (() => void)[] = [];
  #starting: Promise<void> | undefined;
  readonly #networks: GatewayNetworks | undefined;

  /** Construct before the provisioner recovers: the handler brings recovered names back (checked again at start()). */
  constructor(o: GatewayServiceOptions) {
    this.#log = o.logger.child({ module: 'gateway-service' });
    this.#given = {
      ...(o.chain ? { chain: o.chain } : {}),
      ...(o.nodeId !== undefined ? { nodeId: o.nodeId } : {}),
      ...(o.events ? { events: o.events } : {}),
      ...(o.nru ? { nru: o.nru } : {}),
    };
    // Given up front: the chain is reachable already, so provisions check it (no restore needed).
    if (o.chain && o.nodeId !== undefined && o.nru)
      this.#live = { chain: o.chain, nodeId: o.nodeId, nru: o.nru, events: o.events ?? NO_EVENTS };
    const allowLocalBackends = o.allowLocalBackends ?? false;
    this.#networks = o.networks;
    // Bytes counted before start() have no listener to come from; the sink is the NRU queue once started.
    const nru: NruSink = { add: (id, bytes) => this.#live?.nru.add(id, bytes) };
    this.gateway = gatewayFromConfig(o.config, {
      logger: o.logger,
      registry: o.registry,
      nru,
      domain: '',
      allowLocalBackends,
      ...(o.limits ? { limits: o.limits } : {}),
    });
    const handlerOptions: GatewayHandlerOptions = {
      gateway: this.gateway,
      chain: () => this.#live?.chain,
      nodeId: () => this.#live?.nodeId,
      logger: o.logger,
      allowLocalBackends,
      onDomain: (d) => this.#serve(d),
      ...(o.networks ? { networks: o.networks } : {}),
      acme: o.config.acmeDirectory !== undefined,
    };
    this.handler = new GatewayNameProxyHandler(handlerOptions);
    this.fqdnHandler = new GatewayFqdnProxyHandler(handlerOptions);
    // Registered on every node: a gateway workload sent to a node without a domain is then refused with that reason.
    o.provisioner.register(this.handler);
    o.provisioner.register(this.fqdnHandler);
  }

  /** Subscribes to the follower, checks recovered names, reads the node's domain and listens if there is one. */
  async start(given?: Partial<GatewayServiceStart>): Promise<void> {
    const o = { ...this.#given, ...given };
    if (!o.chain || o.nodeId === undefined || !o.events || !o.nru)
      throw new Error('GatewayService.start needs chain, nodeId, events and nru (here or in the constructor)');
    const live: GatewayServiceStart = { chain: o.chain, nodeId: o.nodeId, events: o.events, nru: o.nru };
    this.#live = live;
    const { events, nodeId } = live;
    this.#unsubscribe.push(
      events.onContractEvent((_ce, e) => {
        if (contractEffect(e)) this.gateway.applyContractEvent(e);
      }),
      events.onEvent(async (e) => {
        const d = publicConfigDomain(e, nodeId);
        if (d) await this.#serve(d);
        else if (d === null) this.gateway.setDomain(null); // no domain any more: every name answers 404
      }),
    );
    await this.handler.revalidate();
    await this.fqdnHandler.revalidate();
    // Relays a previous run left for networks no route uses any more (the recovered routes hold theirs).
    const ended = await this.#networks?.relays.sweep();
    if (ended?.length) this.#log.info({ networks: ended }, 'network relays of a previous run ended');
    const domain = await live.chain.nodeDomain(nodeId);
    if (domain) await this.#serve(domain);
    else {
      this.gateway.setDomain(null);
      this.#log.info('no public config domain: not a gateway node (the gateway starts when one is set)');
    }
  }
  async stop(): Promise<void> {
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    await this.#starting?.catch(() => undefined);
    await this.gateway.stop();
    await this.#networks?.relays.stop();
  }

  status(): GatewayStatus {
    return this.gateway.status();
  }

  /** Sets the domain and starts the listeners once (a failed start is logged and tried again on the next domain news). */
  #serve(domain: string): Promise<void> {
    this.gateway.setDomain(domain);
    if (this.gateway.status().state !== 'idle') return this.#starting ?? Promise.resolve();
    this.#starting = this.gateway.start().catch((e: unknown) => {
      this.#log.error({ err: (e as Error).message }, 'gateway failed to start');
    });
    return this.#starting;
  }
}
