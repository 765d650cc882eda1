/**
 * The agent daemon: {start, stop, status}. start() loads the identity, measures the machine,
 * opens /metrics and runs the main task under its own AbortController: recover the workloads
 * kept on disk → connect → register → uptime, then the node's services (contract follower,
 * power, usage reports). stop() aborts the main task, stops every service (workloads stopped,
 * their states kept so the next start recovers them) and closes everything.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { connect, type NodeInput, type TfchainClient } from '@tfgrid/client';
import { raceAbort, retry } from './core/backoff';
import { chainUrlOf, ConfigError, parseHostPort, type AgentConfig } from './config/config';
import { measure, type Hardware } from './hardware/capacity';
import { Identity } from './identity';
import { AgentMetrics, MetricsServer } from './core/metrics';
import type { Runtime } from './core/workload-types';
import { register, type Registration } from './registration';
import { UptimeReporter } from './uptime';
import { NodeServices, type ServicesStatus } from './services';
import { decideRuntime, makeRuntime, Provisioner } from './workloads';
import { GatewayService, NetworkRelays, relayNetwork } from './gateway';
import { chainNodeIpv6, instanceTag, NetworkHandler, PrivateNetworks, PublicIpHandler, ZmachineNetworking, type NodeIpv6 } from './network';
import { attachMachineRoute, Planetary, PlanetaryError } from './planetary';

export type AgentState = 'idle' | 'starting' | 'recovering' | 'connecting' | 'registering' | 'running' | 'stopping' | 'stopped';

export interface AgentStatus {
  state: AgentState;
  address?: string;
  twinId?: number;
  nodeId?: number;
  connected: boolean;
  metricsAddress?: string;
  uptime?: ReturnType<UptimeReporter['status']>;
  services?: ServicesStatus;
  /** The node's planetary (Yggdrasil) address and the /64 its zmachines get addresses from. */
  planetary?: { address: string; subnet: string };
  lastError?: string;
}

export interface AgentOptions {
  logger: Logger;
  /** Overrides for tests: the hardware to register, retry bounds, funds polling. */
  hardware?: Hardware;
  retryMinMs?: number;
  retryMaxMs?: number;
  fundsPollMs?: number;
  /** The backend running `vm` workloads (default: the process runtime). */
  runtime?: Runtime;
  /** How often the events stream looks for finalized blocks without a head notification (default 2 s). */
  eventsPollMs?: number;
}

export class Agent {
  readonly #config: AgentConfig;
  readonly #o: AgentOptions;
  readonly #log: Logger;
  readonly metrics = new AgentMetrics();
  #state: AgentState = 'idle';
  #abort = new AbortController();
  #main: Promise<void> | undefined;
  #server: MetricsServer | undefined;
  #metricsAddress: string | undefined;
  #client: TfchainClient | undefined;
  #uptime: UptimeReporter | undefined;
  #identity: Identity | undefined;
  #registration: Registration | undefined;
  #provisioner: Provisioner | undefined;
  #services: NodeServices | undefined;
  #gateway: GatewayService | undefined;
  #planetary: Planetary | undefined;
  #lastError: string | undefined;
  #ready: Promise<Registration>;
  #resolveReady!: (r: Registration) => void;

  constructor(config: AgentConfig, o: AgentOptions) {
    this.#config = config;
    this.#o = o;
    this.#log = o.logger.child({ module: 'agent' });
    this.#ready = new Promise((r) => (this.#resolveReady = r));
  }

  /** Resolves once the node is registered (for tests and the CLI's first log line). */
  get registered(): Promise<Registration> {
    return this.#ready;
  }

  /** The workloads' owner (after start). */
  get provisioner(): Provisioner | undefined {
    return this.#provisioner;
  }

  /** The follower, reporters and power manager (once registered). */
  get services(): NodeServices | undefined {
    return this.#services;
  }

