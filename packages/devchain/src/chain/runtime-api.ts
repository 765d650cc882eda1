/** `state_call`: the runtime APIs a client calls, decoded and encoded with their declared types. */
import { encode } from '../scale/codec';
import { Reader } from '../scale/io';
import { Account } from '../pallets/system';
import { decodeExtrinsic, readExtra, UncheckedExtrinsic } from '../pallets/definition/extrinsic';
import { runtime } from '../pallets/definition/runtime';
import type { DispatchInfo } from '../pallets/dispatch';
import type { Executive } from '../runtime/executive';
import { feeDetails, partialFee, weightToFee } from '../runtime/fees';
import type { RuntimeVersion } from '../runtime/version';
import { keyOf } from '../util/hex';
import { ChainError } from './error';

export interface RuntimeApiHost {
  executive: Executive;
  /** The metadata and version of the runtime at the block asked about. */
  metadata: { v14: Uint8Array; v15: Uint8Array; versions: number[] };
  version: RuntimeVersion;
  /** Raw storage value at block n. */
  valueAt(key: string, n: number): Promise<Uint8Array | undefined>;
}

const executionFailed = (why: string): ChainError => new ChainError('ExecutionFailed', why);

export async function callRuntimeApi(host: RuntimeApiHost, method: string, input: Uint8Array, n: number): Promise<Uint8Array> {
  for (const api of runtime.apis) {
    for (const m of api.methods) {
      if (`${api.name}_${m.name}` !== method) continue;
      let args: unknown[];
      try {
        const r = new Reader(input);
        args = m.inputs.map((i) => i.type.dec(r));
      } catch (e) {
        throw executionFailed(`Bad input data provided to ${m.name}: ${(e as Error).message}`);
      }
      return encode(m.output, await run(host, method, args, n));
    }
  }
  throw executionFailed(`Other: Exported method ${method} is not found`);
}

async function run(host: RuntimeApiHost, method: string, args: unknown[], n: number): Promise<unknown> {
  switch (method) {
    case 'Core_version':
      return host.version;
    case 'Metadata_metadata':
      return host.metadata.v14;
    case 'Metadata_metadata_versions':
      return host.metadata.versions;
    case 'Metadata_metadata_at_version': {
      const v = args[0] as number;
      return v === 14 ? host.metadata.v14 : v === 15 ? host.metadata.v15 : undefined;
    }
    case 'AccountNonceApi_account_nonce': {
      const raw = await host.valueAt(keyOf(Account.keyBytes(args[0] as Uint8Array)), n);
      return raw ? new DataView(raw.buffer, raw.byteOffset).getUint32(0, true) : 0;
    }
    case 'TransactionPaymentApi_query_info': {
      const { info, len } = dispatchInfoOf(host.executive, args[0] as Uint8Array, args[1] as number, false);
      return {
        weight: { ref_time: info.weight.refTime, proof_size: info.weight.proofSize },
        class: { type: info.class },
        partial_fee: partialFee(len, info),
      };
    }
    case 'TransactionPaymentApi_query_fee_details': {
      const { info, len, tip } = dispatchInfoOf(host.executive, args[0] as Uint8Array, args[1] as number, false);
      const d = feeDetails(len, info);
      return {
        inclusion_fee:
          info.paysFee === 'No' ? undefined : { base_fee: d.baseFee, len_fee: d.lenFee, adjusted_weight_fee: d.adjustedWeightFee },
        tip,
      };
    }
    case 'TransactionPaymentApi_query_weight_to_fee':
      return weightToFee({ refTime: BigInt((args[0] as { ref_time: bigint }).ref_time), proofSize: 0n });
    case 'TransactionPaymentApi_query_length_to_fee':
      return BigInt(args[0] as number);
    default:
      throw executionFailed(`${method} is not supported by the dev chain`);
  }
}

/**
 * The dispatch info of an extrinsic; unsigned ones pay nothing. `prefixed`: whether `ext` still
 * carries its length prefix (the RPC passes the whole extrinsic; the runtime API's decoded
 * `UncheckedExtrinsic` argument is the body without it).
 */
export function dispatchInfoOf(
  executive: Executive,
  ext: Uint8Array,
  len: number,
  prefixed = true,
): { info: DispatchInfo; len: number; tip: bigint } {
  let x;
  try {
    x = decodeExtrinsic(prefixed ? ext : encode(UncheckedExtrinsic, ext));
  } catch (e) {
    throw executionFailed(`Could not decode extrinsic: ${(e as Error).message}`);
  }
  const info = executive.info(x.call);
  return { info: x.signature ? info : { ...info, paysFee: 'No' }, len, tip: x.signature ? readExtra(x.signature.extra).tip : 0n };
}

/** `payment_queryInfo` keeps the pre-Weight-V2 shape (ref time only): @polkadot/api decodes it as RuntimeDispatchInfoV1. */
export function queryInfoJson(executive: Executive, ext: Uint8Array): { weight: number; class: string; partialFee: string } {
  const { info, len } = dispatchInfoOf(executive, ext, ext.length);
  return { weight: Number(info.weight.refTime), class: info.class.toLowerCase(), partialFee: partialFee(len, info).toString() };
}
