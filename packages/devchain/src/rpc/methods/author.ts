// author_*: the transaction pool. Validation errors come from the chain as RpcError
// (1010 invalid, 1011 unknown, 1012 temporarily banned, 1013 already imported, 1014 priority
// too low, ...) and go to the caller untouched.

import { extrinsicParam } from './common';
import type { Handler, SubscriptionHandler } from './context';

/** Validates and queues the extrinsic; answers its hash. */
export const author_submitExtrinsic: Handler = ({ chain }, params) => chain.submit(extrinsicParam(params, 0, 'extrinsic'));

/**
 * Submits, then notifies every status of the transaction (`"ready"`, `{inBlock}`,
 * `{finalized}`, ...). A rejected transaction fails the subscribe call itself, as Substrate
 * rejects the pending subscription.
 */
export const author_submitAndWatchExtrinsic: SubscriptionHandler = {
  notification: 'author_extrinsicUpdate',
  unsubscribe: ['author_unwatchExtrinsic'],
  async subscribe({ chain }, params, emit) {
    const extrinsic = extrinsicParam(params, 0, 'extrinsic');
    const watch = await chain.submitAndWatch(extrinsic, emit);
    return () => watch.unwatch();
  },
};

export const author_pendingExtrinsics: Handler = ({ chain }) => chain.pendingExtrinsics();
