/**
 * TransactionPayment as TFChain configures it: base fee for ExtrinsicBaseWeight, 1 unit per
 * byte (`TransactionByteFee`), weight mapped to fee so that the base weight costs 1/10 CENT
 * (CENT = 10^5 units), no fee multiplier update.
 */
import type { DispatchInfo, Weight } from '../pallets/dispatch';

/** `ExtrinsicBaseWeight` ref_time, as in the runtime's BlockWeights constant. */
export const EXTRINSIC_BASE_WEIGHT: Weight = { refTime: 124_414_000n, proofSize: 0n };
const CENTS = 100_000n;
const BYTE_FEE = 1n;

/** Perbill coefficient `CENTS / (10 * ExtrinsicBaseWeight)`, rounded to the nearest part. */
const PARTS = (CENTS * 1_000_000_000n + 5n * EXTRINSIC_BASE_WEIGHT.refTime) / (10n * EXTRINSIC_BASE_WEIGHT.refTime);

export function weightToFee(w: Weight): bigint {
  return (w.refTime * PARTS + 500_000_000n) / 1_000_000_000n;
}

export interface FeeDetails {
  baseFee: bigint;
  lenFee: bigint;
  adjustedWeightFee: bigint;
}

export function feeDetails(len: number, info: DispatchInfo): FeeDetails {
  if (info.paysFee === 'No') return { baseFee: 0n, lenFee: 0n, adjustedWeightFee: 0n };
  return { baseFee: weightToFee(EXTRINSIC_BASE_WEIGHT), lenFee: BigInt(len) * BYTE_FEE, adjustedWeightFee: weightToFee(info.weight) };
}

/** The fee without tip (`partial_fee` of `payment_queryInfo`). */
export function partialFee(len: number, info: DispatchInfo): bigint {
  const d = feeDetails(len, info);
  return d.baseFee + d.lenFee + d.adjustedWeightFee;
}
