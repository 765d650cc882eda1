/**
 * Backend slots: HAProxy cannot add a backend at runtime, only servers to one, so the config
 * holds a pool of empty backends (`h<N>` for HTTP routes, `t<N>` for TLS passthrough ones) and a
 * route takes one. A slot given back is reused only once the servers it had are deleted (a request
 * still on one of them keeps it). When the pool runs out it doubles, which is a reload.
 *
 * An HTTP slot holds SEATS servers in the config itself (`s1`…`s<SEATS>`, disabled, parked at
 * 0.0.0.0:0): a plain-HTTP backend with an IP takes one (`set server … addr`, then enabled). HAProxy
 * 2.6 keeps idle backend connections only for config servers; a server added with `add server`
 * opens a new connection per request. A seat given back drains in maintenance and is free again
 * only once HAProxy shows it no connection in use and none idle, parked at 0.0.0.0:0: a connection
 * still busy when its seat took another address would join the idle pool of the new address, and
 * the next route on that seat would reach the previous one's backend.
 */
import { MAX_GATEWAY_BACKENDS } from '@tfgrid/client';
import type { Backend } from '../routes/backends';

/** Seats per HTTP slot: as many as a route may have backends (more fall back to `add server`). */
export const SEATS = MAX_GATEWAY_BACKENDS;
/** The address of a seat nobody holds. */
export const PARKED = { ip: '0.0.0.0', port: 0 } as const;

export interface ServerState {
  /** s<seat> for a seat, d<N> for a server added at runtime (unique in its slot for the slot's life). */
  id: string;
  /** The seat (1…SEATS) it holds, when it is one of the slot's config servers. */
  seat?: number;
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
  /** Seat n is taken when taken[n - 1] (held by a server, or draining in `retiring`). */
  readonly #taken: boolean[];
  #next = 0;

  constructor(id: string, kind: SlotKind) {
    this.id = id;
    this.kind = kind;
    this.#taken = Array.from({ length: kind === 'h' ? SEATS : 0 }, () => false);
  }

  /** A server added at runtime: d<N>. */
  nextServerId(): string {
    return `d${this.#next++}`;
  }

  /** Seats of the config (1…SEATS for HTTP slots, none for TLS passthrough ones). */
  get seats(): number {
    return this.#taken.length;
  }

  /** A free seat, now taken, or undefined when all are held or draining. */
  takeSeat(): number | undefined {
    const i = this.#taken.indexOf(false);
    if (i < 0) return undefined;
    this.#taken[i] = true;
    return i + 1;
  }

  /** The seat is parked with no connection left: another server may take it. */
  freeSeat(seat: number): void {
    this.#taken[seat - 1] = false;
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
