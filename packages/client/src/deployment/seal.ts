/**
 * Sealing: the notary is public, so a signed deployment is readable only by its node. NaCl box
 * (x25519-xsalsa20-poly1305) from a fresh sender key pair to the node's box public key.
 * Sealed format: ephemeralPublicKey(32) ++ nonce(24) ++ box.
 */
import { stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import nacl from 'tweetnacl';

/** Domain separation: the box key must never equal a key the identity seed is used for elsewhere. */
export const SEAL_DOMAIN = 'tfgrid-seal-v1';
const PK = nacl.box.publicKeyLength;
const NONCE = nacl.box.nonceLength;

export interface BoxKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The node's box key pair: x25519 secret = blake2_256('tfgrid-seal-v1' ++ identity seed). */
export function nodeBoxKeyPair(nodeSeed: Uint8Array): BoxKeyPair {
  if (nodeSeed.length !== 32) throw new TypeError('the node identity seed is 32 bytes');
  return nacl.box.keyPair.fromSecretKey(blake2AsU8a(u8aConcat(stringToU8a(SEAL_DOMAIN), nodeSeed), 256));
}

/** Domain of the deployer's reply key (the key the node seals the private part of its answers to). */
export const REPLY_DOMAIN = 'tfgrid-reply-v1';

/**
 * The deployer's box key pair for the node's answers, derived from its signing key (its PKCS#8
 * encoding holds the secret): any tool holding the deployer's key can open the answers, and nothing
 * needs to be published or kept beside the key.
 */
export function replyKeyPair(signer: { encodePkcs8(): Uint8Array }): BoxKeyPair {
  return nacl.box.keyPair.fromSecretKey(blake2AsU8a(u8aConcat(stringToU8a(REPLY_DOMAIN), signer.encodePkcs8()), 256));
}

/** Seals `plain` to `recipientPublicKey` (32 bytes) with a fresh sender key pair. */
export function seal(plain: Uint8Array, recipientPublicKey: Uint8Array): Uint8Array {
  if (recipientPublicKey.length !== PK) throw new TypeError(`a box public key is ${PK} bytes`);
  const eph = nacl.box.keyPair();
  const nonce = nacl.randomBytes(NONCE);
  return u8aConcat(eph.publicKey, nonce, nacl.box(plain, nonce, recipientPublicKey, eph.secretKey));
}

/** The plain bytes, or null when the seal does not open with `secretKey` (tampered or another recipient). */
export function unseal(sealed: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  if (sealed.length < PK + NONCE + nacl.box.overheadLength) return null;
  return nacl.box.open(sealed.subarray(PK + NONCE), sealed.subarray(PK, PK + NONCE), sealed.subarray(0, PK), secretKey);
}
