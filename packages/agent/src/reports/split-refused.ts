/** How a batch the chain refuses is narrowed down to what it refuses (answers, resource reports). */
import { isPermanent } from './tx-error';

export interface SplitRefusedHooks<T> {
  /** Each refused transaction (the batch, then each single one), before it is split or dropped. */
  failed(err: unknown): void;
  /** One item the chain refuses on its own: retrying cannot help, it is dropped. */
  refused(item: T, err: unknown): void;
}

/**
 * `send(items)` in one transaction; when the chain refuses it (a dispatch error fails the same way
 * again), each item alone, so that only the ones it refuses are dropped. A transport failure
 * throws, for the caller to retry the whole batch.
 */
export async function sendSplittingRefused<T>(items: T[], send: (items: T[]) => Promise<void>, on: SplitRefusedHooks<T>): Promise<void> {
  try {
    await send(items);
    return;
  } catch (e) {
    if (!isPermanent(e)) throw e;
    on.failed(e);
    if (items.length === 1) return on.refused(items[0]!, e);
  }
  for (const item of items) await sendSplittingRefused([item], send, on);
}
