/**
 * A per-signer transaction queue: nonces are assigned locally so many transactions are in the
 * pool at once (no waiting for a block between them), and their outcome is read from the blocks
 * themselves (one block fetch for all of a block's transactions, instead of one watch per
 * transaction).
 *
 * Never twice: a transaction is signed once, with one nonce, and only those same signed bytes
 * are ever resubmitted. A nonce can be used once on chain, so a resubmission can never apply
 * the call a second time; after a reconnect the queue still resubmits only what is neither in a
 * block nor in the pool, to stay quiet.
 *
 * Bounded by the link: every job (block scan, finality check, recovery) runs on one link and ends
 * as soon as that link drops — its requests reject at once with a LinkError — so the recovery on
 * the new link never waits behind a request of the dead one. A recovery that fails while the link
 * is up is retried with backoff.
 */
import { hexToU8a } from '@polkadot/util';
import { blake2AsHex } from '@polkadot/util-crypto';
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import { asRefusal, chainErrorOf, InvalidTransactionError } from './errors';
import { LinkError, isLinkError } from '../link/errors';
import { LinkWatch } from '../link/watch';
import { blockEventRecords, finalizedNumber } from '../events/decode';
import type { TxEvent, SubmitOptions, TxResult, WaitLevel } from './types';

type Tx = SubmittableExtrinsic<'promise'>;

/** Pause before a recovery that failed on a live link is tried again (doubling up to the max). */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;

interface Waiting {
  tx: Tx;
  wait: WaitLevel;
  resolve(r: TxResult): void;
  reject(e: Error): void;
}

/** A signed transaction the queue follows until its caller is answered. */
interface Entry extends Waiting {
  nonce: number;
  hash: string;
  hex: string;
  /**
   * unknown: not known to be in the pool (sent when the link broke); spent: a resend was refused as
   * outdated, so its nonce is used — by this transaction in a block not read yet, or by another.
   */
  state: 'unknown' | 'sending' | 'pool' | 'inBlock' | 'spent';
  blockHash?: string;
  blockNumber?: number;
  events: TxEvent[];
  dispatchError?: DispatchError;
}

export interface TxQueueOptions {
  /** Wait level when `submit` is given none (default `inBlock`). */
  defaultWait?: WaitLevel;
  /** Submissions awaiting the node's answer at once (default 1024). */
  maxInFlight?: number;
}

export class TxQueue {
  readonly #api: ApiPromise;
  readonly #pair: KeyringPair;
  readonly #defaultWait: WaitLevel;
  readonly #maxInFlight: number;
  #waiting: Waiting[] = [];
  /** Signed and not yet answered, by extrinsic hash. */
  #entries = new Map<string, Entry>();
  #nextNonce: number | undefined;
  #inFlight = new Set<Promise<void>>();
  /** Refused nonces since the last resync: later nonces may wait behind them. */
  #refusedNonces: number[] = [];
  #paused = false;
  /** The link dropped (or a recovery failed) since the last successful recovery: no sends until one. */
  #disconnected = false;
  #recoveryQueued = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = RETRY_MIN_MS;
  readonly #link: LinkWatch;
  #pumping = false;
  #closed = false;
  /** Block scans, finality checks and recovery run one after another. */
  #work: Promise<void> = Promise.resolve();
  #lastScanned = -1;
  #finalized = 0;
  #unsubs: (() => void)[] = [];
  #started: Promise<void> | undefined;

  constructor(api: ApiPromise, pair: KeyringPair, options: TxQueueOptions = {}) {
    this.#api = api;
    this.#pair = pair;
    this.#defaultWait = options.defaultWait ?? 'inBlock';
    this.#maxInFlight = options.maxInFlight ?? 1024;
    this.#link = new LinkWatch(api);
    this.#link.onDown(() => this.#onDisconnected());
    this.#link.onUp(() => this.#onConnected());
  }

  get address(): string {
    return this.#pair.address;
  }

  /** Transactions submitted and not yet answered (waiting to be signed or followed). */
  get pending(): number {
    return this.#waiting.length + this.#entries.size;
  }

