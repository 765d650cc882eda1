/**
 * WireGuard keys: Curve25519, 32 bytes, base64. The public key is the X25519 base-point product of
 * the (clamped) private key — the same math as `wg pubkey`, so no tool is needed to plan a network.
 */
import nacl from 'tweetnacl';

export interface WireguardKeyPair {
  privateKey: string;
  publicKey: string;
}

const KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** A base64 WireGuard key (32 bytes, canonical padding). */
export function isWireguardKey(s: unknown): s is string {
  return typeof s === 'string' && KEY.test(s);
}

export function wireguardPublicKey(privateKey: string): string {
  if (!isWireguardKey(privateKey)) throw new TypeError('not a WireGuard key (44 base64 characters of 32 bytes)');
  const sk = new Uint8Array(Buffer.from(privateKey, 'base64'));
  return Buffer.from(nacl.scalarMult.base(clamp(sk))).toString('base64');
}

export function wireguardKeyPair(): WireguardKeyPair {
  const sk = clamp(nacl.randomBytes(32));
  const privateKey = Buffer.from(sk).toString('base64');
  return { privateKey, publicKey: Buffer.from(nacl.scalarMult.base(sk)).toString('base64') };
}

function clamp(k: Uint8Array): Uint8Array {
  const c = new Uint8Array(k);
  c[0]! &= 248;
  c[31]! &= 127;
  c[31]! |= 64;
  return c;
}
