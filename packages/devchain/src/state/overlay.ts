/**
 * Layered state: a block's changes sit in an overlay over the head state, each extrinsic (and each
 * transactional call inside it) in a child overlay that is committed or dropped whole. Events ride
 * in the same layers so that a rolled-back dispatch leaves no event behind.
 */
import type { Enum } from '../scale/codec';

export interface StateReader {
  /** Bare-hex key → value, or undefined where nothing is stored. */
  get(key: string): Uint8Array | undefined;
  /** Keys starting with the bare-hex prefix, sorted. */
  keys(prefix: string): string[];
}

/** The head state: everything in memory, so the runtime never waits on the disk. */
export class MemoryState implements StateReader {
  readonly #map = new Map<string, Uint8Array>();

  get(key: string): Uint8Array | undefined {
    return this.#map.get(key);
  }

  keys(prefix: string): string[] {
    const out: string[] = [];
    for (const k of this.#map.keys()) if (k.startsWith(prefix)) out.push(k);
    return out.sort();
  }

  apply(changes: Map<string, Uint8Array | null>): void {
    for (const [k, v] of changes) {
      if (v === null) this.#map.delete(k);
      else this.#map.set(k, v);
    }
  }

  get size(): number {
    return this.#map.size;
  }

  entries(): IterableIterator<[string, Uint8Array]> {
    return this.#map.entries();
  }
}

export class Overlay implements StateReader {
  readonly #parent: StateReader;
  readonly #changes = new Map<string, Uint8Array | null>();
  readonly events: Enum[] = [];

  constructor(parent: StateReader) {
    this.#parent = parent;
  }

  get(key: string): Uint8Array | undefined {
    const v = this.#changes.get(key);
    if (v !== undefined) return v === null ? undefined : v;
    return this.#parent.get(key);
  }

  keys(prefix: string): string[] {
    const set = new Set(this.#parent.keys(prefix));
    for (const [k, v] of this.#changes) {
      if (!k.startsWith(prefix)) continue;
      if (v === null) set.delete(k);
      else set.add(k);
    }
    return [...set].sort();
  }

  set(key: string, value: Uint8Array): void {
    this.#changes.set(key, value);
  }

  delete(key: string): void {
    this.#changes.set(key, null);
  }

  deposit(event: Enum): void {
    this.events.push(event);
  }

  child(): Overlay {
    return new Overlay(this);
  }

  /** Moves this layer's changes and events into `into` (its parent). */
  commitInto(into: Overlay): void {
    for (const [k, v] of this.#changes) {
      if (v === null) into.delete(k);
      else into.set(k, v);
    }
    into.events.push(...this.events);
  }

  get changes(): Map<string, Uint8Array | null> {
    return this.#changes;
  }
}
