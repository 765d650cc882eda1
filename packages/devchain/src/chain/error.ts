/**
 * The errors the chain refuses a request with. Each carries a code saying what was wrong; the RPC
 * layer (rpc/chain-error.ts) turns them into the JSON-RPC codes and messages Substrate answers.
 */
export type ChainErrorCode =
  /** A caller-supplied value is out of range or malformed; the message says which. */
  | 'InvalidParams'
  /** A block hash the chain does not hold. */
  | 'UnknownBlock'
  /** A runtime API call that the runtime could not run. */
  | 'ExecutionFailed'
  /** An extrinsic whose bytes are not an extrinsic. */
  | 'BadFormat'
  /** An extrinsic whose call does not decode. */
  | 'CannotDecodeCall'
  /** A transaction the runtime refuses; the message is sp_runtime's reason (`Payment`, `Stale`, …). */
  | 'InvalidTransaction'
  /** A transaction already in the pool. */
  | 'AlreadyImported'
  /** A transaction replacing one in the pool without a higher priority; the message compares both. */
  | 'PriorityTooLow'
  /** A transaction the full pool cannot take. */
  | 'ImmediatelyDropped'
  /** Too many dev controls already waiting; the message says the limit. */
  | 'Busy';

export class ChainError extends Error {
  constructor(
    readonly code: ChainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ChainError';
  }
}
