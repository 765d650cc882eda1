/**
 * The node's services once it is registered: the contract follower (with reconciliation), the
 * power manager, the resource and NRU reporters, and (on a node with a public domain) the Web
 * Gateway. Each is a child task with its own AbortController; stop() drains them in order:
 * no new events first, then the reporters (the NRU queue saves itself), then the gateway.
 */
import type { Logger } from 'pino';
import type { TfchainClient } from '@tfgrid/client';
import type { AgentConfig } from './config';
import { ContractFollower, type FollowerStatus } from './contracts/follower';
import { isLive, type ProvisionerPort } from './contracts/provisioner';
import type { Identity } from './identity';
import type { AgentMetrics } from './metrics';
import { PowerManager, type PowerStatus } from './power';
import { NruQueue } from './reports/nru';
import { ResourceReporter } from './reports/resources';
import type { NruSink } from './workloads/types';

export interface ServicesOptions {
  config: AgentConfig;
  client: TfchainClient;
  nodeId: number;
  identity: Identity;
  provisioner: ProvisionerPort;
  logger: Logger;
  metrics: AgentMetrics;
  retryMinMs: number;
  retryMaxMs: number;
  eventsPollMs?: number;
}

export interface ServicesStatus {
  contracts: FollowerStatus;
  power: PowerStatus;
  resourceReports: ReturnType<ResourceReporter['status']>;
  nru: ReturnType<NruQueue['status']>;
}

export class NodeServices {
  readonly follower: ContractFollower;
  readonly power: PowerManager;
  readonly reporter: ResourceReporter;
  readonly nru: NruQueue;
  readonly #o: ServicesOptions;
  readonly #log: Logger;
  #powerTask: Promise<void> | undefined;
  #stops: (() => Promise<void>)[] = [];

  constructor(o: ServicesOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'services' });
    const retry = { retryMinMs: o.retryMinMs, retryMaxMs: o.retryMaxMs };
    const { client, nodeId, provisioner, logger, metrics, config } = o;
    this.follower = new ContractFollower({
      client,
      nodeId,
      nodeSeed: () => o.identity.seed(),
      provisioner,
      dataDir: config.dataDir,
      logger,
      metrics,
      reconcileIntervalMs: config.reconcileIntervalSec * 1000,
      ...retry,
      ...(o.eventsPollMs ? { pollMs: o.eventsPollMs } : {}),
    });
    this.power = new PowerManager({ client, nodeId, logger, metrics, ...(config.shutdownHook ? { shutdownHook: config.shutdownHook } : {}), ...retry });
    this.reporter = new ResourceReporter({ client, provisioner, logger, metrics, ...retry });
    this.nru = new NruQueue({ client, dataDir: config.dataDir, logger, metrics, intervalMs: config.nruIntervalSec * 1000, accept: (id) => isLive(provisioner, id), ...retry });
    this.follower.onEvent(this.power.onEvent);
  }

  /** Where network usage goes (the gateway counts bytes per contract into it). */
  get nruSink(): NruSink {
    return this.nru;
  }

  async start(signal: AbortSignal): Promise<void> {
    // Reporters first: what the boot reconciliation provisions is reported; live contracts are reported once after a restart.
    this.reporter.start(this.#o.provisioner.contracts());
    this.#stops.push(() => this.reporter.stop());
    this.nru.start();
    this.#stops.push(() => this.nru.stop());
    // The power target is followed in the background: a shutdown hook must not hold up the node's start.
    this.#powerTask = this.power.start().catch((e: unknown) => {
      if (!signal.aborted) this.#log.warn({ err: (e as Error).message }, 'power sync failed');
    });
    this.#stops.push(() => this.power.stop());
    this.#stops.push(() => this.follower.stop());
    await this.follower.start();
    // ── Web Gateway ──────────────────────────────────────────────────────────────────────────
    // Started only when this node has a public config with a domain (read it with
    // client.nodes.get(nodeId)). It takes this.nruSink as its NRU sink, registers its
    // gateway-name-proxy WorkloadHandler on the provisioner, and follows name-contract
    // cancel/grace events through this.follower.onContractEvent(...). Push its stop on #stops.
    // (Wired by the integrator from the gateway engineer's instructions.)
  }

  /** Stops in reverse order of start: the follower first (no new work), the reporters last. */
  async stop(): Promise<void> {
    for (const stop of this.#stops.reverse()) {
      await stop().catch((e: unknown) => this.#log.warn({ err: (e as Error).message }, 'service stop failed'));
    }
    this.#stops = [];
    await this.#powerTask;
  }

  status(): ServicesStatus {
    return { contracts: this.follower.status(), power: this.power.status(), resourceReports: this.reporter.status(), nru: this.nru.status() };
  }
}
