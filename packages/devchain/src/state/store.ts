/**
 * Blocks and versioned state in LevelDB, for persistent chains (--base-path).
 * A block, its state changes and the head cursor are written in one atomic batch, so a process
 * killed at any instant restarts from its last complete block.
 *
 * State keys are `<bare hex key>/<inverted block number>`: '/' sorts below every hex digit, so
 * iteration follows storage-key byte order and each key's newest version comes first.
 */
import type { AbstractLevel, AbstractSublevel } from 'abstract-level';
import { ClassicLevel } from 'classic-level';
import { bytes, decode, encode, tuple, vec } from '../scale/codec';
import { blake2_256 } from '../crypto/hashing';
import { toHex } from '../util/hex';
import type { MemoryState } from './overlay';

export interface StoredBlock {
  number: number;
  hash: string; // 0x hex
  header: Uint8Array;
  extrinsics: Uint8Array[];
}

/** Where the chain keeps its blocks and the state of every retained block. */
export interface BlockStore {
  open(): Promise<void>;
  close(): Promise<void>;
  getMeta(name: string): Promise<Uint8Array | undefined>;
  /** A block with its state changes (and meta entries), atomically; writes land in order. */
  commitBlock(block: StoredBlock, changes: Map<string, Uint8Array | null>, meta?: Record<string, Uint8Array>): Promise<void>;
  setFinalized(n: number): Promise<void>;
  /** Resolves once every write queued so far has landed. */
  flushed(): Promise<void>;
  headNumber(): Promise<number | undefined>;
  blockByNumber(n: number): Promise<StoredBlock | undefined>;
  numberOfHash(hash: string): Promise<number | undefined>;
  /** The value of a (bare hex) key as of block n. */
  valueAt(key: string, n: number): Promise<Uint8Array | undefined>;
  /** Keys with the prefix that hold a value at block n, in key order, after startKey, at most count. */
  keysAt(prefix: string, n: number, count?: number, startKey?: string): Promise<string[]>;
  /** Loads the state of block `head` into memory. */
  loadState(into: MemoryState, head: number): Promise<void>;
}

export const blockCodec = tuple<[Uint8Array, Uint8Array[]]>(bytes, vec(bytes));
const MAX_BLOCK = 0xffffffff;

const pad = (n: number): string => n.toString(16).padStart(8, '0');
const versionKey = (key: string, n: number): string => `${key}/${pad(MAX_BLOCK - n)}`;
const versionOf = (stored: string): { key: string; number: number } => {
  const slash = stored.lastIndexOf('/');
  return { key: stored.slice(0, slash), number: MAX_BLOCK - parseInt(stored.slice(slash + 1), 16) };
};

// The store's format parameter (which level picks) is not ours to name.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
type Db = AbstractLevel<any, string, Uint8Array>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
type Sub = AbstractSublevel<Db, any, string, Uint8Array>;

export class LevelStore implements BlockStore {
  readonly #db: Db;
  readonly #blocks: Sub;
  readonly #hashes: Sub;
  readonly #state: Sub;
  readonly #meta: Sub;
  #writes: Promise<void> = Promise.resolve();

  constructor(path: string) {
    const opts = { keyEncoding: 'utf8', valueEncoding: 'view' } as const;
    this.#db = new ClassicLevel<string, Uint8Array>(path, opts) as unknown as Db;
    const sub = (name: string): Sub => this.#db.sublevel<string, Uint8Array>(name, opts) as Sub;
    this.#blocks = sub('b');
    this.#hashes = sub('h');
    this.#state = sub('s');
    this.#meta = sub('m');
  }

  async open(): Promise<void> {
    await this.#db.open();
  }

