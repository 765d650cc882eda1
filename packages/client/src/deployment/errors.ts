/**
 * Why a deployment is refused. One class with a `code` per way it can be wrong, so the node can
 * keep the reason in the workload state and callers can switch on it without matching messages.
 */
export type DeploymentErrorCode =
  /** The document itself breaks a rule (ids, version, expiration, workload names...). */
  | 'DEPLOYMENT_INVALID'
  /** A workload's type or data is not acceptable. */
  | 'WORKLOAD_INVALID'
  /** The opened bytes are not the JSON envelope `{deployment, signature}`. */
  | 'MALFORMED'
  /** The seal does not open with the node's box key (tampered, or sealed to another key). */
  | 'SEAL_NOT_OPENED'
  /** The envelope carries no signature. */
  | 'SIGNATURE_MISSING'
  /** The signature is not the contract twin's over the challenge. */
  | 'SIGNATURE_INVALID'
  /** The challenge's hash is not the contract's deployment_hash. */
  | 'HASH_MISMATCH'
  /** The deployment names another twin or node than the contract. */
  | 'CONTRACT_MISMATCH'
  /** The notary holds no manifest, or a chunk is missing. */
  | 'NOTARY_MISSING'
  /** The notary's manifest is unreadable, or the bytes do not match its size/sha256. */
  | 'NOTARY_CORRUPTED'
  /** A node's answer is not the signed JSON envelope it must be. */
  | 'ANSWER_MALFORMED'
  /** A node's answer is not signed by the node's twin. */
  | 'ANSWER_SIGNATURE_INVALID'
  /** The private part of a node's answer does not open with the deployer's reply key. */
  | 'ANSWER_SEAL_NOT_OPENED';

/** One broken rule: where (`$.workloads[1].data.size`) and what. */
export interface Problem {
  path: string;
  message: string;
}

export class DeploymentError extends Error {
  readonly code: DeploymentErrorCode;
  /** For DEPLOYMENT_INVALID / WORKLOAD_INVALID: every rule broken, not only the first. */
  readonly problems: Problem[];

  constructor(code: DeploymentErrorCode, message: string, problems: Problem[] = []) {
    super(`${code}: ${message}`);
    this.name = 'DeploymentError';
    this.code = code;
    this.problems = problems;
  }
}

/** Why `deployments.wait` gave up: the node refused (its reasons), the contract went away, or time ran out. */
export type DeploymentFailureCode = 'REFUSED' | 'CONTRACT_GONE' | 'TIMEOUT';

/** One workload the node did not bring up, in the node's words. */
export interface NodeReason {
  name: string;
  reason: string;
}

export class DeploymentFailedError extends Error {
  readonly code: DeploymentFailureCode;
  readonly contractId: number;
  /** REFUSED: each failing workload with the node's reason. */
  readonly reasons: NodeReason[];

  constructor(code: DeploymentFailureCode, contractId: number, message: string, reasons: NodeReason[] = []) {
    super(`${code}: ${message}`);
    this.name = 'DeploymentFailedError';
    this.code = code;
    this.contractId = contractId;
    this.reasons = reasons;
  }
}