  /** The node's public IPv6 network from its public config; unknown (undefined) until connected and registered. */
  async #nodeIpv6(): Promise<NodeIpv6 | null | undefined> {
    const client = this.#client;
    const nodeId = this.#registration?.nodeId;
    return client && nodeId !== undefined ? chainNodeIpv6(client, nodeId) : undefined;
  }

  /** The zmachine runtime the config and this host allow, logged with the reason. */
  #workloadRuntime(c: AgentConfig, networking: ZmachineNetworking): Runtime {
    let d;
    try {
      d = decideRuntime(c.workloadRuntime, c.network);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    this.#log.info({ runtime: d.name, why: d.why }, `workload runtime: ${d.name}`);
    return makeRuntime(d, {
      dataDir: c.dataDir,
      logger: this.#o.logger,
      runAsUser: c.runAsUser,
      bridge: c.workloadBridge,
      subnet: c.workloadSubnet,
      networking,
    });
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new Error(`agent already ${this.#state}`);
    this.#state = 'starting';
    const c = this.#config;
    if (c.farmId === undefined) throw new ConfigError('a farm id is needed to register (--farm-id or TFGRID_AGENT_FARM_ID)');
    this.#identity = await Identity.load(c.dataDir);
    this.#log.info({ address: this.#identity.address, firstBoot: this.#identity.created }, 'identity loaded');
    const hw = this.#o.hardware ?? measure(c.root);
    this.metrics.setCapacity(hw.total, hw.reserved);
    this.#log.info({ total: hw.total, reserved: hw.reserved, disks: hw.disks.length, virtualized: hw.virtualized }, 'capacity measured');
    const { host, port } = parseHostPort(c.metricsAddress);
    this.#server = new MetricsServer(this.metrics);
    const a = await this.#server.listen(host, port);
    this.#metricsAddress = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
    this.#log.info({ address: this.#metricsAddress }, 'metrics listening');
    if (c.planetary) {
      // The TUN name carries the instance tag: several agents (tests, a grid on one machine) may share a namespace.
      this.#planetary = new Planetary({
        dir: path.join(c.dataDir, 'planetary'),
        peers: c.planetaryPeers,
        listen: c.planetaryListen,
        ifName: `tfy-${instanceTag(c.dataDir)}`,
        logger: this.#o.logger,
      });
    }
    const networks = new PrivateNetworks(instanceTag(c.dataDir), this.#o.logger);
    const overlay = this.#planetary;
    const networking = new ZmachineNetworking({
      networks,
      ...(c.publicInterface ? { publicInterface: c.publicInterface } : {}),
      ...(overlay ? { planetary: (machineNs: string, index: number) => planetaryRoute(overlay, machineNs, index) } : {}),
      logger: this.#o.logger,
    });
    const runtime = this.#o.runtime ?? this.#workloadRuntime(c, networking);
    // The gateway joins the node's private networks through relays (sockets in <dataDir>/run).
    const relays = new NetworkRelays({ dir: path.join(c.dataDir, 'run'), logger: this.#o.logger });
    const networkHandler = new NetworkHandler(networks, {
      ready: (n) => relays.resume(n.netId, relayNetwork(n)),
      removing: (id) => relays.hold(id),
    });
    this.#provisioner = new Provisioner({
      dataDir: c.dataDir,
      hardware: { total: hw.total, reserved: hw.reserved, disks: hw.disks },
      storagePools: c.storagePools,
      runtime,
      handlers: [
        networkHandler,
        new PublicIpHandler({ ...(c.publicInterface ? { publicInterface: c.publicInterface } : {}), nodeIpv6: () => this.#nodeIpv6() }),
      ],
      // Only a runtime that takes the networking gives machines these interfaces.
      ...(runtime.name === 'runc' ? { interfaces: networking } : {}),
      logger: this.#o.logger,
    });
    // Before recover(): the gateway's handler must be registered for gateway names to come back.
    this.#gateway = new GatewayService({
      config: c,
      provisioner: this.#provisioner,
      registry: this.metrics.registry,
      logger: this.#o.logger,
      allowLocalBackends: c.gatewayAllowLocalBackends,
      networks: { hosted: (twin, name) => networkHandler.hosted(twin, name), relays },
    });
    const node: NodeInput = {
      farmId: c.farmId,
      resources: hw.total,
      location: c.location,
      interfaces: hw.interfaces,
      secureBoot: hw.secureBoot,
      virtualized: hw.virtualized,
      serialNumber: hw.serialNumber ?? null,
    };
    this.#main = this.#run(node, this.#abort.signal).catch((e: unknown) => {
      if (!this.#abort.signal.aborted) {
        this.#lastError = (e as Error).message;
        this.#log.error({ err: this.#lastError }, 'agent main task ended');
      }
    });
  }

  async #run(node: NodeInput, signal: AbortSignal): Promise<void> {
    const backoff = { signal, minMs: this.#o.retryMinMs ?? 1000, maxMs: this.#o.retryMaxMs ?? 5 * 60_000 };
    // The overlay first: zmachines on it come back with their planetary addresses, and the node
    // publishes its own among its interfaces. Without it the node still serves everything else.
    const overlay = await this.#planetary?.start().catch((e: unknown) => {
      this.#log.warn({ err: (e as Error).message }, 'planetary overlay not started');
      return undefined;
    });
    if (overlay)
      node = { ...node, interfaces: [...node.interfaces, { name: 'planetary', mac: '00:00:00:00:00:00', ips: [overlay.address] }] };
    // Workloads come back first: what ran before a restart must not wait for the chain.
    this.#state = 'recovering';
    const provisioner = this.#provisioner!;
    await provisioner.open();
    await provisioner.recover();
    this.metrics.attach({
      usedTotal: () => provisioner.usedTotal(),
      states: () => provisioner.states(),
      activeContracts: () => provisioner.contracts().length,
      renter: () => this.#services?.follower.renter() ?? null,
      eventLag: () => this.#services?.follower.eventLag(),
    });
    if (signal.aborted) return;
    const url = chainUrlOf(this.#config);
    this.#state = 'connecting';
    const client = await retry(() => connect({ url, pair: this.#identity!.pair }), {
      ...backoff,
      onError: (e, attempt, delayMs) => this.#fail('chain connection failed', e, attempt, delayMs),
    });
    if (signal.aborted) {
      await client.disconnect();
      return;
    }
    this.#client = client;
    this.metrics.setConnected(true);
    client.api.on('connected', () => this.metrics.setConnected(true));
    client.api.on('disconnected', () => this.metrics.setConnected(false));
    this.#log.info({ url }, 'connected to the chain');
    this.#state = 'registering';
    const log = this.#o.logger.child({ module: 'registration' });
    const reg = await retry(
      () =>
        raceAbort(
          register(
            client,
            this.#identity!,
            {
              node,
              ...(this.#config.relay ? { relay: this.#config.relay } : {}),
              ...(this.#o.fundsPollMs ? { fundsPollMs: this.#o.fundsPollMs } : {}),
            },
            log,
            signal,
          ),
          signal,
        ),
      { ...backoff, onError: (e, attempt, delayMs) => this.#fail('registration failed', e, attempt, delayMs) },
    );
    this.#registration = reg;
    this.metrics.setNodeId(reg.nodeId);
    this.#log.info({ twinId: reg.twinId, nodeId: reg.nodeId, actions: reg.actions }, 'registered');
    this.#uptime = new UptimeReporter(client, this.#o.logger.child({ module: 'uptime' }), {
      intervalMs: this.#config.uptimeIntervalSec * 1000,
      retryMinMs: backoff.minMs,
      retryMaxMs: backoff.maxMs,
      onAccepted: (at) => this.metrics.uptimeAccepted(at),
    });
    this.#uptime.start();
    this.#services = new NodeServices({
      config: this.#config,
      client,
      nodeId: reg.nodeId,
      identity: this.#identity!,
      provisioner,
      logger: this.#o.logger,
      metrics: this.metrics,
      retryMinMs: backoff.minMs,
      retryMaxMs: Math.min(backoff.maxMs, 60_000),
      ...(this.#o.eventsPollMs ? { eventsPollMs: this.#o.eventsPollMs } : {}),
      gateway: this.#gateway!,
    });
    await this.#services.start(signal);
    if (signal.aborted) return;
    this.#state = 'running';
    this.#resolveReady(reg);
  }

  #fail(what: string, e: unknown, attempt: number, delayMs: number): void {
    this.#lastError = (e as Error).message;
    this.#log.warn({ err: this.#lastError, attempt, retryInMs: delayMs }, what);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'idle') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#abort.abort(new Error('agent stopping'));
    await this.#uptime?.stop();
    await this.#services?.stop(); // stops the gateway it started
    if (!this.#services) await this.#gateway?.stop().catch(() => undefined);
    // Disconnecting first rejects whatever transaction the main task still waits on.
    await this.#client?.disconnect().catch(() => undefined);
    await this.#main;
    // Workloads stop; their states stay on disk and the next start recovers them.
    await this.#provisioner?.stop().catch((e: unknown) => this.#log.warn({ err: (e as Error).message }, 'stopping workloads failed'));
    await this.#planetary?.stop();
    this.metrics.attach(undefined);
    this.metrics.setConnected(false);
    await this.#server?.close();
    this.#state = 'stopped';
    this.#log.info('agent stopped');
  }

  status(): AgentStatus {
    return {
      state: this.#state,
      connected: this.#client?.isConnected ?? false,
      ...(this.#identity ? { address: this.#identity.address } : {}),
      ...(this.#registration ? { twinId: this.#registration.twinId, nodeId: this.#registration.nodeId } : {}),
      ...(this.#metricsAddress ? { metricsAddress: this.#metricsAddress } : {}),
      ...(this.#uptime ? { uptime: this.#uptime.status() } : {}),
      ...(this.#services ? { services: this.#services.status() } : {}),
      ...(this.#planetary?.self()
        ? { planetary: { address: this.#planetary.self()!.address, subnet: this.#planetary.self()!.subnet } }
        : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }
}

/** A machine's planetary address from the node's running overlay. */
async function planetaryRoute(overlay: Planetary, machineNs: string, index: number): Promise<string> {
  const self = overlay.self();
  if (!self) throw new PlanetaryError('exited', 'the planetary overlay is not running on this node right now');
  return (await attachMachineRoute({ subnet: self.subnet, machineNs, index })).address;
}
