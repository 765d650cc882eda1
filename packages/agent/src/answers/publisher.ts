/**
 * The node answers through the notary: for every contract it publishes the state of each workload
 * (ok, error with the reason, paused, deleted), its version and result data in the node twin's own
 * TFKVStore (`ans/<contract_id>`, chunked, signed by the node, private part sealed to the
 * deployer's reply key — see the client's deployment/answer.ts), and removes it when the contract
 * ends. Driven by the provisioner's change events: a change only marks the contract (coalesced per
 * contract, at most `maxPending` marked); one worker sends what is marked in one batch and retries
 * with backoff, so provisioning never waits on the chain.
 */
import type { Logger } from 'pino';
import { answerCalls, CHUNK_SIZE, encodeAnswer, removeAnswerCalls, type KeyringPair, type TfchainClient, type WorkloadAnswer } from '@tfgrid/client';
import { hexToU8a } from '@polkadot/util';
import { backoffDelay, raceAbort, sleep } from '../backoff';
import type { ProvisionerPort } from '../contracts/provisioner';
import type { AgentMetrics } from '../metrics';
import { isPermanent, txErrorName } from '../reports/tx-error';
import { AnswerNotes, type AnswerNote } from './notes';
import { resultData } from './result-data';

export interface AnswerPublisherOptions {
  client: TfchainClient;
  /** The node's key: it signs the answers (and the client sends with it). */
  pair: KeyringPair;
  nodeId: number;
  provisioner: ProvisionerPort;
  dataDir: string;
  logger: Logger;
  metrics?: AgentMetrics;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Most contracts waiting to be published (default 10,000); past it the oldest mark is dropped and picked up by the next full pass. */
  maxPending?: number;
  /** Most contracts per transaction (default 16). */
  perBatch?: number;
}

/** What the follower tells the publisher when it acts on a contract's deployment. */
export interface AnswerSink {
  note(contractId: number, n: AnswerNote): void;
}

export interface AnswerStatus {
  pending: number[];
  published: number;
  failures: number;
}

export class AnswerPublisher implements AnswerSink {
  readonly #o: AnswerPublisherOptions;
  readonly #log: Logger;
  readonly #notes: AnswerNotes;
  readonly #dirty = new Set<number>();
  #abort = new AbortController();
  #worker: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #unsub: (() => void) | undefined;
  #published = 0;
  #failures = 0;

  constructor(o: AnswerPublisherOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'answers' });
    this.#notes = new AnswerNotes(o.dataDir);
  }

  /** Follows the provisioner; every contract it holds and every answer left on chain is published or removed once. */
  start(): void {
    if (this.#worker) return;
    this.#abort = new AbortController();
    const unsub = this.#o.provisioner.onChange((e) => this.mark(e.contractId));
    this.#unsub = () => void unsub();
    for (const id of [...this.#o.provisioner.contracts(), ...this.#notes.onChain()]) this.mark(id);
    this.#worker = this.#run(this.#abort.signal);
  }

  async stop(): Promise<void> {
    this.#unsub?.();
    this.#abort.abort(new Error('answers stopping'));
    this.#wake?.();
    await this.#worker;
    this.#worker = undefined;
  }

  note(contractId: number, n: AnswerNote): void {
    this.#notes.set(contractId, n);
  }

  mark(contractId: number): void {
    if (this.#dirty.has(contractId)) return;
    const max = this.#o.maxPending ?? 10_000;
    if (this.#dirty.size >= max) {
      const oldest = this.#dirty.values().next().value as number;
      this.#dirty.delete(oldest);
      this.#log.warn({ dropped: oldest, max }, 'answer queue full: oldest mark dropped');
    }
    this.#dirty.add(contractId);
    this.#wake?.();
  }

  status(): AnswerStatus {
    return { pending: [...this.#dirty], published: this.#published, failures: this.#failures };
  }

  async #run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      if (this.#dirty.size === 0) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      const ids = [...this.#dirty].slice(0, this.#o.perBatch ?? 16);
      for (const id of ids) this.#dirty.delete(id);
      try {
        await this.#publish(ids, signal);
        attempt = 0;
      } catch (e) {
        if (signal.aborted) break;
        for (const id of ids) this.mark(id);
        this.#failures++;
        this.#o.metrics?.txFailed('answer', txErrorName(e));
        const d = backoffDelay(++attempt, this.#o.retryMinMs ?? 1000, this.#o.retryMaxMs ?? 60_000);
        this.#log.warn({ err: (e as Error).message, attempt, retryInMs: d, contracts: ids }, 'publishing answers failed');
        await sleep(d, signal).catch(() => undefined);
      }
    }
  }

  /** One batch: each contract's answer set, or removed when the contract holds nothing any more. */
  async #publish(ids: number[], signal: AbortSignal): Promise<void> {
    const { client, provisioner } = this.#o;
    const calls = [];
    const after = new Map<number, number>();
    for (const id of ids) {
      const states = provisioner.states(id);
      const note = this.#notes.get(id);
      if (states.length === 0 || states.every((s) => s.state === 'deleted') || !note) {
        const chunks = this.#notes.chunks(id);
        if (chunks > 0) calls.push(...removeAnswerCalls(client.api, id, chunks));
        after.set(id, 0);
        continue;
      }
      const workloads: WorkloadAnswer[] = states.map((s) => {
        const data = s.state === 'ok' || s.state === 'paused' ? resultData(s.type, s.result) : undefined;
        const dh = note.dataHashes?.[s.name];
        return { name: s.name, type: s.type, version: s.version, state: s.state, ...(s.reason ? { reason: s.reason } : {}), ...(data ? { data } : {}), ...(dh ? { data_hash: dh } : {}) };
      });
      const bytes = encodeAnswer(
        { contractId: id, nodeId: this.#o.nodeId, twinId: note.twinId, hash: note.hash, version: note.version, workloads, ...(note.replyTo ? { replyTo: hexToU8a(`0x${note.replyTo}`) } : {}) },
        this.#o.pair,
      );
      const c = answerCalls(client.api, id, bytes, this.#notes.chunks(id));
      calls.push(...c);
      after.set(id, Math.max(1, Math.ceil(bytes.length / CHUNK_SIZE)));
    }
    try {
      if (calls.length) await raceAbort(client.batch(calls), signal);
    } catch (e) {
      if (!isPermanent(e)) throw e;
      // A dispatch failure fails the same way again: each contract alone, dropping the one the chain refuses.
      this.#failures++;
      this.#o.metrics?.txFailed('answer', txErrorName(e));
      if (ids.length > 1) {
        for (const id of ids) await this.#publish([id], signal);
        return;
      }
      this.#log.warn({ err: (e as Error).message, contractId: ids[0] }, 'answer refused by the chain; dropped');
      if (after.get(ids[0]!) === 0) this.#notes.published(ids[0]!, 0);
      this.#notes.save();
      return;
    }
    for (const [id, chunks] of after) this.#notes.published(id, chunks);
    this.#notes.save();
    this.#published += ids.length;
    this.#log.info({ contracts: ids, calls: calls.length }, 'answers published');
  }
}
