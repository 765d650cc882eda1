/**
 * The extrinsic format (v4), in one place: the codecs the metadata declares (UncheckedExtrinsic,
 * the era, TFChain's nine signed extensions in order, the block), and taking an extrinsic apart
 * and putting it together as Substrate does — `Compact<len> ++ version ++ [address ++ signature
 * ++ extra] ++ call`, signed over `call ++ extra ++ additional_signed` (blake2-256 of it when
 * longer than 256 bytes). The chain decodes submitted and stored extrinsics with it, the
 * executive checks signatures against its signing payload, the block builder encodes inherents.
 */
import { blake2_256 } from '../../crypto/hashing';
import { bytes, type Codec, compact, empty, type Enum, enumeration, struct, tuple, u32, u8, unit, vec, wrapper } from '../../scale/codec';
import { Reader, ScaleError, Writer } from '../../scale/io';
import { RuntimeCall } from './outer';
import { H256, Header, MultiAddress, MultiSignature, Runtime } from './primitives';
import { ChargeTransactionPayment } from './transaction-payment';
import type { SignedExtensionDecl } from './types';

export const EXTRINSIC_VERSION = 4;
const SIGNED_BIT = 0x80;

// ---- Era ----

const eraVariants: Record<string, [number, Codec<number> | null]> = { Immortal: [0, null] };
for (let i = 1; i < 256; i++) eraVariants[`Mortal${i}`] = [i, u8];

/** `Immortal`, or `Mortal<first byte>` holding the second byte (the two bytes of a mortal era). */
export const Era = enumeration({ path: 'sp_runtime::generic::era::Era' }, eraVariants);

export interface MortalEra {
  period: number;
  phase: number;
}

/** A mortal era's period and phase; undefined for an immortal one. Throws for an invalid era. */
export function eraPeriodPhase(era: Enum): MortalEra | undefined {
  if (era.type === 'Immortal') return undefined;
  const encoded = Number(era.type.slice('Mortal'.length)) + ((era.value as number) << 8);
  const period = 2 << (encoded % 16);
  const quantizeFactor = Math.max(period >> 12, 1);
  const phase = (encoded >> 4) * quantizeFactor;
  if (period < 4 || phase >= period) throw new ScaleError(`invalid era: period ${period}, phase ${phase}`);
  return { period, phase };
}

/** `Era::mortal(period, current)`, as Substrate builds it. */
export function mortalEra(period: number, current: number): Enum {
  let p = 4;
  while (p < period && p < 65536) p *= 2;
  const phase = current % p;
  const quantizeFactor = Math.max(p >> 12, 1);
  const quantizedPhase = Math.floor(phase / quantizeFactor) * quantizeFactor;
  const trailingZeros = 31 - Math.clz32(p);
  const encoded = Math.min(15, Math.max(1, trailingZeros - 1)) | ((quantizedPhase / quantizeFactor) << 4);
  return { type: `Mortal${encoded & 0xff}`, value: encoded >> 8 };
}

/** The block an era starts at, seen from block `current` (0 for an immortal era). */
export function eraBirth(era: Enum, current: number): number {
  const m = eraPeriodPhase(era);
  if (!m) return 0;
  return Math.floor((Math.max(current, m.phase) - m.phase) / m.period) * m.period + m.phase;
}

/** The first block at which the era is over (Infinity for an immortal era). */
export function eraDeath(era: Enum, current: number): number {
  const m = eraPeriodPhase(era);
  return m ? eraBirth(era, current) + m.period : Infinity;
}

// ---- signed extensions ----

const ext = (name: string) => ({ path: `frame_system::extensions::${name}`, params: [{ name: 'T' }] });

export const CheckNonZeroSender = empty(ext('check_non_zero_sender::CheckNonZeroSender'));
export const CheckSpecVersion = empty(ext('check_spec_version::CheckSpecVersion'));
export const CheckTxVersion = empty(ext('check_tx_version::CheckTxVersion'));
export const CheckGenesis = empty(ext('check_genesis::CheckGenesis'));
export const CheckMortality = wrapper(ext('check_mortality::CheckMortality'), Era, 'Era');
export const CheckNonce = wrapper(ext('check_nonce::CheckNonce'), compact(u32), 'T::Nonce');
export const CheckWeight = empty(ext('check_weight::CheckWeight'));
export const ContractIdProvides = empty({
  path: 'pallet_smart_contract::types::ContractIdProvides',
  params: [{ name: 'T', type: Runtime }],
});

