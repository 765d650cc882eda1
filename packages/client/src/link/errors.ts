/** The failure of a request whose connection dropped: the one error every link fault becomes. */

export const LINK_DOWN = 'LINK_DOWN';

/**
 * The link to the node dropped while a request was outstanding, or a request was made while it was
 * down. Retryable: the request may or may not have reached the node, so a retry must be idempotent
 * (reads are; the transaction queue checks blocks, pool and nonce before it resends).
 */
export class LinkError extends Error {
  override name = 'LinkError';
  readonly code = LINK_DOWN;
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isLinkError(e: unknown): e is LinkError {
  return e instanceof LinkError || (e as { code?: unknown } | null)?.code === LINK_DOWN;
}
