/** Prometheus metrics on their own registry, served at /metrics (127.0.0.1 by default). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Resources } from '@tfgrid/client';
import type { Capacity, WorkloadState } from './workload-types';

const RESOURCES = ['cru', 'mru', 'sru', 'hru'] as const;
const WORKLOAD_STATES = ['ok', 'error', 'paused', 'deleted'] as const;

/** Live figures the registry reads at scrape time (set once the node is registered). */
export interface MetricsSource {
  usedTotal(): Capacity;
  states(): WorkloadState[];
  /** Contracts of this node holding live workloads. */
  activeContracts(): number;
  /** The renter twin when the node is rented, else null. */
  renter(): number | null;
  /** Finalized head minus the last block whose events are handled, or undefined before the first. */
  eventLag(): number | undefined;
}

export class AgentMetrics {
  readonly registry = new Registry();
  readonly #total: Gauge;
  readonly #reserved: Gauge;
  readonly #connected: Gauge;
  readonly #nodeId: Gauge;
  readonly #txFailed: Counter;
  readonly #refused: Counter;
  #lastUptime: number | undefined;
  #source: MetricsSource | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tfgrid_agent_' });
    this.#total = new Gauge({
      name: 'tfgrid_agent_capacity_total',
      help: 'Capacity of this node (cru: logical CPUs; mru, sru, hru: bytes)',
      labelNames: ['resource'],
      registers: [this.registry],
    });
    this.#reserved = new Gauge({
      name: 'tfgrid_agent_capacity_reserved',
      help: 'Capacity the system keeps for itself (same units)',
      labelNames: ['resource'],
      registers: [this.registry],
    });
    this.#connected = new Gauge({
      name: 'tfgrid_agent_chain_connected',
      help: '1 when the chain connection is up',
      registers: [this.registry],
    });
    this.#nodeId = new Gauge({
      name: 'tfgrid_agent_node_id',
      help: 'The node id on the chain (0 until registered)',
      registers: [this.registry],
    });
    // collect() runs with `this` bound to the gauge: the agent's fields are reached through arrows.
    const lastUptime = (): number | undefined => this.#lastUptime;
    new Gauge({
      name: 'tfgrid_agent_uptime_report_age_seconds',
      help: 'Seconds since the chain last accepted an uptime report (-1 before the first)',
      registers: [this.registry],
      collect() {
        const last = lastUptime();
        this.set(last === undefined ? -1 : (Date.now() - last) / 1000);
      },
    });
    this.#connected.set(0);
    this.#nodeId.set(0);
    this.#txFailed = new Counter({
      name: 'tfgrid_agent_transactions_failed_total',
      help: 'Transactions that failed, by call and error (Pallet.Error, or the refusal)',
      labelNames: ['call', 'error'],
      registers: [this.registry],
    });
    this.#refused = new Counter({
      name: 'tfgrid_agent_deployments_refused_total',
      help: 'Deployments refused, by reason (DeploymentError code, CAPACITY, ...)',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    const src = (): MetricsSource | undefined => this.#source;
    new Gauge({
      name: 'tfgrid_agent_capacity_used',
      help: 'Capacity held by workloads (same units as capacity_total)',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        const u = src()?.usedTotal();
        for (const r of RESOURCES) this.set({ resource: r }, u ? u[r] : 0);
      },
    });
    new Gauge({
      name: 'tfgrid_agent_workloads',
      help: 'Workloads by state',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = Object.fromEntries(WORKLOAD_STATES.map((s) => [s, 0])) as Record<string, number>;
        for (const w of src()?.states() ?? []) counts[w.state] = (counts[w.state] ?? 0) + 1;
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'tfgrid_agent_contracts_active',
      help: 'Node contracts of this node holding live workloads',
      registers: [this.registry],
      collect() {
        this.set(src()?.activeContracts() ?? 0);
      },
    });
    new Gauge({
      name: 'tfgrid_agent_rented',
      help: '1 when a rent contract dedicates this node to one twin',
      registers: [this.registry],
      collect() {
        this.set(src()?.renter() != null ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tfgrid_agent_renter_twin_id',
      help: 'The twin renting this node (0 when not rented)',
      registers: [this.registry],
      collect() {
        this.set(src()?.renter() ?? 0);
      },
    });
    new Gauge({
      name: 'tfgrid_agent_event_lag_blocks',
      help: 'Finalized head minus the last block whose events the agent handled (-1 before the first)',
      registers: [this.registry],
      collect() {
        this.set(src()?.eventLag() ?? -1);
      },
    });
  }

  /** Where the live gauges read from (the running agent's provisioner and follower). */
  attach(source: MetricsSource | undefined): void {
    this.#source = source;
  }

  txFailed(call: string, error: string): void {
    this.#txFailed.inc({ call, error });
  }

  refused(reason: string): void {
    this.#refused.inc({ reason });
  }

  setCapacity(total: Resources, reserved: Resources): void {
    for (const r of RESOURCES) {
      this.#total.set({ resource: r }, total[r]);
      this.#reserved.set({ resource: r }, reserved[r]);
    }
  }

  setConnected(up: boolean): void {
    this.#connected.set(up ? 1 : 0);
  }

  setNodeId(id: number): void {
    this.#nodeId.set(id);
  }

  uptimeAccepted(at = Date.now()): void {
    this.#lastUptime = at;
  }
}

/** The only listening socket of the agent. */
export class MetricsServer {
  readonly #server: Server;

  constructor(metrics: AgentMetrics) {
    this.#server = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404).end('not found\n');
        return;
      }
      metrics.registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }
}