export const signedExtensions: SignedExtensionDecl[] = [
  { identifier: 'CheckNonZeroSender', type: CheckNonZeroSender, additionalSigned: unit },
  { identifier: 'CheckSpecVersion', type: CheckSpecVersion, additionalSigned: u32 },
  { identifier: 'CheckTxVersion', type: CheckTxVersion, additionalSigned: u32 },
  { identifier: 'CheckGenesis', type: CheckGenesis, additionalSigned: H256 },
  { identifier: 'CheckMortality', type: CheckMortality, additionalSigned: H256 },
  { identifier: 'CheckNonce', type: CheckNonce, additionalSigned: unit },
  { identifier: 'CheckWeight', type: CheckWeight, additionalSigned: unit },
  { identifier: 'ChargeTransactionPayment', type: ChargeTransactionPayment, additionalSigned: unit },
  { identifier: 'ContractIdProvides', type: ContractIdProvides, additionalSigned: unit },
];

/** What a signed extrinsic carries for the extensions, in order (all but era, nonce and tip are `null`). */
export type ExtraValue = [null, null, null, null, Enum, number, null, bigint, null];
/** What the signed payload adds: `[null, spec_version, transaction_version, genesis_hash, era_block_hash, null, null, null, null]`. */
export type AdditionalSignedValue = [null, number, number, Uint8Array, Uint8Array, null, null, null, null];

export const Extra = tuple(...signedExtensions.map((e) => e.type)) as Codec<ExtraValue>;
export const AdditionalSigned = tuple(...signedExtensions.map((e) => e.additionalSigned)) as Codec<AdditionalSignedValue>;

/** The extra of a signed extrinsic from its era, nonce and tip. */
export const extra = (era: Enum, nonce: number, tip = 0n): ExtraValue => [null, null, null, null, era, nonce, null, tip, null];

/** The era, nonce and tip a signed extrinsic's extra carries (the other extensions carry nothing). */
export const readExtra = (x: ExtraValue): { era: Enum; nonce: number; tip: bigint } => ({
  era: x[4],
  nonce: Number(x[5]),
  tip: BigInt(x[7]),
});

/** The additional signed data; `birthHash` is the genesis hash for an immortal era, else the hash of the era's first block. */
export const additionalSigned = (
  specVersion: number,
  transactionVersion: number,
  genesisHash: Uint8Array,
  birthHash: Uint8Array,
): AdditionalSignedValue => [null, specVersion, transactionVersion, genesisHash, birthHash, null, null, null, null];

// ---- the extrinsic and the block ----

/** The extrinsic as it travels: its body (version byte, signature, call) as length-prefixed bytes. */
export const UncheckedExtrinsic = wrapper(
  {
    path: 'sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic',
    params: [
      { name: 'Address', type: MultiAddress },
      { name: 'Call', type: RuntimeCall },
      { name: 'Signature', type: MultiSignature },
      { name: 'Extra', type: Extra },
    ],
  },
  bytes,
);

export const Block = struct(
  {
    path: 'sp_runtime::generic::block::Block',
    params: [
      { name: 'Header', type: Header },
      { name: 'Extrinsic', type: UncheckedExtrinsic },
    ],
  },
  { header: { type: Header, typeName: 'Header' }, extrinsics: { type: vec(UncheckedExtrinsic), typeName: 'Vec<Extrinsic>' } },
);

/** What a signed extrinsic carries between its version byte and its call. */
export interface ExtrinsicSignature {
  /** MultiAddress (TFChain accepts `Id` only). */
  address: Enum;
  /** MultiSignature */
  signature: Enum;
  extra: ExtraValue;
}

/** An extrinsic's parts: what `encodeExtrinsic` puts together. */
export interface Extrinsic {
  version: number;
  /** Signed extrinsics only. */
  signature?: ExtrinsicSignature;
  call: Enum;
}

/** An extrinsic taken apart from its bytes, with what checking and applying it needs. */
export interface DecodedExtrinsic extends Extrinsic {
  /** The whole extrinsic as it travels and as blocks hold it (with its length prefix). */
  bytes: Uint8Array;
  /** blake2-256 of `bytes`: the transaction hash. */
  hash: Uint8Array;
  /** The account `signature.address` names (signed extrinsics only). */
  signer?: Uint8Array;
  /** The call and (signed ones) the extra as encoded in `bytes`: what the signer signed. */
  callBytes: Uint8Array;
  extraBytes?: Uint8Array;
}