  async close(): Promise<void> {
    await this.#writes;
    await this.#db.close();
  }

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.#meta.get(name);
  }

  /** Writes are serialised: each block lands after the one before it. */
  commitBlock(block: StoredBlock, changes: Map<string, Uint8Array | null>, meta: Record<string, Uint8Array> = {}): Promise<void> {
    // Operations on several sublevels at once: level types each batch for one sublevel's format.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    const ops: any[] = [
      { type: 'put', sublevel: this.#blocks, key: pad(block.number), value: encode(blockCodec, [block.header, block.extrinsics]) },
      { type: 'put', sublevel: this.#hashes, key: block.hash, value: numberBytes(block.number) },
      { type: 'put', sublevel: this.#meta, key: 'head', value: numberBytes(block.number) },
    ];
    for (const [k, v] of changes) {
      ops.push({ type: 'put', sublevel: this.#state, key: versionKey(k, block.number), value: v === null ? TOMBSTONE : withFlag(v) });
    }
    for (const [k, v] of Object.entries(meta)) ops.push({ type: 'put', sublevel: this.#meta, key: k, value: v });
    const write = this.#writes.then(() => this.#db.batch(ops));
    this.#writes = write.catch(() => undefined);
    return write;
  }

  setFinalized(n: number): Promise<void> {
    const write = this.#writes.then(() => this.#meta.put('finalized', numberBytes(n)));
    this.#writes = write.catch(() => undefined);
    return write;
  }

  /** Resolves once every write queued so far has landed. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  async headNumber(): Promise<number | undefined> {
    const v = await this.#meta.get('head');
    return v === undefined ? undefined : readNumber(v);
  }

  async blockByNumber(n: number): Promise<StoredBlock | undefined> {
    const v = await this.#blocks.get(pad(n));
    if (v === undefined) return undefined;
    const [header, extrinsics] = decode(blockCodec, v);
    return { number: n, hash: toHex(blake2_256(header)), header, extrinsics };
  }

  async numberOfHash(hash: string): Promise<number | undefined> {
    const v = await this.#hashes.get(hash.toLowerCase());
    return v === undefined ? undefined : readNumber(v);
  }

  /** The value of `key` as of block `n` (newest version at or below n). */
  async valueAt(key: string, n: number): Promise<Uint8Array | undefined> {
    for await (const [, v] of this.#state.iterator({ gte: versionKey(key, n), lt: `${key}/~`, limit: 1 })) {
      return v[0] === 1 ? v.subarray(1) : undefined;
    }
    return undefined;
  }

  /** Keys with `prefix` that hold a value at block `n`, in key order, after `startKey`, at most `count`. */
  async keysAt(prefix: string, n: number, count = Infinity, startKey?: string): Promise<string[]> {
    const out: string[] = [];
    let current: string | undefined;
    let decided = false;
    const gt = startKey && startKey > prefix ? `${startKey}/~` : undefined;
    const range = gt ? { gt, lt: `${prefix}~` } : { gte: prefix, lt: `${prefix}~` };
    for await (const [stored, v] of this.#state.iterator(range)) {
      const { key, number } = versionOf(stored);
      if (key !== current) {
        current = key;
        decided = false;
      }
      if (decided || number > n) continue;
      decided = true; // the first version at or below n is the value at n
      if (v[0] === 1) {
        out.push(key);
        if (out.length >= count) break;
      }
    }
    return out;
  }

  /** Loads the newest version of every key (the head state) into memory. */
  async loadState(into: MemoryState, head: number): Promise<void> {
    const changes = new Map<string, Uint8Array | null>();
    let current: string | undefined;
    for await (const [stored, v] of this.#state.iterator()) {
      const { key, number } = versionOf(stored);
      if (key === current || number > head) continue;
      current = key;
      if (v[0] === 1) changes.set(key, v.slice(1));
    }
    into.apply(changes);
  }
}

const TOMBSTONE = Uint8Array.of(0);

function withFlag(v: Uint8Array): Uint8Array {
  const out = new Uint8Array(v.length + 1);
  out[0] = 1;
  out.set(v, 1);
  return out;
}

function numberBytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

function readNumber(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
}
