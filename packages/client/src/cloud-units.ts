/**
 * Cloud units as ThreeFold's capacity minting counts them (minting_v3's `cloud_units_permill`,
 * from the farming documentation), in millionths so no float enters a reward:
 *   CU = min(cru × 2, (mru − 1 GiB) / 4 GiB, sru / 50 GiB)
 *   SU = hru / 1200 GiB + sru / 250 GiB
 *   NU = public traffic in GiB
 * Every division happens after the minimum, as minting does, so rounding cannot pick the term.
 *
 * Not the runtime's `Resources::get_cu`/`get_su` (the devchain's cuOf/suOf, used for farming
 * policy limits): those are whole units with a different memory term and a strict minimum.
 */
import type { Resources } from './chain';

const GIB = 1024n ** 3n;
const MILLION = 1_000_000n;

export interface CloudUnitsPermill {
  /** Compute units × 10⁶. */
  cu: bigint;
  /** Storage units × 10⁶. */
  su: bigint;
  /** Network units (GiB of public traffic) × 10⁶. */
  nu: bigint;
}

const big = (n: number, what: string): bigint => {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${n}`);
  return BigInt(n);
};

/** CU, SU and NU in millionths for a node's total resources and its reported public traffic (bytes). */
export function cloudUnitsPermill(r: Resources, nruBytes = 0): CloudUnitsPermill {
  const cru = big(r.cru, 'cru');
  const mru = big(r.mru, 'mru');
  const sru = big(r.sru, 'sru');
  const hru = big(r.hru, 'hru');
  const cpu = cru * 2n * GIB * MILLION;
  // Less than 1 GiB of memory gives no CU (minting's unsigned subtraction would underflow).
  const mem = mru > GIB ? ((mru - GIB) * MILLION) / 4n : 0n;
  const ssd = (sru * MILLION) / 50n;
  const min = [cpu, mem, ssd].reduce((a, b) => (b < a ? b : a));
  return {
    cu: min / GIB,
    su: ((hru * MILLION) / 1200n + (sru * MILLION) / 250n) / GIB,
    nu: (big(nruBytes, 'nru') * MILLION) / GIB,
  };
}

/** Millionths as a decimal number (for display; rewards use the bigint). */
export const fromPermill = (v: bigint): number => Number(v) / 1e6;
