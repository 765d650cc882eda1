/**
 * The extrinsic format (v4): UncheckedExtrinsic, the era, TFChain's nine signed extensions in
 * order, the block, and helpers to take an extrinsic's bytes apart and put them together.
 */
import { bytes, type Codec, compact, decode, empty, type Enum, enumeration, struct, tuple, u32, u8, unit, vec, wrapper } from '../../scale/codec';
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
export const ContractIdProvides = empty({ path: 'pallet_smart_contract::types::ContractIdProvides', params: [{ name: 'T', type: Runtime }] });

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

export interface ExtrinsicSignature {
  /** MultiAddress (TFChain accepts `Id` only). */
  address: Enum;
  /** MultiSignature */
  signature: Enum;
  extra: ExtraValue;
}

export interface DecodedExtrinsic {
  version: number;
  signature?: ExtrinsicSignature;
  call: Enum;
}

/** Takes an extrinsic's body (the UncheckedExtrinsic's inner bytes) apart. */
export function decodeExtrinsic(body: Uint8Array): DecodedExtrinsic {
  const r = new Reader(body);
  const head = r.u8();
  const version = head & ~SIGNED_BIT;
  if (version !== EXTRINSIC_VERSION) throw new ScaleError(`unsupported extrinsic version ${version}`);
  let signature: ExtrinsicSignature | undefined;
  if (head & SIGNED_BIT) {
    signature = { address: MultiAddress.dec(r), signature: MultiSignature.dec(r), extra: Extra.dec(r) };
  }
  const call = decode(RuntimeCall, r.bytes(r.remaining));
  return signature ? { version, signature, call } : { version, call };
}

/** The body of an extrinsic (what UncheckedExtrinsic wraps, without its length prefix). */
export function encodeExtrinsic(x: { signature?: ExtrinsicSignature; call: Enum }): Uint8Array {
  const w = new Writer();
  w.u8(EXTRINSIC_VERSION | (x.signature ? SIGNED_BIT : 0));
  if (x.signature) {
    MultiAddress.enc(w, x.signature.address);
    MultiSignature.enc(w, x.signature.signature);
    Extra.enc(w, x.signature.extra);
  }
  RuntimeCall.enc(w, x.call);
  return w.finish();
}
