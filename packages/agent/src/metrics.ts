/** Prometheus metrics on their own registry, served at /metrics (127.0.0.1 by default). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Resources } from './hardware/capacity';

export class AgentMetrics {
  readonly registry = new Registry();
  readonly #total: Gauge;
  readonly #reserved: Gauge;
  readonly #connected: Gauge;
  readonly #nodeId: Gauge;
  #lastUptime: number | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tfgrid_agent_' });
    this.#total = new Gauge({ name: 'tfgrid_agent_capacity_total', help: 'Capacity of this node (cru: logical CPUs; mru, sru, hru: bytes)', labelNames: ['resource'], registers: [this.registry] });
    this.#reserved = new Gauge({ name: 'tfgrid_agent_capacity_reserved', help: 'Capacity the system keeps for itself (same units)', labelNames: ['resource'], registers: [this.registry] });
    this.#connected = new Gauge({ name: 'tfgrid_agent_chain_connected', help: '1 when the chain connection is up', registers: [this.registry] });
    this.#nodeId = new Gauge({ name: 'tfgrid_agent_node_id', help: 'The node id on the chain (0 until registered)', registers: [this.registry] });
    const self = this;
    new Gauge({
      name: 'tfgrid_agent_uptime_report_age_seconds',
      help: 'Seconds since the chain last accepted an uptime report (-1 before the first)',
      registers: [this.registry],
      collect() {
        this.set(self.#lastUptime === undefined ? -1 : (Date.now() - self.#lastUptime) / 1000);
      },
    });
    this.#connected.set(0);
    this.#nodeId.set(0);
  }

  setCapacity(total: Resources, reserved: Resources): void {
    for (const r of ['cru', 'mru', 'sru', 'hru'] as const) {
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
