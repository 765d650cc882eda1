/**
 * Prometheus metrics of the gateway, per name, on the registry the agent passes in. Names only
 * ever come from routes we serve: requests for unknown hosts are counted under name="" so an
 * attacker cannot grow the label set by inventing Host headers.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type RejectReason =
  | 'absolute_uri'
  | 'connect_method'
  | 'bad_request'
  | 'bad_host'
  | 'unknown_name'
  | 'gone'
  | 'paused'
  | 'rate_limited'
  | 'name_concurrency'
  | 'body_too_large'
  | 'header_too_large'
  | 'client_timeout'
  | 'upgrade_refused';

export class GatewayMetrics {
  readonly requests: Counter<'name' | 'code'>;
  readonly bytesIn: Counter<'name'>;
  readonly bytesOut: Counter<'name'>;
  readonly latency: Histogram<'name'>;
  readonly rejected: Counter<'name' | 'reason'>;
  readonly backendErrors: Counter<'name' | 'kind'>;
  readonly backendUp: Gauge<'name' | 'backend'>;
  readonly routes: Gauge<'state'>;
  readonly tunnels: Gauge<'name'>;
  /** Called before the registry is read: the gateway reads HAProxy's counters then (bounded by the runtime API's timeout). */
  beforeCollect: (() => Promise<void>) | undefined;

  constructor(registry: Registry, prefix = 'tfgrid_gateway_') {
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.requests = new Counter({
      name: `${prefix}requests_total`,
      help: 'Requests proxied per name and status code',
      labelNames: ['name', 'code'],
      registers,
      async collect() {
        await self.beforeCollect?.().catch(() => undefined);
      },
    });
    this.bytesIn = new Counter({
      name: `${prefix}bytes_in_total`,
      help: 'Bytes received from clients per name (headers and bodies)',
      labelNames: ['name'],
      registers,
    });
    this.bytesOut = new Counter({
      name: `${prefix}bytes_out_total`,
      help: 'Bytes sent to clients per name (headers and bodies)',
      labelNames: ['name'],
      registers,
    });
    this.latency = new Histogram({
      name: `${prefix}request_duration_seconds`,
      help: 'Time from request to the end of the response, per name',
      labelNames: ['name'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.rejected = new Counter({
      name: `${prefix}rejected_total`,
      help: 'Requests refused at the edge, by reason (name="" when unknown)',
      labelNames: ['name', 'reason'],
      registers,
    });
    this.backendErrors = new Counter({
      name: `${prefix}backend_errors_total`,
      help: 'Backend failures per name: connect (failed over), unavailable (502), timeout (504), reset',
      labelNames: ['name', 'kind'],
      registers,
    });
    this.backendUp = new Gauge({
      name: `${prefix}backend_up`,
      help: 'Backend health per name (1 healthy, 0 not)',
      labelNames: ['name', 'backend'],
      registers,
    });
    this.routes = new Gauge({ name: `${prefix}routes`, help: 'Routes by state', labelNames: ['state'], registers });
    this.tunnels = new Gauge({
      name: `${prefix}websocket_tunnels`,
      help: 'Open WebSocket tunnels per name',
      labelNames: ['name'],
      registers,
    });
  }

  reject(name: string, reason: RejectReason): void {
    this.rejected.labels(name, reason).inc();
  }

  /** Drops a name's series once its route is gone for good. */
  forget(name: string, backends: string[]): void {
    for (const m of [this.bytesIn, this.bytesOut, this.latency, this.tunnels]) m.remove(name);
    for (const b of backends) this.backendUp.remove(name, b);
  }
}

/** Per-route children, looked up once (label hashing per request is measurable at 10k req/s). */
export class RouteMetrics {
  readonly #m: GatewayMetrics;
  readonly #name: string;
  readonly #codes = new Map<number, Counter.Internal>();
  readonly bytesIn: Counter.Internal;
  readonly bytesOut: Counter.Internal;
  readonly latency: Histogram.Internal<'name'>;

  constructor(m: GatewayMetrics, name: string) {
    this.#m = m;
    this.#name = name;
    this.bytesIn = m.bytesIn.labels(name);
    this.bytesOut = m.bytesOut.labels(name);
    this.latency = m.latency.labels(name);
  }

  /** Drops this name's per-code request series (the route is gone for good). */
  forget(): void {
    for (const code of this.#codes.keys()) this.#m.requests.remove(this.#name, String(code));
    this.#codes.clear();
  }

  request(code: number): void {
    let c = this.#codes.get(code);
    if (!c) this.#codes.set(code, (c = this.#m.requests.labels(this.#name, String(code))));
    c.inc();
  }
}
