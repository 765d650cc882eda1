/**
 * Blocks and versioned state in plain memory, for ephemeral chains (--dev, tests): the same
 * answers as the LevelDB store, without its encoding and ordering costs on every block.
 */
import type { MemoryState } from './overlay';
import type { BlockStore, StoredBlock } from './store';

/** Versions of one key: block numbers ascending, with the value set at each (null: deleted). */
interface Versions {
  at: number[];
  values: (Uint8Array | null)[];
}

export class MemoryStore implements BlockStore {
  readonly #blocks: StoredBlock[] = [];
  readonly #numbers = new Map<string, number>();
  readonly #state = new Map<string, Versions>();
  readonly #meta = new Map<string, Uint8Array>();
  #head: number | undefined;

  async open(): Promise<void> {}
  async close(): Promise<void> {}
  async flushed(): Promise<void> {}

  async getMeta(name: string): Promise<Uint8Array | undefined> {
    return this.#meta.get(name);
  }

  async commitBlock(block: StoredBlock, changes: Map<string, Uint8Array | null>, meta: Record<string, Uint8Array> = {}): Promise<void> {
    this.#blocks[block.number] = block;
    this.#numbers.set(block.hash.toLowerCase(), block.number);
    for (const [k, v] of changes) {
      let versions = this.#state.get(k);
      if (!versions) this.#state.set(k, (versions = { at: [], values: [] }));
      versions.at.push(block.number);
      versions.values.push(v);
    }
    for (const [k, v] of Object.entries(meta)) this.#meta.set(k, v);
    this.#head = block.number;
  }

  async setFinalized(): Promise<void> {}

  async headNumber(): Promise<number | undefined> {
    return this.#head;
  }

  async blockByNumber(n: number): Promise<StoredBlock | undefined> {
    return this.#blocks[n];
  }

  async numberOfHash(hash: string): Promise<number | undefined> {
    return this.#numbers.get(hash.toLowerCase());
  }

  #valueAt(versions: Versions | undefined, n: number): Uint8Array | undefined {
    if (!versions) return undefined;
    // the last version at or below n (binary search: versions are in block order)
    let lo = 0;
    let hi = versions.at.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (versions.at[mid]! <= n) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? undefined : (versions.values[found] ?? undefined);
  }

  async valueAt(key: string, n: number): Promise<Uint8Array | undefined> {
    return this.#valueAt(this.#state.get(key), n);
  }

  async keysAt(prefix: string, n: number, count = Infinity, startKey?: string): Promise<string[]> {
    const keys: string[] = [];
    for (const [k, versions] of this.#state) {
      if (k.startsWith(prefix) && (startKey === undefined || k > startKey) && this.#valueAt(versions, n) !== undefined) keys.push(k);
    }
    return keys.sort().slice(0, count);
  }

  async loadState(into: MemoryState, head: number): Promise<void> {
    const changes = new Map<string, Uint8Array | null>();
    for (const [k, versions] of this.#state) {
      const v = this.#valueAt(versions, head);
      if (v) changes.set(k, v);
    }
    into.apply(changes);
  }
}
