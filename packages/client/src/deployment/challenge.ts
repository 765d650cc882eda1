/**
 * Challenge, hash and signature: what binds a deployment to its contract (the hash) and to its
 * owner (the signature), the same way the real grid's clients do it.
 */
import { createHash } from 'node:crypto';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex, stringToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, ed25519Verify, sr25519Verify } from '@polkadot/util-crypto';
import type { Deployment } from './document';
import { canonicalize } from './jcs';

export type SignerType = 'sr25519' | 'ed25519';

export interface DeploymentSignature {
  signer_type: SignerType;
  /** Hex of the signature over the challenge, without 0x. */
  signature: string;
}

/** What is sealed and left in the notary. */
export interface SignedDeployment {
  deployment: Deployment;
  signature: DeploymentSignature;
  /** Hex of the deployer's box public key: the node seals the private part of its answer to it. */
  reply_to?: string;
}

/** The challenge: the RFC 8785 canonical JSON of the deployment. */
export function challenge(d: Deployment): string {
  return canonicalize(d);
}

/** The contract's deployment_hash: the 32 ASCII characters of the MD5 hex digest of the challenge. */
export function deploymentHash(d: Deployment): string {
  return createHash('md5').update(challenge(d), 'utf8').digest('hex');
}

/** Signs the RFC 8785 canonical JSON of `value` (sr25519 or ed25519): deployments, and the node's answers. */
export function signCanonical(value: unknown, signer: KeyringPair): DeploymentSignature {
  if (signer.type !== 'sr25519' && signer.type !== 'ed25519')
    throw new TypeError(`a ${signer.type} key cannot sign deployments (sr25519 or ed25519)`);
  return { signer_type: signer.type, signature: u8aToHex(signer.sign(stringToU8a(canonicalize(value))), -1, false) };
}

/** Whether `sig` is a signature of `value`'s canonical JSON by `publicKey` (raw 32 bytes, hex or SS58 address). */
export function verifyCanonical(value: unknown, sig: DeploymentSignature, publicKey: Uint8Array | string): boolean {
  try {
    const key = typeof publicKey === 'string' ? (isHex(publicKey) ? hexToU8a(publicKey) : decodeAddress(publicKey)) : publicKey;
    const raw = sig.signature.startsWith('0x') ? sig.signature : `0x${sig.signature}`;
    if (!isHex(raw) || raw.length !== 130) return false;
    const message = stringToU8a(canonicalize(value));
    if (sig.signer_type === 'sr25519') return sr25519Verify(message, hexToU8a(raw), key);
    if (sig.signer_type === 'ed25519') return ed25519Verify(message, hexToU8a(raw), key);
    return false;
  } catch {
    // A malformed key or signature is simply not a valid signature.
    return false;
  }
}

/** Signs the challenge with the owner twin's key (sr25519 or ed25519). */
export function signDeployment(d: Deployment, owner: KeyringPair): SignedDeployment {
  return { deployment: d, signature: signCanonical(d, owner) };
}

/** Whether `sig` is a signature of `d`'s challenge by `publicKey` (raw 32 bytes, hex or SS58 address). */
export function verifyDeploymentSignature(d: Deployment, sig: DeploymentSignature, publicKey: Uint8Array | string): boolean {
  return verifyCanonical(d, sig, publicKey);
}
