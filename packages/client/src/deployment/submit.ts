/** Sends one extrinsic and settles on its outcome; module errors come back by name. */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { DispatchError } from '@polkadot/types/interfaces';

export interface Submitted {
  blockHash: string;
}

/** `Pallet.Error` of a failed dispatch (e.g. 'TFKVStore.ValueIsTooLarge'), else its kind. */
export function dispatchErrorName(api: ApiPromise, e: DispatchError): string {
  if (!e.isModule) return e.type;
  const meta = api.registry.findMetaError(e.asModule);
  return `${meta.section}.${meta.name}`;
}

/**
 * Signs and sends `tx`; resolves once it is in a block ('inBlock') or finalized, rejects if the
 * node refuses it or its dispatch fails. Finalized also settles 'inBlock': a busy client may
 * deliver only the later status.
 */
export function submit(api: ApiPromise, tx: SubmittableExtrinsic<'promise'>, signer: KeyringPair, waitFor: 'inBlock' | 'finalized' = 'inBlock'): Promise<Submitted> {
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | undefined;
    let done = false;
    const finish = (f: () => void) => {
      done = true;
      unsub?.();
      f();
    };
    tx.signAndSend(signer, { nonce: -1 }, (r) => {
      if (done) return;
      const settled = r.status.isFinalized || (waitFor === 'inBlock' && r.status.isInBlock);
      if (settled) {
        const blockHash = (r.status.isInBlock ? r.status.asInBlock : r.status.asFinalized).toHex();
        if (r.dispatchError) finish(() => reject(new Error(`${tx.method.section}.${tx.method.method} failed: ${dispatchErrorName(api, r.dispatchError!)}`)));
        else finish(() => resolve({ blockHash }));
      } else if (r.status.isInvalid || r.status.isDropped || r.status.isUsurped) {
        finish(() => reject(new Error(`transaction ${r.status.type}`)));
      }
    })
      .then((u) => {
        unsub = u;
        if (done) u();
      })
      .catch((e) => {
        if (!done) finish(() => reject(e));
      });
  });
}
