/**
 * Signature checks are the node's hot path: a pool of worker threads verifies them in batches
 * so that the main thread keeps building blocks and answering RPC meanwhile.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ed25519Verify, secp256k1Recover, sr25519Verify } from '@polkadot/wasm-crypto';
import { blake2_256 } from './hashing';

export type SignatureKind = 'Sr25519' | 'Ed25519' | 'Ecdsa';

interface Job {
  kind: SignatureKind;
  sig: Uint8Array;
  msg: Uint8Array;
  pub: Uint8Array;
}

/** MultiSignature::verify in this thread: ed25519 and sr25519 against the key, ecdsa by recovery. */
export function verifyNow(kind: SignatureKind, sig: Uint8Array, msg: Uint8Array, signer: Uint8Array): boolean {
  try {
    if (kind === 'Sr25519') return sr25519Verify(sig, msg, signer);
    if (kind === 'Ed25519') return ed25519Verify(sig, msg, signer);
    if (kind === 'Ecdsa') {
      const pub = secp256k1Recover(blake2_256(msg), sig.subarray(0, 64), sig[64]! % 27);
      return Buffer.from(blake2_256(pub)).equals(Buffer.from(signer));
    }
  } catch {
    return false;
  }
  return false;
}

export class SignatureVerifier {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, (r: boolean[]) => void>();
  #queue: { job: Job; resolve: (ok: boolean) => void }[] = [];
  #flushScheduled = false;
  #next = 0;
  #ids = 0;

  /** threads 0: verify inline on the calling thread. */
  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(path.join(__dirname, 'verify-worker.js'));
      w.on('message', ({ id, results }: { id: number; results: boolean[] }) => {
        this.#pending.get(id)?.(results);
        this.#pending.delete(id);
      });
      w.unref();
      this.#workers.push(w);
    }
  }

  verify(kind: SignatureKind, sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): Promise<boolean> {
    if (this.#workers.length === 0 || kind === 'Ecdsa') return Promise.resolve(verifyNow(kind, sig, msg, pub));
    return new Promise((resolve) => {
      this.#queue.push({ job: { kind, sig, msg, pub }, resolve });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Sends what queued up during this turn of the event loop, split across the workers. */
  #flush(): void {
    this.#flushScheduled = false;
    const queue = this.#queue;
    this.#queue = [];
    const per = Math.ceil(queue.length / this.#workers.length);
    for (let i = 0; i < queue.length; i += per) {
      const part = queue.slice(i, i + per);
      const id = this.#ids++;
      this.#pending.set(id, (results) => part.forEach((p, j) => p.resolve(results[j] === true)));
      const w = this.#workers[this.#next++ % this.#workers.length]!;
      w.postMessage({ id, jobs: part.map((p) => p.job) });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    for (const resolve of this.#pending.values()) resolve([]);
    this.#pending.clear();
  }
}
