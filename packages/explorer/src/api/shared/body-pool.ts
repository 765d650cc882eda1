/**
 * Reused body buffers for list answers. A fresh ~50 KB Buffer per answer is external memory: at
 * thousands of answers a second V8 runs a young-generation GC "for external memory pressure"
 * every ~70 ms, which made the tail of cold /nodes latencies. A slab goes back to the pool when
 * its response closes — its bytes are then in the kernel, or the connection is gone — so steady
 * load allocates none. Larger answers, and answers past the pool's bound, get a Buffer of their own.
 */
import type { FastifyReply } from 'fastify';

const [OPEN, COMMA, CLOSE] = [0x5b, 0x2c, 0x5d]; // '[', ',', ']'

export interface BodyPoolOptions {
  /** Bytes per slab: the largest answer served from the pool. */
  slabBytes?: number;
  /** Slabs kept at most (in use and free): the pool's memory bound. */
  maxSlabs?: number;
}

export class BodyPool {
  readonly slabBytes: number;
  readonly #maxSlabs: number;
  readonly #free: Buffer[] = [];
  #slabs = 0;

  constructor(o: BodyPoolOptions = {}) {
    this.slabBytes = o.slabBytes ?? 128 * 1024;
    this.#maxSlabs = o.maxSlabs ?? 256;
  }

  /** Slabs allocated so far (in use or free). */
  get slabs(): number {
    return this.#slabs;
  }

  /** Slabs free now. */
  get free(): number {
    return this.#free.length;
  }

  /** Sends `parts` joined as one body; the slab holding it returns to the pool when the response closes. */
  send(reply: FastifyReply, parts: readonly Buffer[]): FastifyReply {
    let length = 0;
    for (const p of parts) length += p.length;
    // A response already closed (the client went away) would never give a slab back.
    const slab = length <= this.slabBytes && !reply.raw.closed ? this.#take() : undefined;
    if (slab === undefined) return reply.send(Buffer.concat(parts, length));
    let at = 0;
    // TypedArray set: a memcpy without Buffer#copy's checks and native call per part (~100 per answer).
    for (const p of parts) {
      slab.set(p, at);
      at += p.length;
    }
    reply.raw.once('close', () => this.#free.push(slab));
    return reply.send(slab.subarray(0, length));
  }

  /**
   * Sends `[e0,e1,…]`: the elements' JSON bytes joined with commas straight into the slab (no list
   * of separator parts to build and copy one by one).
   */
  sendJsonArray(reply: FastifyReply, elements: readonly Buffer[]): FastifyReply {
    let length = elements.length === 0 ? 2 : elements.length + 1;
    for (const e of elements) length += e.length;
    const slab = length <= this.slabBytes && !reply.raw.closed ? this.#take() : undefined;
    const body = slab ?? Buffer.allocUnsafe(length);
    let at = 0;
    body[at++] = OPEN;
    for (let i = 0; i < elements.length; i++) {
      if (i > 0) body[at++] = COMMA;
      const e = elements[i]!;
      body.set(e, at);
      at += e.length;
    }
    body[at] = CLOSE;
    if (slab === undefined) return reply.send(body);
    reply.raw.once('close', () => this.#free.push(slab));
    return reply.send(slab.subarray(0, length));
  }

  #take(): Buffer | undefined {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#slabs >= this.#maxSlabs) return undefined;
    this.#slabs++;
    return Buffer.allocUnsafeSlow(this.slabBytes);
  }
}
