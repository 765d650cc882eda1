/**
 * The node's services once it is registered: the contract follower (with reconciliation), the
 * power manager, the resource and NRU reporters, and the Web Gateway (listening only on a node
 * whose public config has a domain). Each is a child task with its own AbortController; stop() drains them in order:
 * no new events first, then the reporters (the NRU queue saves itself), then the gateway.
 */
import type { Logger } from 'pino';
import type { TfchainClient } from '@tfgrid/client';
import type { AgentConfig } from './config/config';
import { AnswerPublisher, type AnswerStatus } from './answers';
import { ContractFollower, type FollowerStatus } from './contracts/follower';
import { gatewayChain, type GatewayService, type GatewayStatus } from './gateway';
import { isLive, type ProvisionerPort } from './core/provisioner-port';
import type { Identity } from './identity';
import type { AgentMetrics } from './core/metrics';
import { PowerManager, type PowerStatus } from './power';
import { NruQueue } from './reports/nru';
import { ResourceReporter } from './reports/resources';
import type { NruSink } from './core/workload-types';

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
  /** Built by the agent before the workloads were recovered (its handler brings gateway names back). */
  gateway: GatewayService;
}

export interface ServicesStatus {
  contracts: FollowerStatus;
  power: PowerStatus;
  resourceReports: ReturnType<ResourceReporter['status']>;
  nru: ReturnType<NruQueue['status']>;
  gateway: GatewayStatus;
  answers: AnswerStatus;
}

export class NodeServices {
  readonly follower: ContractFollower;
  readonly power: PowerManager;
  readonly reporter: ResourceReporter;
  readonly nru: NruQueue;
  readonly gateway: GatewayService;
  /** The node's answers to its deployers (states, reasons, results in its own TFKVStore). */
  readonly answers: AnswerPublisher;
  readonly #o: ServicesOptions;
  readonly #log: Logger;
  #powerTask: Promise<void> | undefined;
  #stops: (() => Promise<void>)[] = [];

  constructor(o: ServicesOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'services' });
    const retry = { retryMinMs: o.retryMinMs, retryMaxMs: o.retryMaxMs };
    const { client, nodeId, provisioner, logger, metrics, config } = o;
    this.answers = new AnswerPublisher({
      client,
      pair: o.identity.pair,
      nodeId,
      provisioner,
      dataDir: config.dataDir,
      logger,
      metrics,
      ...retry,
    });
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
      // The finalized-heads subscription wakes the follower; the poll only covers a lost one.
      pollMs: o.eventsPollMs ?? 6000,
      answers: this.answers,
    });
    this.power = new PowerManager({
      client,
      nodeId,
      logger,
      metrics,
      ...(config.shutdownHook ? { shutdownHook: config.shutdownHook } : {}),
      ...retry,
    });
    this.reporter = new ResourceReporter({ client, provisioner, logger, metrics, ...retry });
    this.nru = new NruQueue({
      client,
      dataDir: config.dataDir,
      logger,
      metrics,
      intervalMs: config.nruIntervalSec * 1000,
      accept: (id) => isLive(provisioner, id),
      ...retry,
    });
    this.follower.onEvent(this.power.onEvent);
    this.gateway = o.gateway;
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
    this.answers.start();
    this.#stops.push(() => this.answers.stop());
    // The power target is followed in the background: a shutdown hook must not hold up the node's start.
    this.#powerTask = this.power.start().catch((e: unknown) => {
      if (!signal.aborted) this.#log.warn({ err: (e as Error).message }, 'power sync failed');
    });
    this.#stops.push(() => this.power.stop());
    // Before the follower: its boot reconciliation may provision gateway workloads.
    this.#stops.push(() => this.gateway.stop());
    // The Web Gateway now has the chain, the node, the follower's events and the NRU queue; it
    // listens only when the node's public config has a domain. A failed domain read leaves it
    // idle; a later NodePublicConfigStored event starts it.
    await this.gateway
      .start({ chain: gatewayChain(this.#o.client), nodeId: this.#o.nodeId, events: this.follower, nru: this.nru })
      .catch((e: unknown) => {
        if (!signal.aborted) this.#log.warn({ err: (e as Error).message }, 'gateway start failed');
      });
    if (signal.aborted) return;
    this.#stops.push(() => this.follower.stop());
    await this.follower.start();
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
    return {
      contracts: this.follower.status(),
      power: this.power.status(),
      resourceReports: this.reporter.status(),
      nru: this.nru.status(),
      gateway: this.gateway.status(),
      answers: this.answers.status(),
    };
  }
}
