/**
 * Extrinsic format v4 as Substrate decodes and checks it: `Compact<len> ++ version ++
 * [address ++ signature ++ extra] ++ call`, signed over `call ++ extra ++ additional_signed`
 * (blake2-256 of it when longer than 256 bytes).
 */
import { blake2_256 } from '../crypto/hashing';
import type { Enum } from '../scale/codec';
import { Reader, ScaleError, Writer } from '../scale/io';
import { RuntimeCall } from '../pallets/definition/outer';
import { runtime } from '../pallets/definition/runtime';

export interface Era {
  immortal: boolean;
  period: number;
  phase: number;
}

export interface SignedPart {
  signer: Uint8Array;
  signature: Enum;
  era: Era;
  nonce: number;
  tip: bigint;
  /** The encoded extra, as signed. */
  extra: Uint8Array;
}

export interface DecodedExtrinsic {
  bytes: Uint8Array;
  hash: Uint8Array;
  signed?: SignedPart;
  call: Enum;
  callBytes: Uint8Array;
}

/** The submitted bytes are not even a length-prefixed blob (RPC error 1001). */
export class BadFormat extends Error {}
/** The blob does not decode as this runtime's extrinsic (RPC error 1002). */
export class CannotDecode extends Error {}

export function decodeEra(e: Enum): Era {
  if (e.type === 'Immortal') return { immortal: true, period: 0, phase: 0 };
  const first = Number(e.type.slice('Mortal'.length));
  const encoded = first | ((e.value as number) << 8);
  const period = 2 << (encoded % (1 << 4));
  const quantizeFactor = Math.max(period >> 12, 1);
  const phase = (encoded >> 4) * quantizeFactor;
  if (period < 4 || phase >= period) throw new CannotDecode('invalid mortal era');
  return { immortal: false, period, phase };
}

/** The block a mortal era was born in, seen from block `current`. */
export function eraBirth(era: Era, current: number): number {
  if (era.immortal) return 0;
  return Math.floor((Math.max(current, era.phase) - era.phase) / era.period) * era.period + era.phase;
}

export function eraDeath(era: Era, current: number): number {
  return era.immortal ? Number.MAX_SAFE_INTEGER : eraBirth(era, current) + era.period;
}

export function decodeExtrinsic(bytes: Uint8Array): DecodedExtrinsic {
  const r = new Reader(bytes);
  let len: number;
  try {
    len = Number(r.compact());
  } catch {
    throw new BadFormat('Not enough data to fill buffer');
  }
  if (len !== r.remaining) throw new BadFormat(len > r.remaining ? 'Not enough data to fill buffer' : 'Input buffer has still data left after decoding');
  try {
    const version = r.u8();
    if ((version & 0x7f) !== runtime.extrinsic.version) throw new CannotDecode(`unsupported extrinsic version ${version & 0x7f}`);
    let signed: SignedPart | undefined;
    if (version & 0x80) {
      const address = runtime.extrinsic.address.dec(r) as Enum;
      const signature = runtime.extrinsic.signature.dec(r) as Enum;
      const extraStart = r.pos;
      const extra = runtime.extrinsic.extra.dec(r) as unknown[];
      const extraBytes = bytes.slice(extraStart, r.pos);
      const signer = signerOf(address, signature);
      const { era, nonce, tip } = readExtra(extra);
      signed = { signer, signature, era, nonce, tip, extra: extraBytes };
    }
    const callStart = r.pos;
    const call = RuntimeCall.dec(r);
    if (r.remaining !== 0) throw new CannotDecode(`${r.remaining} trailing byte(s) after the call`);
    return { bytes, hash: blake2_256(bytes), signed, call, callBytes: bytes.slice(callStart) };
  } catch (e) {
    if (e instanceof CannotDecode) throw e;
    if (e instanceof ScaleError) throw new CannotDecode(e.message);
    throw e;
  }
}

/** The extras in the order of the signed extensions: only mortality, nonce and tip carry data. */
function readExtra(extra: unknown[]): { era: Era; nonce: number; tip: bigint } {
  const ids = runtime.extrinsic.signedExtensions.map((s) => s.identifier);
  const at = (id: string): unknown => extra[ids.indexOf(id)];
  return {
    era: decodeEra(at('CheckMortality') as Enum),
    nonce: Number(at('CheckNonce')),
    tip: BigInt(at('ChargeTransactionPayment') as bigint),
  };
}

function signerOf(address: Enum, signature: Enum): Uint8Array {
  if (address.type === 'Id' || address.type === 'Address32') return address.value as Uint8Array;
  // Indices and raw addresses cannot be looked up on this chain, as on TFChain (`AccountIdLookup<_, ()>`).
  throw new LookupFailed(`cannot look up a ${address.type} address (signature ${signature.type})`);
}

/** The signer's address cannot be resolved to an account (InvalidTransaction::BadSigner). */
export class LookupFailed extends Error {}

export interface AdditionalSigned {
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
  /** Genesis hash for immortal transactions, else the birth block's hash. */
  birthHash: Uint8Array;
}

export function signingPayload(x: DecodedExtrinsic, add: AdditionalSigned): Uint8Array {
  const w = new Writer(x.callBytes.length + 128);
  w.bytes(x.callBytes);
  w.bytes(x.signed!.extra);
  w.u32(add.specVersion);
  w.u32(add.transactionVersion);
  w.bytes(add.genesisHash);
  w.bytes(add.birthHash);
  const payload = w.finish();
  return payload.length > 256 ? blake2_256(payload) : payload;
}
