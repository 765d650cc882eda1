/**
 * Network usage (NRU): an NruSink that accumulates bytes per contract into a persistent queue in
 * the data directory and sends them every interval through `add_nru_reports`. At-least-once:
 * a flush first seals the accumulated bytes into a numbered batch and saves it, then sends; a
 * batch leaves the file only once the chain accepted it, so a crash replays it, never loses it.
 * Accumulated bytes are saved at most `saveMs` after they were added (the window a crash can lose).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { NruReport, TfchainClient } from '@tfgrid/client';
import { backoffDelay, raceAbort, sleep } from '../core/backoff';
import { readJsonFile, writeJsonFile } from '../core/json-file';
import type { AgentMetrics } from '../core/metrics';
import type { NruSink } from '../core/workload-types';
import { isPermanent, txErrorName } from './tx-error';

export const NRU_FILE = 'nru-queue.json';

export interface NruQueueOptions {
  client: TfchainClient;
  dataDir: string;
  logger: Logger;
  metrics?: AgentMetrics;
  intervalMs: number;
  /** Whether bytes of this contract may be reported (live workloads of this node); others are dropped. */
  accept?: (contractId: number) => boolean;
  saveMs?: number;
  retryMinMs?: number;
  retryMaxMs?: number;
}

interface Pending {
  bytes: number;
  /** Unix seconds when the first of these bytes was added. */
  since: number;
}

interface NruData {
  v: 1;
  nextBatch: number;
  pending: Record<string, Pending>;
  batches: { id: number; reports: NruReport[] }[];
}

export class NruQueue implements NruSink {
  readonly #o: NruQueueOptions;
  readonly #log: Logger;
  readonly #file: string;
  #d: NruData;
  #dirty = false;
  #abort = new AbortController();
  #flushTimer: NodeJS.Timeout | undefined;
  #saveTimer: NodeJS.Timeout | undefined;
  #sending: Promise<void> | undefined;
  #accepted = 0;

  constructor(o: NruQueueOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'nru-reports' });
    this.#file = path.join(o.dataDir, NRU_FILE);
    this.#d = readJsonFile<NruData>(this.#file) ?? { v: 1, nextBatch: 1, pending: {}, batches: [] };
  }

  add(contractId: number, bytes: number): void {
    if (!Number.isFinite(bytes) || bytes <= 0) return;
    if (this.#o.accept && !this.#o.accept(contractId)) return;
    const p = (this.#d.pending[contractId] ??= { bytes: 0, since: nowSec() });
    p.bytes += Math.round(bytes);
    this.#dirty = true;
  }

  /** Sends what a previous run left, then flushes every interval. */
  start(): void {
    if (this.#flushTimer) return;
    this.#abort = new AbortController();
    this.#flushTimer = setInterval(() => void this.flush(), this.#o.intervalMs);
    this.#saveTimer = setInterval(() => this.#saveIfDirty(), this.#o.saveMs ?? 1000);
    // Not awaited: the sender retries the chain's failures itself, and stop() waits for it.
    if (this.#d.batches.length) void this.#kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.#flushTimer);
    clearInterval(this.#saveTimer);
    this.#flushTimer = undefined;
    this.#abort.abort(new Error('NRU queue stopping'));
    await this.#sending;
    this.#saveIfDirty();
  }

  /** Seals the accumulated bytes into a batch (saved), then sends every batch not yet accepted. */
  flush(): Promise<void> {
    const now = nowSec();
    const reports: NruReport[] = Object.entries(this.#d.pending).map(([id, p]) => ({
      contractId: Number(id),
      timestamp: now,
      window: Math.max(1, now - p.since),
      nru: p.bytes,
    }));
    if (reports.length) {
      this.#d.batches.push({ id: this.#d.nextBatch++, reports });
      this.#d.pending = {};
      this.#save();
    }
    return this.#kick();
  }

  status(): { pendingBytes: number; batches: number; accepted: number } {
    return {
      pendingBytes: Object.values(this.#d.pending).reduce((a, p) => a + p.bytes, 0),
      batches: this.#d.batches.length,
      accepted: this.#accepted,
    };
  }

  #kick(): Promise<void> {
    if (!this.#d.batches.length || this.#abort.signal.aborted) return this.#sending ?? Promise.resolve();
    this.#sending ??= this.#sendAll(this.#abort.signal);
    return this.#sending;
  }

  async #sendAll(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    // #sending is cleared in the same synchronous step as the loop's last look at the batches:
    // a batch sealed after that look starts a new sender, one sealed before it is sent by this one.
    for (;;) {
      if (!this.#d.batches.length || signal.aborted) {
        this.#sending = undefined;
        return;
      }
      const batch = this.#d.batches[0]!;
      try {
        await raceAbort(this.#o.client.contracts.addNruReports(batch.reports), signal);
        this.#accepted++;
        this.#log.info({ batch: batch.id, reports: batch.reports.length }, 'NRU reports accepted');
      } catch (e) {
        if (signal.aborted) continue; // the loop's first check ends it
        this.#o.metrics?.txFailed('add_nru_reports', txErrorName(e));
        if (!isPermanent(e)) {
          const d = backoffDelay(++attempt, this.#o.retryMinMs ?? 1000, this.#o.retryMaxMs ?? 60_000);
          this.#log.warn({ err: (e as Error).message, batch: batch.id, attempt, retryInMs: d }, 'NRU report failed, retrying');
          await sleep(d, signal).catch(() => undefined);
          continue;
        }
        // The chain refuses it as it is (e.g. a contract that moved away): retrying cannot help.
        this.#log.warn({ err: (e as Error).message, batch: batch.id }, 'NRU batch refused by the chain; dropped');
      }
      attempt = 0;
      this.#d.batches.shift();
      this.#save();
    }
  }

  #saveIfDirty(): void {
    if (this.#dirty) this.#save();
  }

  #save(): void {
    writeJsonFile(this.#file, this.#d);
    this.#dirty = false;
  }
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
