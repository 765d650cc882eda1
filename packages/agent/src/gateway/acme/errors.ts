/** Errors of the own-domain certificates carry a code, so the workload handler can tell them apart. */
export type AcmeErrorCode =
  /** The name is not one a certificate can be ordered for (length, labels, wildcard, case). */
  | 'EACMEFQDN'
  /** The node already holds certificates for `maxNames` names. */
  | 'EACMENAMES'
  /** The CA refused the order or the challenge failed; the message carries the CA's problem. */
  | 'EACMEORDER'
  /** The order did not finish within `orderTimeoutMs`. */
  | 'EACMETIMEOUT'
  /** A recent order for the name failed: no new one is placed before `retryAt`. */
  | 'EACMEBACKOFF'
  /** The name was released (or the certificates closed) while its order ran. */
  | 'EACMERELEASED'
  /** The local ACME server (pebble) did not start. */
  | 'EACMELOCAL';

export class AcmeError extends Error {
  constructor(
    readonly code: AcmeErrorCode,
    message: string,
    /** For EACMEBACKOFF: when the next order may be placed. */
    readonly retryAt?: Date,
  ) {
    super(message);
    this.name = 'AcmeError';
  }
}
