/**
 * The node answers through the notary: for every contract it publishes the state of each workload
 * (ok, error with the reason, paused, deleted), its version and result data in the node twin's own
 * TFKVStore (`ans/<contract_id>`, chunked, signed by the node, private part sealed to the
 * deployer's reply key — see the client's deployment/answer.ts), and removes it when the contract
 * ends. Driven by the provisioner's change events: a change only marks the contract (coalesced per
 * contract, at most `maxPending` marked: a CoalescingQueue); one worker sends what is marked in one
 * batch and retries with backoff, so provisioning never waits on the chain.
 */
import type { Logger } from 'pino';
import {
  answerCalls,
  CHUNK_SIZE,
  encodeAnswer,
  removeAnswerCalls,
  type KeyringPair,
  type TfchainClient,
  type WorkloadAnswer,
} from '@tfgrid/client';
import { hexToU8a } from '@polkadot/util';
import { raceAbort } from '../core/backoff';
import { CoalescingQueue } from '../core/coalescing-queue';
import type { ProvisionerPort } from '../core/provisioner-port';
import type { AgentMetrics } from '../core/metrics';
import { sendSplittingRefused } from '../reports/split-refused';
import { txErrorName } from '../reports/tx-error';
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
  readonly #queue: CoalescingQueue<number>;
  #unsub: (() => void) | undefined;
  #published = 0;
  #failures = 0;

  constructor(o: AnswerPublisherOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'answers' });
    this.#notes = new AnswerNotes(o.dataDir);
    this.#queue = new CoalescingQueue<number>({
      handle: (ids, signal) => this.#publishBatch(ids, signal),
      maxPending: o.maxPending ?? 10_000,
      perBatch: o.perBatch ?? 16,
      retryMinMs: o.retryMinMs,
      retryMaxMs: o.retryMaxMs,
      onRetry: (e, ids, attempt, retryInMs) => {
        this.#txFailed(e);
        this.#log.warn({ err: (e as Error).message, attempt, retryInMs, contracts: ids }, 'publishing answers failed');
      },
      onDrop: (dropped, max) => this.#log.warn({ dropped, max }, 'answer queue full: oldest mark dropped'),
    });
  }

  /** Follows the provisioner; every contract it holds and every answer left on chain is published or removed once. */
  start(): void {
    if (this.#queue.running) return;
    const unsub = this.#o.provisioner.onChange((e) => this.mark(e.contractId));
    this.#unsub = () => void unsub();
    for (const id of [...this.#o.provisioner.contracts(), ...this.#notes.onChain()]) this.mark(id);
    this.#queue.start();
  }

  async stop(): Promise<void> {
    this.#unsub?.();
    await this.#queue.stop('answers stopping');
  }

  note(contractId: number, n: AnswerNote): void {
    this.#notes.set(contractId, n);
  }

  mark(contractId: number): void {
    this.#queue.mark(contractId);
  }

  status(): AnswerStatus {
    return { pending: this.#queue.pending(), published: this.#published, failures: this.#failures };
  }

  /** The batch in one transaction; one the chain refuses is split, dropping the contracts it refuses. */
  #publishBatch(ids: number[], signal: AbortSignal): Promise<void> {
    return sendSplittingRefused(ids, (batch) => this.#publish(batch, signal), {
      failed: (e) => this.#txFailed(e),
      refused: (id, e) => {
        this.#log.warn({ err: (e as Error).message, contractId: id }, 'answer refused by the chain; dropped');
        if (this.#gone(id)) this.#notes.published(id, 0);
        this.#notes.save();
      },
    });
  }

  /** Whether the contract holds nothing any more (or the node never knew what it answers): its answer is removed. */
  #gone(id: number): boolean {
    const states = this.#o.provisioner.states(id);
    return states.length === 0 || states.every((s) => s.state === 'deleted') || !this.#notes.get(id);
  }

  /** One transaction: each contract's answer set, or removed when the contract holds nothing any more. */
  async #publish(ids: number[], signal: AbortSignal): Promise<void> {
    const { client, provisioner } = this.#o;
    const calls = [];
    const after = new Map<number, number>();
    for (const id of ids) {
      const note = this.#notes.get(id);
      if (!note || this.#gone(id)) {
        const chunks = this.#notes.chunks(id);
        if (chunks > 0) calls.push(...removeAnswerCalls(client.api, id, chunks));
        after.set(id, 0);
        continue;
      }
      const workloads: WorkloadAnswer[] = provisioner.states(id).map((s) => {
        const data = s.state === 'ok' || s.state === 'paused' ? resultData(s.type, s.result) : undefined;
        const dh = note.dataHashes?.[s.name];
        return {
          name: s.name,
          type: s.type,
          version: s.version,
          state: s.state,
          ...(s.reason ? { reason: s.reason } : {}),
          ...(data ? { data } : {}),
          ...(dh ? { data_hash: dh } : {}),
        };
      });
      const bytes = encodeAnswer(
        {
          contractId: id,
          nodeId: this.#o.nodeId,
          twinId: note.twinId,
          hash: note.hash,
          version: note.version,
          workloads,
          ...(note.replyTo ? { replyTo: hexToU8a(`0x${note.replyTo}`) } : {}),
        },
        this.#o.pair,
      );
      calls.push(...answerCalls(client.api, id, bytes, this.#notes.chunks(id)));
      after.set(id, Math.max(1, Math.ceil(bytes.length / CHUNK_SIZE)));
    }
    if (calls.length) await raceAbort(client.batch(calls), signal);
    for (const [id, chunks] of after) this.#notes.published(id, chunks);
    this.#notes.save();
    this.#published += ids.length;
    this.#log.info({ contracts: ids, calls: calls.length }, 'answers published');
  }

  #txFailed(e: unknown): void {
    this.#failures++;
    this.#o.metrics?.txFailed('answer', txErrorName(e));
  }
}
