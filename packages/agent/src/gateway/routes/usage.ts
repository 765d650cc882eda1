/**
 * Network usage per contract, measured on the client socket: what a request cost is the
 * socket's bytesRead/bytesWritten delta since the previous request on that socket ended, so
 * headers, bodies and framing are counted as they crossed the wire. Totals are handed to the
 * NRU sink (the agent's persistent report queue) in batches, not per request.
 */
import type { Socket } from 'node:net';
import type { NruSink } from '../../core/workload-types';

const MARK = Symbol('tfgrid.gateway.usageMark');
interface Marked {
  [MARK]?: { r: number; w: number };
}

/** Bytes read from and written to `s` since the last call for it. */
export function socketDelta(s: Socket): { read: number; written: number } {
  const m = s as Socket & Marked;
  const mark = (m[MARK] ??= { r: 0, w: 0 });
  const r = s.bytesRead;
  const w = s.bytesWritten;
  const out = { read: r - mark.r, written: w - mark.w };
  mark.r = r;
  mark.w = w;
  return out;
}

export class UsageMeter {
  readonly #sink: NruSink | undefined;
  readonly #pending = new Map<number, number>();
  readonly #totals = new Map<number, { in: number; out: number }>();

  constructor(sink?: NruSink) {
    this.#sink = sink;
  }

  add(contractId: number, bytesIn: number, bytesOut: number): void {
    if (bytesIn + bytesOut <= 0) return;
    this.#pending.set(contractId, (this.#pending.get(contractId) ?? 0) + bytesIn + bytesOut);
    const t = this.#totals.get(contractId);
    if (t) {
      t.in += bytesIn;
      t.out += bytesOut;
    } else this.#totals.set(contractId, { in: bytesIn, out: bytesOut });
  }

  /** Hands what was counted since the last flush to the sink. */
  flush(): void {
    if (!this.#sink) return this.#pending.clear();
    for (const [id, bytes] of this.#pending) this.#sink.add(id, bytes);
    this.#pending.clear();
  }

  /** Bytes in and out counted for a contract since the gateway started. */
  total(contractId: number): { in: number; out: number } {
    return { ...(this.#totals.get(contractId) ?? { in: 0, out: 0 }) };
  }

  forget(contractId: number): void {
    this.#totals.delete(contractId);
  }
}
