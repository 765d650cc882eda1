/**
 * `report_contract_resources` whenever a contract's used capacity changes. Changes mark the
 * contract dirty; one worker sends what is dirty in one transaction (the latest figures, so a
 * burst of changes costs one report) and retries with backoff. Only contracts holding live
 * workloads are reported: nothing for refused or removed deployments.
 */
import type { Logger } from 'pino';
import type { TfchainClient } from '@tfgrid/client';
import { backoffDelay, raceAbort, sleep } from '../backoff';
import type { AgentMetrics } from '../metrics';
import type { Capacity } from '../workloads/types';
import { isLive, type ProvisionerPort } from '../contracts/provisioner';
import { isPermanent, txErrorName } from './tx-error';

export interface ResourceReporterOptions {
  client: TfchainClient;
  provisioner: ProvisionerPort;
  logger: Logger;
  metrics?: AgentMetrics;
  retryMinMs?: number;
  retryMaxMs?: number;
}

export class ResourceReporter {
  readonly #o: ResourceReporterOptions;
  readonly #log: Logger;
  readonly #dirty = new Set<number>();
  /** What the chain last accepted per contract, to skip reports that change nothing. */
  readonly #sent = new Map<number, string>();
  #abort = new AbortController();
  #worker: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #unsub: (() => void) | undefined;
  #accepted = 0;
  #failures = 0;

  constructor(o: ResourceReporterOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'resource-reports' });
  }

  /** Follows the provisioner's changes; `initial` contracts are reported once at start (after a restart). */
  start(initial: number[] = []): void {
    if (this.#worker) return;
    this.#abort = new AbortController();
    const unsub = this.#o.provisioner.onChange((e) => this.mark(e.contractId));
    this.#unsub = () => void unsub();
    for (const id of initial) this.#dirty.add(id);
    this.#worker = this.#run(this.#abort.signal);
  }

  async stop(): Promise<void> {
    this.#unsub?.();
    this.#abort.abort(new Error('reporter stopping'));
    this.#wake?.();
    await this.#worker;
    this.#worker = undefined;
  }

  mark(contractId: number): void {
    this.#dirty.add(contractId);
    this.#wake?.();
  }

  status(): { pending: number[]; accepted: number; failures: number } {
    return { pending: [...this.#dirty], accepted: this.#accepted, failures: this.#failures };
  }

  async #run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      if (this.#dirty.size === 0) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      const ids = [...this.#dirty];
      this.#dirty.clear();
      const reports = this.#reportsFor(ids);
      if (reports.length === 0) continue;
      try {
        await this.#send(reports, signal);
        attempt = 0;
      } catch (e) {
        if (signal.aborted) break;
        // Still to send, unless a newer change already marked them again (it then carries the newest figures).
        for (const r of reports) this.#dirty.add(r.contractId);
        const d = backoffDelay(++attempt, this.#o.retryMinMs ?? 1000, this.#o.retryMaxMs ?? 60_000);
        this.#log.warn({ err: (e as Error).message, attempt, retryInMs: d }, 'resource report failed');
        await sleep(d, signal).catch(() => undefined);
      }
    }
  }

  #reportsFor(ids: number[]): { contractId: number; used: Capacity }[] {
    const p = this.#o.provisioner;
    return ids
      .filter((id) => isLive(p, id))
      .map((contractId) => ({ contractId, used: p.used(contractId) }))
      .filter((r) => this.#sent.get(r.contractId) !== JSON.stringify(r.used));
  }

  /** One transaction for all; if the chain refuses it, each alone, dropping those it refuses. */
  async #send(reports: { contractId: number; used: Capacity }[], signal: AbortSignal): Promise<void> {
    try {
      await raceAbort(this.#o.client.contracts.reportResources(reports), signal);
      this.#accepted++;
      for (const r of reports) this.#sent.set(r.contractId, JSON.stringify(r.used));
      this.#log.info({ reports }, 'contract resources reported');
      return;
    } catch (e) {
      this.#failed(e);
      if (!isPermanent(e) || reports.length === 1) {
        if (isPermanent(e)) this.#log.warn({ err: (e as Error).message, contractId: reports[0]!.contractId }, 'resource report refused by the chain; dropped');
        else throw e;
        return;
      }
    }
    for (const r of reports) await this.#send([r], signal);
  }

  #failed(e: unknown): void {
    this.#failures++;
    this.#o.metrics?.txFailed('report_contract_resources', txErrorName(e));
  }
}
