/** Prometheus metrics on the explorer's own registry. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerGridMetrics } from './grid-metrics';
import type { GridView } from '../view/grid';

/** Rates are measured over this sliding window. */
const RATE_WINDOW_MS = 10_000;

export class ExplorerMetrics {
  readonly registry = new Registry();
  readonly indexedHeight = new Gauge({ name: 'explorer_indexed_height', help: 'Last block fully indexed', registers: [this.registry] });
  readonly finalizedHeight = new Gauge({
    name: 'explorer_chain_finalized_height',
    help: 'Finalized height of the chain',
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'explorer_indexer_lag_blocks',
    help: 'Finalized height minus indexed height',
    registers: [this.registry],
  });
  readonly blocks = new Counter({
    name: 'explorer_indexed_blocks_total',
    help: 'Blocks indexed (rate() gives blocks per second)',
    registers: [this.registry],
  });
  readonly events = new Counter({
    name: 'explorer_indexed_events_total',
    help: 'Events read from indexed blocks (rate() gives events per second)',
    registers: [this.registry],
  });
  readonly blocksPerSecond = new Gauge({
    name: 'explorer_indexed_blocks_per_second',
    help: `Blocks indexed per second over the last ${RATE_WINDOW_MS / 1000} s`,
    registers: [this.registry],
    collect: () => this.#collectRates(),
  });
  readonly eventsPerSecond = new Gauge({
    name: 'explorer_indexed_events_per_second',
    help: `Events indexed per second over the last ${RATE_WINDOW_MS / 1000} s`,
    registers: [this.registry],
  });
  readonly streamClients = new Gauge({
    name: 'explorer_stream_clients',
    help: 'Open /events/stream connections',
    registers: [this.registry],
  });
  readonly streamDropped = new Counter({
    name: 'explorer_stream_clients_dropped_total',
    help: 'Stream clients the explorer closed (reason backlog: more unsent data than the bound)',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  /** Set by the stream route: the bytes written to its clients and not yet sent. */
  unsentStreamBytes: () => number = () => 0;
  readonly streamUnsent: Gauge = new Gauge({
    name: 'explorer_stream_unsent_bytes',
    help: 'Bytes written to stream clients and not yet sent, all clients together',
    registers: [this.registry],
    collect: (): void => this.streamUnsent.set(this.unsentStreamBytes()),
  });
  readonly httpDuration = new Histogram({
    name: 'explorer_http_request_duration_seconds',
    help: 'API request durations by route',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  /** [time ms, events] per indexed block within the rate window. */
  #recent: [number, number][] = [];

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults) collectDefaultMetrics({ register: this.registry });
    this.streamDropped.inc({ reason: 'backlog' }, 0); // the series exists before the first drop
  }

  /** Adds the grid-wide gauges (nodes by status, contracts, capacity, report age) over this view. */
  observeGrid(view: () => GridView | undefined): void {
    registerGridMetrics(this.registry, view);
  }

  heights(indexed: number, finalized: number): void {
    this.indexedHeight.set(indexed);
    this.finalizedHeight.set(finalized);
    this.lag.set(Math.max(0, finalized - indexed));
  }

  /** One block indexed. */
  indexed(height: number, finalized: number, events: number): void {
    this.blocks.inc();
    this.events.inc(events);
    this.heights(height, finalized);
    const now = Date.now();
    this.#recent.push([now, events]);
    if (this.#recent.length > 4096 || this.#recent[0]![0] < now - RATE_WINDOW_MS) this.#trim(now);
  }

  #trim(now: number): void {
    const from = now - RATE_WINDOW_MS;
    let i = 0;
    while (i < this.#recent.length && this.#recent[i]![0] < from) i++;
    if (i > 0) this.#recent = this.#recent.slice(i);
  }

  /** Rates over the window (also set on each scrape). */
  rates(): { blocks: number; events: number } {
    this.#trim(Date.now());
    const secs = RATE_WINDOW_MS / 1000;
    return { blocks: this.#recent.length / secs, events: this.#recent.reduce((s, r) => s + r[1], 0) / secs };
  }

  #collectRates(): void {
    const r = this.rates();
    this.blocksPerSecond.set(r.blocks);
    this.eventsPerSecond.set(r.events);
  }
}
