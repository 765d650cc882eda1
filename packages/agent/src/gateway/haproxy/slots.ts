/**
 * Backend slots: HAProxy cannot add a backend at runtime, only servers to one, so the config
 * holds a pool of empty backends (`h<N>` for HTTP routes, `t<N>` for TLS passthrough ones) and a
 * route takes one. A slot given back is reused only once the servers it had are deleted (a request
 * still on one of them keeps it). When the pool runs out it doubles, which is a reload.
 */
import type { Backend } from '../backends';

export interface ServerState {
  /** s<N>, unique in its slot for the slot's life. */
  id: string;
  backend: Backend;
  /** The address HAProxy has for it; undefined while resolving or when refused. */
  address?: string;
  /** Why it has no address (EBACKENDLOCAL, ENOTFOUND…), or the last check's complaint. */
  error?: string;
  healthy: boolean;
  /** Forced down by the agent's own probe. */
  forcedDown?: boolean;
}

export type SlotKind = 'h' | 't';

export class Slot {
  readonly id: string;
  readonly kind: SlotKind;
  /** Backend origin → its server. */
  readonly servers = new Map<string, ServerState>();
  /** Servers taken out (maintenance), deleted from HAProxy once their connections are done. */
  readonly retiring = new Map<string, ServerState>();
  owner: string | undefined;
  #next = 0;

  constructor(id: string, kind: SlotKind) {
    this.id = id;
    this.kind = kind;
  }

  nextServerId(): string {
    return `s${this.#next++}`;
  }
}

export class SlotPool {
  readonly #slots = new Map<string, Slot>();
  readonly #capacity: Record<SlotKind, number>;

  constructor(initial = 16) {
    this.#capacity = { h: 0, t: 0 };
    this.grow('h', initial);
    this.grow('t', Math.max(4, initial / 4));
  }

  capacity(kind: SlotKind): number {
    return this.#capacity[kind];
  }

  /** A free slot of `kind`, or undefined (then grow() and reload). */
  take(kind: SlotKind, owner: string): Slot | undefined {
    for (const s of this.#slots.values()) {
      if (s.kind === kind && s.owner === undefined && s.servers.size === 0 && s.retiring.size === 0) {
        s.owner = owner;
        return s;
      }
    }
    return undefined;
  }

  grow(kind: SlotKind, to: number): void {
    for (let i = this.#capacity[kind]; i < to; i++) this.#slots.set(`${kind}${i}`, new Slot(`${kind}${i}`, kind));
    this.#capacity[kind] = Math.max(this.#capacity[kind], to);
  }

  all(): IterableIterator<Slot> {
    return this.#slots.values();
  }

  get(id: string): Slot | undefined {
    return this.#slots.get(id);
  }
}
