/** Names a failed transaction for logs and the transactions_failed metric. */
import { ChainError, InvalidTransactionError } from '@tfgrid/client';

/** `Pallet.Error` for dispatch failures, `Invalid:<code>` for refusals, else `transport`. */
export function txErrorName(e: unknown): string {
  if (e instanceof ChainError) return e.fullName;
  if (e instanceof InvalidTransactionError) return `Invalid:${e.code}`;
  return 'transport';
}

/** A dispatch failure will fail the same way again; anything else (socket, node restarting) may pass later. */
export function isPermanent(e: unknown): boolean {
  return e instanceof ChainError;
}
