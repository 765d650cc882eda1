/**
 * Uptime reporter: `report_uptime_v2` at a fixed interval (one setInterval, never re-armed timers).
 * A failed report is retried with backoff until the chain accepts one; a tick during a retry is
 * skipped, since the retry sends the uptime of the moment it succeeds.
 */
import os from 'node:os';
import type { Logger } from 'pino';
import type { TfchainClient } from '@tfgrid/client';
import { raceAbort, retry } from './core/backoff';

export interface UptimeOptions {
  intervalMs: number;
  /** Seconds since boot (default os.uptime()). */
  uptime?: () => number;
  retryMinMs?: number;
  retryMaxMs?: number;
  onAccepted?: (at: number) => void;
}

export class UptimeReporter {
  readonly #client: TfchainClient;
  readonly #log: Logger;
  readonly #o: UptimeOptions;
  #timer: NodeJS.Timeout | undefined;
  #inflight: Promise<void> | undefined;
  #abort = new AbortController();
  #accepted = 0;
  #lastAccepted: number | undefined;
  #failures = 0;

  constructor(client: TfchainClient, log: Logger, o: UptimeOptions) {
    this.#client = client;
    this.#log = log;
    this.#o = o;
  }

  /** Reports at once, then every interval. */
  start(): void {
    if (this.#timer) return;
    this.#abort = new AbortController();
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.#o.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort.abort(new Error('uptime reporter stopped'));
    await this.#inflight;
  }

  status(): { running: boolean; accepted: number; lastAccepted?: number; failures: number } {
    return {
      running: !!this.#timer,
      accepted: this.#accepted,
      ...(this.#lastAccepted ? { lastAccepted: this.#lastAccepted } : {}),
      failures: this.#failures,
    };
  }

  #tick(): void {
    if (this.#inflight) return;
    const signal = this.#abort.signal;
    this.#inflight = retry(() => this.#report(signal), {
      signal,
      minMs: this.#o.retryMinMs ?? 2000,
      maxMs: this.#o.retryMaxMs ?? 5 * 60_000,
      onError: (e, attempt, delayMs) => {
        this.#failures++;
        this.#log.warn({ err: (e as Error).message, attempt, retryInMs: delayMs }, 'uptime report failed');
      },
    })
      .catch(() => undefined) // only an abort ends the retry loop
      .finally(() => (this.#inflight = undefined));
  }

  async #report(signal: AbortSignal): Promise<void> {
    const uptime = Math.floor((this.#o.uptime ?? os.uptime)());
    await raceAbort(this.#client.nodes.reportUptime({ uptime }), signal);
    this.#accepted++;
    this.#lastAccepted = Date.now();
    this.#o.onAccepted?.(this.#lastAccepted);
    this.#log.info({ uptime }, 'uptime reported');
  }
}
