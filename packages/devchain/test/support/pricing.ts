/**
 * The billing formula of TFChain (spec 152), written down independently of the devchain's
 * implementation so that tests can check every bill against it. The real pallet computes in
 * `U64F64` fixed point (64 fraction bits, truncating), which decides the last unit of a bill:
 * the model does the same with bigints scaled by 2^64.
 */
const FRAC = 64n;
const fx = (n: bigint): bigint => n << FRAC;
const fmul = (a: bigint, b: bigint): bigint => (a * b) >> FRAC;
const fdiv = (a: bigint, b: bigint): bigint => (a << FRAC) / b;
const fceil = (a: bigint): bigint => (a + (1n << FRAC) - 1n) >> FRAC;
const ffloor = (a: bigint): bigint => a >> FRAC;
const fmax = (a: bigint, b: bigint): bigint => (a > b ? a : b);
const fmin = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/** The dev chain's pricing policy 1 (units USD per hour; 1 mUSD = 10,000 units), sizes in GiB. */
export const DEV_PRICES = { su: 50_000n, cu: 100_000n, nu: 15_000n, ipu: 40_000n, uniqueName: 2_500n, dedicationDiscount: 50n };
export const GIB = 1024n ** 3n;
export const HOUR = 3600n;
export const ED = 500n;

export interface Res {
  hru: bigint;
  sru: bigint;
  cru: bigint;
  mru: bigint;
}

/** Units USD for `secs` seconds of resources (if billed) and public IPs, rounded up. */
export function resourceUnits(res: Res, ips: bigint, secs: bigint, billResources = true): bigint {
  const perSec = (price: bigint): bigint => fdiv(fx(price), fx(HOUR));
  let total = 0n;
  if (billResources) {
    const hru = fdiv(fx(res.hru), fx(GIB));
    const sru = fdiv(fx(res.sru), fx(GIB));
    const mru = fdiv(fx(res.mru), fx(GIB));
    const cru = fx(res.cru);
    const su = hru / 1200n + sru / 200n;
    const cu = fmin(fmin(fmax(mru / 4n, cru / 2n), fmax(mru / 8n, cru)), fmax(mru / 2n, cru / 4n));
    total = fmul(fmul(perSec(DEV_PRICES.su), fx(secs)), su) + fmul(fmul(perSec(DEV_PRICES.cu), fx(secs)), cu);
  }
  if (ips > 0n) total += fmul(fmul(fx(ips), perSec(DEV_PRICES.ipu)), fx(secs));
  return fceil(total);
}

/** A rent contract: the node's whole capacity at the dedication discount (Percent, nearest, ties down). */
export function rentUnits(node: Res, secs: bigint): bigint {
  const full = resourceUnits(node, 0n, secs);
  const prod = full * DEV_PRICES.dedicationDiscount;
  return prod % 100n > 50n ? prod / 100n + 1n : prod / 100n;
}

/** A name contract: unique_name per hour, rounded down. */
export const nameUnits = (secs: bigint): bigint => ffloor(fmul(fdiv(fx(DEV_PRICES.uniqueName), fx(HOUR)), fx(secs)));

/** A dedicated node's extra fee (mUSD per 30-day month) for `secs` seconds, in units USD. */
export const extraFeeUnits = (feeMusd: bigint, secs: bigint): bigint => ffloor(fdiv(fx(feeMusd * 10_000n * secs), fx(30n * 24n * HOUR)));

/** Units USD → TFT units (7 decimals) at `priceMusd`, rounded down. */
export const toTft = (units: bigint, priceMusd = 10n): bigint => ffloor(fmul(fdiv(fx(units), fx(priceMusd) * 10_000n), fx(10_000_000n)));

export type Level = 'None' | 'Default' | 'Bronze' | 'Silver' | 'Gold';

/**
 * The discount for the months of usage the balance pays for (the bill scaled to an hour, then
 * to 30 days): ≥1.5 Default ×0.8, ≥3 Bronze ×0.7, ≥6 Silver ×0.6, ≥18 Gold ×0.4; certified
 * nodes ×1.25. Only the undiscounted levels are modelled exactly (that is what the tests use).
 */
export function discount(amount: bigint, secs: bigint, balance: bigint, certified: boolean): { amount: bigint; level: Level } {
  if (amount === 0n) return { amount: 0n, level: 'None' };
  const monthly = Number(amount) * (3600 / Number(secs)) * 720;
  const months = Number(balance) / monthly;
  const level: Level = months >= 18 ? 'Gold' : months >= 6 ? 'Silver' : months >= 3 ? 'Bronze' : months >= 1.5 ? 'Default' : 'None';
  if (level !== 'None') throw new Error(`the model only computes undiscounted bills (balance covers ${months.toFixed(2)} months)`);
  return { amount: certified ? (amount * 5n + 3n) / 4n : amount, level };
}
