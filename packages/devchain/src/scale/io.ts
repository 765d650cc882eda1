/** Byte-level reader and writer for SCALE. Little-endian, growable, no copies on read. */

export class ScaleError extends Error {}

export class Writer {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  constructor(capacity = 64) {
    this.#buf = new Uint8Array(capacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.#reserve(1);
    this.#buf[this.#len++] = v & 0xff;
  }

  u16(v: number): void {
    this.#reserve(2);
    this.#view.setUint16(this.#len, v, true);
    this.#len += 2;
  }

  u32(v: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.#len, v >>> 0, true);
    this.#len += 4;
  }

  /** Unsigned little-endian integer of `bytes` bytes from a bigint (two's complement for negatives). */
  uint(v: bigint, bytes: number): void {
    this.#reserve(bytes);
    let x = v < 0n ? (1n << BigInt(bytes * 8)) + v : v;
    for (let i = 0; i < bytes; i++) {
      this.#buf[this.#len + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.#len += bytes;
  }

  bytes(b: Uint8Array): void {
    this.#reserve(b.length);
    this.#buf.set(b, this.#len);
    this.#len += b.length;
  }

  compact(v: number | bigint): void {
    const n = typeof v === 'bigint' ? v : BigInt(v);
    if (n < 0n) throw new ScaleError('compact: negative value');
    if (n < 64n) this.u8(Number(n) << 2);
    else if (n < 16384n) this.u16((Number(n) << 2) | 1);
    else if (n < 1073741824n) this.u32(((Number(n) << 2) | 2) >>> 0);
    else {
      let len = 0;
      for (let x = n; x > 0n; x >>= 8n) len++;
      if (len > 67) throw new ScaleError('compact: value too large');
      this.u8(((len - 4) << 2) | 3);
      this.uint(n, len);
    }
  }

  get length(): number {
    return this.#len;
  }

  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Substrate decodes extrinsics with a depth limit of 256 (MAX_EXTRINSIC_DEPTH); so does this reader. */
export const MAX_DECODE_DEPTH = 256;

export class Reader {
  pos = 0;
  readonly #view: DataView;
  #depth = 0;

  constructor(readonly buf: Uint8Array) {
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  #need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new ScaleError(`unexpected end of input: need ${n} byte(s) at offset ${this.pos} of ${this.buf.length}`);
    }
  }

  u8(): number {
    this.#need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.#need(2);
    const v = this.#view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  uint(bytes: number, signed = false): bigint {
    this.#need(bytes);
    let v = 0n;
    for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.buf[this.pos + i]!);
    this.pos += bytes;
    if (signed && v >= 1n << BigInt(bytes * 8 - 1)) v -= 1n << BigInt(bytes * 8);
    return v;
  }

  /**
   * Decodes a nested value (an enum's or a sequence's contents) one level deeper: a call holding
   * calls holding calls… is refused past MAX_DECODE_DEPTH instead of overflowing the stack.
   */
  nested<T>(decode: () => T): T {
    if (this.#depth >= MAX_DECODE_DEPTH) throw new ScaleError(`value nested deeper than ${MAX_DECODE_DEPTH} levels at offset ${this.pos}`);
    this.#depth++;
    try {
      return decode();
    } finally {
      this.#depth--;
    }
  }

  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  compact(): bigint {
    const b = this.u8();
    switch (b & 3) {
      case 0:
        return BigInt(b >> 2);
      case 1:
        this.pos--;
        return BigInt(this.u16() >> 2);
      case 2:
        this.pos--;
        return BigInt(this.u32() >>> 2);
      default:
        return this.uint((b >> 2) + 4);
    }
  }

  /** A compact used as a length or count: must fit a safe integer and the remaining input. */
  length(): number {
    const n = this.compact();
    if (n > BigInt(this.buf.length - this.pos) * 8n + 64n || n > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ScaleError(`length ${n} exceeds the input at offset ${this.pos}`);
    }
    return Number(n);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }
}
