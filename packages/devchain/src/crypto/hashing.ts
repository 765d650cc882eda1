/** Substrate's hashers. The wasm implementations are used once `cryptoReady()` resolved. */
import { blake2AsU8a, cryptoWaitReady, xxhashAsU8a } from '@polkadot/util-crypto';

export const cryptoReady = (): Promise<boolean> => cryptoWaitReady();

export const blake2_256 = (data: Uint8Array): Uint8Array => blake2AsU8a(data, 256);
export const blake2_128 = (data: Uint8Array): Uint8Array => blake2AsU8a(data, 128);
export const twox64 = (data: Uint8Array): Uint8Array => xxhashAsU8a(data, 64);
export const twox128 = (data: Uint8Array): Uint8Array => xxhashAsU8a(data, 128);
export const twox256 = (data: Uint8Array): Uint8Array => xxhashAsU8a(data, 256);

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A storage key hasher, as FRAME names it in the metadata. */
export type Hasher = 'Blake2_128' | 'Blake2_256' | 'Blake2_128Concat' | 'Twox128' | 'Twox256' | 'Twox64Concat' | 'Identity';

/** Applies a storage hasher to an encoded key. */
export function hashKey(hasher: Hasher, encoded: Uint8Array): Uint8Array {
  switch (hasher) {
    case 'Blake2_128':
      return blake2_128(encoded);
    case 'Blake2_256':
      return blake2_256(encoded);
    case 'Blake2_128Concat':
      return concatBytes(blake2_128(encoded), encoded);
    case 'Twox128':
      return twox128(encoded);
    case 'Twox256':
      return twox256(encoded);
    case 'Twox64Concat':
      return concatBytes(twox64(encoded), encoded);
    case 'Identity':
      return encoded;
  }
}

/** How many hash bytes precede the encoded key, for hashers that keep the key (else undefined). */
export function hashPrefixLength(hasher: Hasher): number | undefined {
  return hasher === 'Blake2_128Concat' ? 16 : hasher === 'Twox64Concat' ? 8 : hasher === 'Identity' ? 0 : undefined;
}