/** Why bytes are not an extrinsic this chain takes; the chain answers each as Substrate does. */
export type ExtrinsicErrorCode =
  /** Not even a length-prefixed blob (RPC error 1001). */
  | 'BadFormat'
  /** The blob does not decode as this runtime's extrinsic (RPC error 1002). */
  | 'CannotDecode'
  /** The signer's address cannot be resolved to an account (InvalidTransaction::CannotLookup). */
  | 'CannotLookup';

export class ExtrinsicError extends Error {
  constructor(
    readonly code: ExtrinsicErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ExtrinsicError';
  }
}

/**
 * Takes an extrinsic apart from the bytes that travel (`Compact<len> ++ body`), decoding its call
 * with the active runtime's indices. Throws ExtrinsicError saying what is wrong.
 */
export function decodeExtrinsic(bytes: Uint8Array): DecodedExtrinsic {
  const r = new Reader(bytes);
  let len: number;
  try {
    len = Number(r.compact());
  } catch {
    throw new ExtrinsicError('BadFormat', 'Not enough data to fill buffer');
  }
  if (len !== r.remaining) {
    throw new ExtrinsicError(
      'BadFormat',
      len > r.remaining ? 'Not enough data to fill buffer' : 'Input buffer has still data left after decoding',
    );
  }
  try {
    const head = r.u8();
    const version = head & ~SIGNED_BIT;
    if (version !== EXTRINSIC_VERSION) throw new ExtrinsicError('CannotDecode', `unsupported extrinsic version ${version}`);
    let signed: Pick<DecodedExtrinsic, 'signature' | 'signer' | 'extraBytes'> = {};
    if (head & SIGNED_BIT) {
      const address = MultiAddress.dec(r);
      const signature = MultiSignature.dec(r);
      const extraStart = r.pos;
      const extra = Extra.dec(r);
      const extraBytes = bytes.slice(extraStart, r.pos);
      eraPeriodPhase(readExtra(extra).era); // an invalid era does not decode
      signed = { signature: { address, signature, extra }, signer: signerOf(address, signature), extraBytes };
    }
    const callStart = r.pos;
    const call = RuntimeCall.dec(r);
    if (r.remaining !== 0) throw new ExtrinsicError('CannotDecode', `${r.remaining} trailing byte(s) after the call`);
    return { version, ...signed, call, bytes, hash: blake2_256(bytes), callBytes: bytes.slice(callStart) };
  } catch (e) {
    if (e instanceof ScaleError) throw new ExtrinsicError('CannotDecode', e.message);
    throw e;
  }
}

/** The account an address names: indices and raw addresses cannot be looked up, as on TFChain (`AccountIdLookup<_, ()>`). */
function signerOf(address: Enum, signature: Enum): Uint8Array {
  if (address.type === 'Id' || address.type === 'Address32') return address.value as Uint8Array;
  throw new ExtrinsicError('CannotLookup', `cannot look up a ${address.type} address (signature ${signature.type})`);
}

/** The bytes of an extrinsic as it travels (with its length prefix), in the current version. */
export function encodeExtrinsic(x: Pick<Extrinsic, 'signature' | 'call'>): Uint8Array {
  const w = new Writer();
  w.u8(EXTRINSIC_VERSION | (x.signature ? SIGNED_BIT : 0));
  if (x.signature) {
    MultiAddress.enc(w, x.signature.address);
    MultiSignature.enc(w, x.signature.signature);
    Extra.enc(w, x.signature.extra);
  }
  RuntimeCall.enc(w, x.call);
  const body = w.finish();
  const out = new Writer(body.length + 5);
  out.compact(body.length);
  out.bytes(body);
  return out.finish();
}

/** What a signed extrinsic's signer signed: `call ++ extra ++ additional_signed`, hashed when longer than 256 bytes. */
export function signingPayload(x: DecodedExtrinsic, additional: AdditionalSignedValue): Uint8Array {
  const w = new Writer(x.callBytes.length + 128);
  w.bytes(x.callBytes);
  w.bytes(x.extraBytes!);
  AdditionalSigned.enc(w, additional);
  const payload = w.finish();
  return payload.length > 256 ? blake2_256(payload) : payload;
}
