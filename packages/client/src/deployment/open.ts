/**
 * The node's side: open a sealed deployment and accept it only if it is exactly what the contract
 * on chain names, signed by the contract's twin. Every refusal is a DeploymentError with its code.
 */
import { hexToU8a } from '@polkadot/util';
import { challenge, deploymentHash, verifyDeploymentSignature, type DeploymentSignature, type SignedDeployment } from './challenge';
import { assertValidDeployment, type Deployment } from './document';
import { DeploymentError } from './errors';
import { nodeBoxKeyPair, unseal } from './seal';

/** What the node knows from the contract on chain. */
export interface ContractTerms {
  twin_id: number;
  /** When given, the deployment must name this node. */
  node_id?: number;
  /** The 32 ASCII characters stored in the contract. */
  deployment_hash: string;
}

export interface OpenOptions {
  sealed: Uint8Array;
  /** The node's identity seed (its box key is derived from it), or the box secret key itself. */
  nodeSeed?: Uint8Array;
  boxSecretKey?: Uint8Array;
  contract: ContractTerms;
  /** The contract twin's public key: 32 bytes, hex, or its SS58 account. */
  ownerPublicKey: Uint8Array | string;
}

export interface OpenedDeployment {
  deployment: Deployment;
  challenge: string;
  hash: string;
  signature: DeploymentSignature;
  /** The deployer's reply key (32 bytes), when the envelope names one: answers are sealed to it. */
  replyTo?: Uint8Array;
}

export function openDeployment(o: OpenOptions): OpenedDeployment {
  const secretKey = o.boxSecretKey ?? (o.nodeSeed ? nodeBoxKeyPair(o.nodeSeed).secretKey : undefined);
  if (!secretKey) throw new TypeError('openDeployment needs nodeSeed or boxSecretKey');
  const plain = unseal(o.sealed, secretKey);
  if (!plain)
    throw new DeploymentError('SEAL_NOT_OPENED', 'the seal does not open with this node key (tampered, or sealed to another key)');
  const env = parseEnvelope(plain);
  const d = env.deployment;
  // Authenticate before looking at content: the hash and signature say whose document this is.
  let hash: string;
  try {
    hash = deploymentHash(d);
  } catch (e) {
    throw new DeploymentError('MALFORMED', `no challenge can be made: ${(e as Error).message}`);
  }
  if (hash !== o.contract.deployment_hash)
    throw new DeploymentError('HASH_MISMATCH', `the deployment hashes to ${hash}, the contract holds ${o.contract.deployment_hash}`);
  if (!verifyDeploymentSignature(d, env.signature, o.ownerPublicKey))
    throw new DeploymentError('SIGNATURE_INVALID', `the ${env.signature.signer_type} signature is not the contract twin's`);
  assertValidDeployment(d);
  if (d.twin_id !== o.contract.twin_id)
    throw new DeploymentError('CONTRACT_MISMATCH', `the deployment names twin ${d.twin_id}, the contract twin ${o.contract.twin_id}`);
  if (o.contract.node_id !== undefined && d.node_id !== o.contract.node_id)
    throw new DeploymentError('CONTRACT_MISMATCH', `the deployment names node ${d.node_id}, the contract node ${o.contract.node_id}`);
  return {
    deployment: d,
    challenge: challenge(d),
    hash,
    signature: env.signature,
    ...(env.reply_to ? { replyTo: hexToU8a(`0x${env.reply_to}`) } : {}),
  };
}

function parseEnvelope(plain: Uint8Array): SignedDeployment {
  let env: unknown;
  try {
    env = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch {
    throw new DeploymentError('MALFORMED', 'the opened bytes are not UTF-8 JSON');
  }
  const e = env as Partial<SignedDeployment> | null;
  if (typeof e !== 'object' || e === null || typeof e.deployment !== 'object' || e.deployment === null || Array.isArray(e.deployment)) {
    throw new DeploymentError('MALFORMED', 'expected an envelope {deployment, signature}');
  }
  const s = e.signature as Partial<DeploymentSignature> | undefined | null;
  if (s === undefined || s === null || s.signature === undefined || s.signature === '')
    throw new DeploymentError('SIGNATURE_MISSING', 'the envelope carries no signature');
  if ((s.signer_type !== 'sr25519' && s.signer_type !== 'ed25519') || typeof s.signature !== 'string') {
    throw new DeploymentError('MALFORMED', `unknown signature form ${JSON.stringify(s)}`);
  }
  if (e.reply_to !== undefined && (typeof e.reply_to !== 'string' || !/^[0-9a-f]{64}$/.test(e.reply_to)))
    throw new DeploymentError('MALFORMED', 'reply_to must be 32 bytes of lowercase hex');
  return e as SignedDeployment;
}
