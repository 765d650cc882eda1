/**
 * `report_contract_resources` whenever a contract's used capacity changes. Changes mark the
 * contract dirty (a CoalescingQueue); one worker sends what is dirty in one transaction (the latest
 * figures, so a burst of changes costs one report) and retries with backoff. Only contracts holding live
 * workloads are reported: nothing for refused or removed deployments.
 */
import type { Logger } from 'pino';
import type { TfchainClient } from '@tfgrid/client';
import { raceAbort } from '../core/backoff';
import { CoalescingQueue } from '../core/coalescing-queue';
import type { AgentMetrics } from '../core/metrics';
import type { Capacity } from '../core/workload-types';
import { isLive, type ProvisionerPort } from '../core/provisioner-port';
import { sendSplittingRefused } from './split-refused';
import { txErrorName } from './tx-error';

export interface ResourceReporterOptions {
  client: TfchainClient;
  provisioner: ProvisionerPort;
  logger: Logger;
  metrics?: AgentMetrics;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Most contracts waiting to be reported (default 10,000, far above what a node holds); past it the oldest mark is dropped. */
  maxPending?: number;
}

interface ResourceReport {
  contractId: number;
  used: Capacity;
}

export class ResourceReporter {
  readonly #o: ResourceReporterOptions;
  readonly #log: Logger;
  readonly #queue: CoalescingQueue<number>;
  /** What the chain last accepted per contract, to skip reports that change nothing. */
  readonly #sent = new Map<number, string>();
  #unsub: (() => void) | undefined;
  #accepted = 0;
  #failures = 0;

  constructor(o: ResourceReporterOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'resource-reports' });
    this.#queue = new CoalescingQueue<number>({
      handle: (ids, signal) => this.#report(ids, signal),
      maxPending: o.maxPending ?? 10_000,
      retryMinMs: o.retryMinMs,
      retryMaxMs: o.retryMaxMs,
      onRetry: (e, _ids, attempt, retryInMs) => {
        this.#txFailed(e);
        this.#log.warn({ err: (e as Error).message, attempt, retryInMs }, 'resource report failed');
      },
      onDrop: (dropped, max) => this.#log.warn({ dropped, max }, 'resource report queue full: oldest mark dropped'),
    });
  }

  /** Follows the provisioner's changes; `initial` contracts are reported once at start (after a restart). */
  start(initial: number[] = []): void {
    if (this.#queue.running) return;
    const unsub = this.#o.provisioner.onChange((e) => this.mark(e.contractId));
    this.#unsub = () => void unsub();
    for (const id of initial) this.mark(id);
    this.#queue.start();
  }

  async stop(): Promise<void> {
    this.#unsub?.();
    await this.#queue.stop('reporter stopping');
  }

  mark(contractId: number): void {
    this.#queue.mark(contractId);
  }

  status(): { pending: number[]; accepted: number; failures: number } {
    return { pending: this.#queue.pending(), accepted: this.#accepted, failures: this.#failures };
  }

  /** The latest figures of the live contracts among `ids` that changed since last accepted: one transaction for all, split if the chain refuses it. */
  async #report(ids: number[], signal: AbortSignal): Promise<void> {
    const reports = this.#reportsFor(ids);
    if (reports.length === 0) return;
    await sendSplittingRefused(reports, (batch) => this.#send(batch, signal), {
      failed: (e) => this.#txFailed(e),
      refused: (r, e) =>
        this.#log.warn({ err: (e as Error).message, contractId: r.contractId }, 'resource report refused by the chain; dropped'),
    });
  }

  #reportsFor(ids: number[]): ResourceReport[] {
    const p = this.#o.provisioner;
    return ids
      .filter((id) => isLive(p, id))
      .map((contractId) => ({ contractId, used: p.used(contractId) }))
      .filter((r) => this.#sent.get(r.contractId) !== JSON.stringify(r.used));
  }

  async #send(reports: ResourceReport[], signal: AbortSignal): Promise<void> {
    await raceAbort(this.#o.client.contracts.reportResources(reports), signal);
    this.#accepted++;
    for (const r of reports) this.#sent.set(r.contractId, JSON.stringify(r.used));
    this.#log.info({ reports }, 'contract resources reported');
  }

  #txFailed(e: unknown): void {
    this.#failures++;
    this.#o.metrics?.txFailed('report_contract_resources', txErrorName(e));
  }
}
