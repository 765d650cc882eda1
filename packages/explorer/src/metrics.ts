/** Prometheus metrics on the explorer's own registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class ExplorerMetrics {
  readonly registry = new Registry();
  readonly indexedHeight = new Gauge({ name: 'explorer_indexed_height', help: 'Last block fully indexed', registers: [this.registry] });
  readonly finalizedHeight = new Gauge({ name: 'explorer_chain_finalized_height', help: 'Finalized height of the chain', registers: [this.registry] });
  readonly lag = new Gauge({ name: 'explorer_indexer_lag_blocks', help: 'Finalized height minus indexed height', registers: [this.registry] });
  readonly blocks = new Counter({ name: 'explorer_indexed_blocks_total', help: 'Blocks indexed (rate() gives blocks per second)', registers: [this.registry] });
  readonly events = new Counter({ name: 'explorer_indexed_events_total', help: 'Events read from indexed blocks (rate() gives events per second)', registers: [this.registry] });
  readonly httpDuration = new Histogram({
    name: 'explorer_http_request_duration_seconds',
    help: 'API request durations by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults) collectDefaultMetrics({ register: this.registry });
  }

  heights(indexed: number, finalized: number): void {
    this.indexedHeight.set(indexed);
    this.finalizedHeight.set(finalized);
    this.lag.set(Math.max(0, finalized - indexed));
  }
}
