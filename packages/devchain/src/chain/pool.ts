/**
 * The transaction pool: per sender, transactions by nonce. A transaction is ready when its
 * nonce continues the sender's chain from the account nonce; later ones wait as "future".
 */
import { keyOf, toHex, type Hex } from '../util/hex';
import type { Candidate } from './block-builder';

export interface PoolEntry extends Candidate {
  hash: Hex;
  arrival: number;
}

export class TxPool {
  readonly #byHash = new Map<Hex, PoolEntry>();
  readonly #bySender = new Map<string, Map<number, PoolEntry>>();
  #arrivals = 0;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.#byHash.size;
  }

  has(hash: Hex): boolean {
    return this.#byHash.has(hash);
  }

  /** The entry already holding this sender's nonce, if any. */
  occupant(signer: Uint8Array, nonce: number): PoolEntry | undefined {
    return this.#bySender.get(keyOf(signer))?.get(nonce);
  }

  add(c: Candidate): PoolEntry {
    const entry: PoolEntry = { ...c, hash: toHex(c.x.hash), arrival: this.#arrivals++ };
    const sender = keyOf(c.v.signer);
    let byNonce = this.#bySender.get(sender);
    if (!byNonce) this.#bySender.set(sender, (byNonce = new Map()));
    const old = byNonce.get(c.v.nonce);
    if (old) this.#byHash.delete(old.hash);
    byNonce.set(c.v.nonce, entry);
    this.#byHash.set(entry.hash, entry);
    return entry;
  }

  remove(hash: Hex): PoolEntry | undefined {
    const e = this.#byHash.get(hash);
    if (!e) return undefined;
    this.#byHash.delete(hash);
    const sender = keyOf(e.v.signer);
    const byNonce = this.#bySender.get(sender);
    byNonce?.delete(e.v.nonce);
    if (byNonce?.size === 0) this.#bySender.delete(sender);
    return e;
  }

  /** Whether `nonce` continues the sender's ready chain given the account nonce. */
  isReady(signer: Uint8Array, nonce: number, accountNonce: number): boolean {
    const byNonce = this.#bySender.get(keyOf(signer));
    for (let n = accountNonce; n < nonce; n++) if (!byNonce?.has(n)) return false;
    return true;
  }

  /** Next free nonce of a sender: the account nonce extended by its consecutive pool entries. */
  nextNonce(signer: Uint8Array, accountNonce: number): number {
    const byNonce = this.#bySender.get(keyOf(signer));
    let n = accountNonce;
    while (byNonce?.has(n)) n++;
    return n;
  }

  /**
   * Ready transactions in inclusion order: each sender's consecutive chain from its account
   * nonce; senders by highest tip, then first arrival. Stale entries are returned for removal.
   */
  ready(accountNonce: (signer: Uint8Array) => number): { ready: PoolEntry[]; stale: PoolEntry[] } {
    const chains: PoolEntry[][] = [];
    const stale: PoolEntry[] = [];
    for (const byNonce of this.#bySender.values()) {
      const first = byNonce.values().next().value as PoolEntry;
      const start = accountNonce(first.v.signer);
      for (const [n, e] of byNonce) if (n < start) stale.push(e);
      const chain: PoolEntry[] = [];
      for (let n = start; byNonce.has(n); n++) chain.push(byNonce.get(n)!);
      if (chain.length) chains.push(chain);
    }
    chains.sort((a, b) =>
      a[0]!.v.priority === b[0]!.v.priority ? a[0]!.arrival - b[0]!.arrival : a[0]!.v.priority > b[0]!.v.priority ? -1 : 1,
    );
    // Interleave senders round-robin so one busy sender cannot starve the others.
    const ready: PoolEntry[] = [];
    for (let i = 0; chains.some((c) => i < c.length); i++) for (const c of chains) if (i < c.length) ready.push(c[i]!);
    return { ready, stale };
  }

  all(): PoolEntry[] {
    return [...this.#byHash.values()];
  }
}
