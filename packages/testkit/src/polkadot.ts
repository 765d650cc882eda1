/**
 * Sending a transaction through @polkadot/api and watching it, as the dev chain's and the
 * client's tests do (types only: the kit loads no @polkadot package, the test passes its own).
 */
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { ISubmittableResult } from '@polkadot/types/types';

/**
 * Signs and sends `tx` with `signer`'s next nonce and resolves with the first result `settled`
 * accepts (e.g. in a block, or finalized), then stops watching; rejects when the node refuses
 * the transaction (Invalid, Dropped, Usurped) or the RPC call fails.
 */
export function submit(
  tx: SubmittableExtrinsic<'promise'>,
  signer: KeyringPair,
  settled: (r: ISubmittableResult) => boolean,
): Promise<ISubmittableResult> {
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      unsub?.();
    };
    tx.signAndSend(signer, { nonce: -1 }, (r) => {
      if (done) return;
      if (settled(r)) {
        finish();
        resolve(r);
      } else if (r.status.isInvalid || r.status.isDropped || r.status.isUsurped) {
        finish();
        reject(new Error(`transaction ${r.status.type}`));
      }
    })
      .then((u) => {
        unsub = u;
        if (done) u();
      })
      .catch(reject);
  });
}
