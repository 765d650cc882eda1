// payment_*: fee estimates (pallet-transaction-payment-rpc).

import { fromHex, toHex } from '../../util/hex';
import { INTERNAL_ERROR, RpcError } from '../error';
import { blockHashParam, extrinsicParam } from './common';
import type { Handler } from './context';

/** `{weight: {refTime, proofSize}, class: 'normal'|'operational'|'mandatory', partialFee: '<decimal>'}` */
export const payment_queryInfo: Handler = ({ chain }, params) => {
  const extrinsic = extrinsicParam(params, 0, 'extrinsic');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  return chain.queryInfo(extrinsic, at);
};

/**
 * `{inclusionFee: {baseFee, lenFee, adjustedWeightFee} | null}` from the runtime API
 * `TransactionPaymentApi_query_fee_details(extrinsic, len: u32)`, as the Substrate RPC does.
 * Balances print as JSON numbers (sp-rpc NumberOrHex of a u64 balance, TFChain's) and as hex
 * beyond 2^53 or for u128 balances.
 */
export const payment_queryFeeDetails: Handler = async ({ chain }, params) => {
  const extrinsic = extrinsicParam(params, 0, 'extrinsic');
  const at = blockHashParam(params, 1, 'at', { optional: true });
  const bytes = fromHex(extrinsic);
  const data = new Uint8Array(bytes.length + 4);
  data.set(bytes);
  new DataView(data.buffer).setUint32(bytes.length, bytes.length, true);
  const result = await chain.call('TransactionPaymentApi_query_fee_details', toHex(data), at);
  return decodeFeeDetails(fromHex(result));
};

/** SCALE `FeeDetails { inclusion_fee: Option<InclusionFee { base, len, adjusted_weight }>, tip }`; the balance width follows from the length. */
export function decodeFeeDetails(bytes: Uint8Array): {
  inclusionFee: { baseFee: number | string; lenFee: number | string; adjustedWeightFee: number | string } | null;
} {
  const bad = (): RpcError => new RpcError(INTERNAL_ERROR, 'Unable to query fee details.', 'runtime returned malformed FeeDetails');
  const tag = bytes[0];
  if (tag === 0) {
    if (![8, 16].includes(bytes.length - 1)) throw bad();
    return { inclusionFee: null };
  }
  if (tag !== 1 || (bytes.length - 1) % 4 !== 0) throw bad();
  const width = (bytes.length - 1) / 4;
  if (width !== 8 && width !== 16) throw bad();
  const at = (i: number): number | string => balanceJson(bytes.subarray(1 + i * width, 1 + (i + 1) * width));
  return { inclusionFee: { baseFee: at(0), lenFee: at(1), adjustedWeightFee: at(2) } };
}

/** sp-rpc NumberOrHex: a u64 as a number, a u128 as 0x hex (minimal digits). */
function balanceJson(le: Uint8Array): number | string {
  let v = 0n;
  for (let i = le.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(le[i]!);
  if (le.length <= 8 && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return `0x${v.toString(16)}`;
}
