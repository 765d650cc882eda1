/** The deployer's side in one step: sign the challenge, seal the envelope to the node. */
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { challenge, deploymentHash, signDeployment, type SignedDeployment } from './challenge';
import { assertValidDeployment, type Deployment } from './document';
import { canonicalize } from './jcs';
import { replyKeyPair, seal } from './seal';

export interface PreparedDeployment {
  deployment: Deployment;
  challenge: string;
  /** What createNodeContract carries as deployment_hash. */
  hash: string;
  signed: SignedDeployment;
  /** What goes into the notary. */
  sealed: Uint8Array;
}

/** The bytes that are sealed: the envelope as canonical JSON (UTF-8). */
export function encodeEnvelope(signed: SignedDeployment): Uint8Array {
  return stringToU8a(canonicalize(signed));
}

/**
 * Validates, signs with the owner twin's key and seals to the node's box public key. The envelope
 * names the owner's reply key (`replyKeyPair(owner)`): the node seals its answer's private part to it.
 */
export function prepareDeployment(d: Deployment, owner: KeyringPair, nodeBoxPublicKey: Uint8Array): PreparedDeployment {
  assertValidDeployment(d);
  const signed: SignedDeployment = { ...signDeployment(d, owner), reply_to: u8aToHex(replyKeyPair(owner).publicKey, -1, false) };
  return {
    deployment: d,
    challenge: challenge(d),
    hash: deploymentHash(d),
    signed,
    sealed: seal(encodeEnvelope(signed), nodeBoxPublicKey),
  };
}