  /** Queues `tx`; resolves at the wait level, rejects with ChainError or InvalidTransactionError. */
  submit(tx: Tx, options: SubmitOptions = {}): Promise<TxResult> {
    if (this.#closed) return Promise.reject(new Error('transaction queue closed'));
    return new Promise<TxResult>((resolve, reject) => {
      this.#waiting.push({ tx, wait: options.wait ?? this.#defaultWait, resolve, reject });
      this.#start().then(() => this.#pump(), reject);
    });
  }

  /** Stops following blocks and rejects everything unanswered. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#link.dispose();
    for (const u of this.#unsubs) u();
    const err = new Error('transaction queue closed');
    for (const w of this.#waiting) w.reject(err);
    for (const e of this.#entries.values()) e.reject(err);
    this.#waiting = [];
    this.#entries.clear();
  }

  /** Reads the nonce and the heads and follows new blocks, once; a drop meanwhile retries it on the new link. */
  #start(): Promise<void> {
    this.#started ??= this.#init().catch((err: unknown) => {
      this.#started = undefined;
      throw err;
    });
    return this.#started;
  }

  async #init(): Promise<void> {
    for (;;) {
      const generation = this.#link.generation;
      try {
        return await this.#link.bound(() => this.#follow());
      } catch (err) {
        if (this.#closed || !this.#isLinkFailure(err, generation)) throw err;
        await this.#link.whenUp();
      }
    }
  }

  async #follow(): Promise<void> {
    const api = this.#api;
    const nextNonce = (await api.rpc.system.accountNextIndex(this.#pair.address)).toNumber();
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    const finalized = await finalizedNumber(api);
    const unsubs: (() => void)[] = [];
    try {
      unsubs.push(await api.rpc.chain.subscribeNewHeads((h) => this.#enqueue(() => this.#scanTo(h.number.toNumber()))));
      unsubs.push(
        await api.rpc.chain.subscribeFinalizedHeads((h) => {
          this.#finalized = Math.max(this.#finalized, h.number.toNumber());
          this.#enqueue(() => this.#settleFinalized());
        }),
      );
    } catch (err) {
      for (const u of unsubs) u();
      throw err;
    }
    if (this.#closed) {
      for (const u of unsubs) u();
      return;
    }
    this.#unsubs.push(...unsubs);
    // Set last: the queue counts as started (and recovers after drops) only from here on.
    this.#lastScanned = Math.max(this.#lastScanned, best);
    this.#finalized = Math.max(this.#finalized, finalized);
    this.#nextNonce = nextNonce;
  }

  /** A failure caused by the link: a LinkError, or any error while the link is down or has dropped since. */
  #isLinkFailure(err: unknown, generation: number): boolean {
    return isLinkError(err) || !this.#link.isUp || this.#link.generation !== generation;
  }

  /** Immortal era: the signed bytes stay valid for resubmission after any outage (the nonce alone prevents replays). */
  #signOptions(nonce: number) {
    const api = this.#api;
    return { nonce, blockHash: api.genesisHash, genesisHash: api.genesisHash, runtimeVersion: api.runtimeVersion };
  }

  /**
   * Runs `job` after the jobs before it, bounded by the link. A job cut by a dropped link is redone
   * by the recovery that follows the reconnect; `onFailure` is told of any failure (with the link up).
   */
  #enqueue(job: () => Promise<void>, onFailure?: () => void): void {
    this.#work = this.#work
      .then(() => this.#link.bound(job))
      .catch(() => {
        if (!this.#closed && this.#link.isUp) onFailure?.();
      });
  }

  /** Signs and sends what waits, in nonce order, while the link is up and the window has room. */
  #pump(): void {
    if (this.#pumping || this.#paused || this.#disconnected || this.#closed || this.#nextNonce === undefined) return;
    this.#pumping = true;
    try {
      // Sign a slice at a time so sends start (and the event loop breathes) while the rest waits.
      let signed = 0;
      while (this.#waiting.length > 0 && this.#inFlight.size < this.#maxInFlight && signed < 64) {
        const w = this.#waiting.shift()!;
        const nonce = this.#nextNonce++;
        w.tx.sign(this.#pair, this.#signOptions(nonce));
        const entry: Entry = { ...w, nonce, hash: w.tx.hash.toHex(), hex: w.tx.toHex(), state: 'unknown', events: [] };
        this.#entries.set(entry.hash, entry);
        // Not awaited: the send is tracked in #inFlight and its promise never rejects (both outcomes are handled in #send).
        void this.#send(entry);
        signed++;
      }
    } finally {
      this.#pumping = false;
    }
    if (this.#waiting.length > 0 && this.#inFlight.size < this.#maxInFlight) setImmediate(() => this.#pump());
  }

  /**
   * Sends the signed bytes; a refusal answers the caller, a transport failure leaves it to recovery.
   * A resend refused as outdated (or banned, as a node bans what it just included) is `spent`: the
   * recovery looks for it in the blocks before it answers anything.
   */
  #send(entry: Entry, resend = false): Promise<void> {
    entry.state = 'sending';
    // The signed extrinsic object itself: rpc-core would decode the hex form all over again.
    const p = this.#api.rpc.author.submitExtrinsic(entry.tx).then(
      () => {
        if (entry.state === 'sending') entry.state = 'pool';
        if (entry.wait === 'ready') this.#answer(entry);
      },
      (err: unknown) => {
        const refusal = asRefusal(err);
        if (refusal && refusal.code === 1013) {
          // "Already imported": an earlier send of these bytes reached the pool.
          if (entry.state === 'sending') entry.state = 'pool';
          if (entry.wait === 'ready') this.#answer(entry);
        } else if (refusal && resend && isSpentNonce(refusal)) {
          if (entry.state === 'sending') entry.state = 'spent';
        } else if (refusal) {
          this.#refuse(entry, refusal);
        } else if (entry.state === 'sending') {
          entry.state = 'unknown';
        }
      },
    );
    const tracked = p.finally(() => {
      this.#inFlight.delete(tracked);
      this.#pump();
    });
    this.#inFlight.add(tracked);
    return tracked;
  }

  #refuse(entry: Entry, refusal: InvalidTransactionError): void {
    if (!this.#entries.delete(entry.hash)) return;
    entry.reject(refusal);
    this.#refusedNonces.push(entry.nonce);
    if (!this.#paused) {
      this.#paused = true;
      this.#enqueue(
        () => this.#resync(),
        () => this.#needRecovery(),
      );
    }
  }

  /**
   * After a refusal: transactions with later nonces already sent would wait forever behind the
   * refused nonce, so the gap is filled with an empty remark; then the nonce is read again.
   */
  async #resync(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    const refused = [...new Set(this.#refusedNonces)].sort((a, b) => a - b);
    const sent = [...this.#entries.values()].map((e) => e.nonce);
    const highest = sent.length ? Math.max(...sent) : -1;
    for (const nonce of refused) {
      if (nonce > highest) continue;
      const filler = this.#api.tx.system.remark('0x');
      filler.sign(this.#pair, this.#signOptions(nonce));
      const generation = this.#link.generation;
      try {
        await this.#api.rpc.author.submitExtrinsic(filler.toHex());
      } catch (err) {
        // Redone by the recovery after the reconnect (the refused nonces are kept until then).
        if (this.#isLinkFailure(err, generation)) throw err;
        const refusal = asRefusal(err);
        // A filler of an earlier, cut attempt already holds (or used) the nonce.
        if (refusal && (isSpentNonce(refusal) || refusal.code === 1013 || refusal.code === 1014)) continue;
        // The gap cannot be filled (e.g. no funds for fees): what waits behind it cannot land now.
        const reason = refusal ?? (err as Error);
        for (const e of [...this.#entries.values()]) {
          if (e.nonce > nonce && e.state !== 'inBlock') {
            this.#entries.delete(e.hash);
            e.reject(new Error(`waits in the pool behind refused nonce ${nonce}: ${reason.message}`));
          }
        }
      }
    }
    this.#nextNonce = (await this.#api.rpc.system.accountNextIndex(this.#pair.address)).toNumber();
    this.#refusedNonces = this.#refusedNonces.filter((n) => !refused.includes(n));
    this.#paused = false;
    this.#pump();
  }

  /** Reads every block up to `to` once, and finds our transactions in it by hash. */
  async #scanTo(to: number): Promise<void> {
    const api = this.#api;
    while (this.#lastScanned < to) {
      const n = this.#lastScanned + 1;
      if (this.#entries.size === 0) {
        this.#lastScanned = to;
        break;
      }
      const hash = await api.rpc.chain.getBlockHash(n);
      // The raw block: hashing the extrinsics' bytes is all we need, decoding thousands is not.
      const block = await (api.rpc.chain.getBlock as unknown as { raw(h: unknown): Promise<{ block: { extrinsics: string[] } }> }).raw(
        hash,
      );
      const found: [number, Entry][] = [];
      block.block.extrinsics.forEach((hex, i) => {
        const entry = this.#entries.get(blake2AsHex(hexToU8a(hex)));
        if (entry) found.push([i, entry]);
      });
      if (found.length > 0) {
        const records = await blockEventRecords(api, hash.toHex());
        const byExtrinsic = new Map<number, EventRecord[]>();
        for (const r of records) {
          if (!r.phase.isApplyExtrinsic) continue;
          const i = r.phase.asApplyExtrinsic.toNumber();
          const list = byExtrinsic.get(i);
          if (list) list.push(r);
          else byExtrinsic.set(i, [r]);
        }
        for (const [i, entry] of found) this.#included(entry, hash.toHex(), n, byExtrinsic.get(i) ?? []);
      }
      this.#lastScanned = n;
    }
    await this.#settleFinalized();
  }

  /** `mine`: the events of the entry's extrinsic (phase ApplyExtrinsic(index)). */
  #included(entry: Entry, blockHash: string, blockNumber: number, mine: EventRecord[]): void {
    entry.state = 'inBlock';
    entry.blockHash = blockHash;
    entry.blockNumber = blockNumber;
    entry.events = mine.map((r) => ({ section: r.event.section, method: r.event.method, data: r.event.data.toJSON() as unknown[] }));
    const failed = mine.find((r) => r.event.section === 'system' && r.event.method === 'ExtrinsicFailed');
    entry.dispatchError = failed ? (failed.event.data[0] as DispatchError) : undefined;
    if (entry.wait !== 'finalized') this.#answer(entry);
  }

  async #settleFinalized(): Promise<void> {
    const canonical = new Map<number, string>();
    for (const entry of [...this.#entries.values()]) {
      if (entry.state !== 'inBlock' || entry.blockNumber! > this.#finalized) continue;
      // The block at that height must still be the one we saw (a fork may have replaced it).
      const n = entry.blockNumber!;
      if (!canonical.has(n)) canonical.set(n, (await this.#api.rpc.chain.getBlockHash(n)).toHex());
      if (canonical.get(n) === entry.blockHash) this.#answer(entry);
      else {
        entry.state = 'pool';
        this.#lastScanned = Math.min(this.#lastScanned, n - 1);
      }
    }
  }

  #answer(entry: Entry): void {
    if (!this.#entries.delete(entry.hash)) return;
    if (entry.dispatchError) {
      entry.reject(chainErrorOf(entry.dispatchError, entry.hash));
      return;
    }
    entry.resolve({
      hash: entry.hash,
      nonce: entry.nonce,
      blockHash: entry.blockHash,
      blockNumber: entry.blockNumber,
      events: entry.events,
    });
  }

  #onDisconnected(): void {
    // Before the first start completes there is nothing to recover: the start retries itself.
    if (this.#nextNonce !== undefined) this.#disconnected = true;
  }

  #onConnected(): void {
    if (this.#disconnected) this.#queueRecovery();
  }

  /** A recovery failed on a live link (e.g. a request refused or timed out): try again after a pause. */
  #needRecovery(): void {
    this.#disconnected = true;
    if (this.#retryTimer || this.#closed) return;
    const delay = this.#retryDelayMs;
    this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, RETRY_MAX_MS);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#link.isUp) this.#queueRecovery();
    }, delay);
  }

  #queueRecovery(): void {
    if (this.#recoveryQueued || this.#closed) return;
    this.#recoveryQueued = true;
    this.#enqueue(
      async () => {
        this.#recoveryQueued = false;
        await this.#recover();
      },
      () => this.#needRecovery(),
    );
  }

  /**
   * After a reconnect: read the blocks we missed, the pool and the account nonce, and resend
   * only the signed bytes that are in neither — all at once, as the first sends went.
   */
  async #recover(): Promise<void> {
    const api = this.#api;
    const head = async (): Promise<number> => (await api.rpc.chain.getHeader()).number.toNumber();
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#scanTo(await head());
    const pool = new Set<string>((await api.rpc.author.pendingExtrinsics()).map((x) => x.hash.toHex()));
    const account = (await api.query.system.account(this.#pair.address)) as unknown as { nonce: { toNumber(): number } };
    const chainNonce = account.nonce.toNumber();
    const open = [...this.#entries.values()].filter((e) => e.state !== 'inBlock').sort((a, b) => a.nonce - b.nonce);
    const resend: Entry[] = [];
    for (const entry of open) {
      if (pool.has(entry.hash)) {
        entry.state = 'pool';
        if (entry.wait === 'ready') this.#answer(entry);
      } else if (entry.nonce < chainNonce) {
        entry.state = 'spent';
      } else {
        resend.push(entry);
      }
    }
    await Promise.all(resend.map((entry) => this.#send(entry, true)));
    if (resend.some((e) => e.state === 'unknown')) throw new LinkError('the link was lost again during recovery');
    const spent = open.filter((e) => e.state === 'spent');
    if (spent.length > 0) {
      // Spent nonces: each landed in a block after our scan, or another transaction took it.
      await this.#scanTo(await head());
      for (const entry of spent) {
        if (entry.state !== 'spent' || !this.#entries.delete(entry.hash)) continue;
        entry.reject(new Error(`nonce ${entry.nonce} was used by another transaction of ${this.#pair.address}`));
      }
    }
    this.#disconnected = false;
    this.#retryDelayMs = RETRY_MIN_MS;
    if (this.#paused) await this.#resync();
    else this.#pump();
  }
}

/** The node says the nonce is used: outdated (1010), or banned because it was just included (1012). */
function isSpentNonce(refusal: InvalidTransactionError): boolean {
  return refusal.code === 1012 || refusal.kind === 'Stale';
}
