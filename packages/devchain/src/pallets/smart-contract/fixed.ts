/**
 * `substrate_fixed::types::U64F64` (64 integer bits, 64 fraction bits) as the pallet computes
 * with it: values are bigints scaled by 2^64, products and quotients truncate. Emulating it
 * bit for bit keeps every bill equal to the real runtime's, rounding included.
 */
const FRAC = 64n;
const ONE = 1n << FRAC;
const MASK = ONE - 1n;

export type Fixed = bigint;

export const fx = (n: bigint | number): Fixed => BigInt(n) << FRAC;
/** `from_num` of an f64 literal: the double's exact binary value (0.8, 0.7, ... are not exact in binary). */
export function fxFloat(f: number): Fixed {
  const [mant, exp] = frexp(f);
  return exp >= 0 ? mant << BigInt(exp) : mant >> BigInt(-exp);
}
export const mul = (a: Fixed, b: Fixed): Fixed => (a * b) >> FRAC;
export const div = (a: Fixed, b: Fixed): Fixed => (a << FRAC) / b;
/** Fixed × or ÷ a plain integer (`fixed * 24`, `fixed / 1200`). */
export const mulInt = (a: Fixed, n: bigint): Fixed => a * n;
export const divInt = (a: Fixed, n: bigint): Fixed => a / n;
/** `to_num::<u64>()`: the integer part. */
export const floor = (a: Fixed): bigint => a >> FRAC;
export const ceil = (a: Fixed): bigint => ((a & MASK) === 0n ? a >> FRAC : (a >> FRAC) + 1n);
/** `round()`: to nearest, ties away from zero. */
export const round = (a: Fixed): bigint => (a + (ONE >> 1n)) >> FRAC;

/** The f64 `f` as (integer mantissa scaled to 2^64, exponent): f = mant × 2^(exp - 64). */
function frexp(f: number): [bigint, number] {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, f);
  const bits = buf.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn);
  const m = bits & ((1n << 52n) - 1n);
  if (e === 0) return [m, 64 - 1074];
  return [m | (1n << 52n), e - 1075 + 64];
}

/** `Percent::from_percent(p) * n` / `Perbill::from_percent(p) * n`: rounds to nearest, ties down. */
export function percentOf(p: number, n: bigint): bigint {
  const prod = n * BigInt(p);
  const q = prod / 100n;
  const r = prod % 100n;
  return r * 2n > 100n ? q + 1n : q;
}
