/** pallet_timestamp: the block producer sets the time with an inherent, once per block. */
import { DispatchFailure, weight, type PalletImpl } from './dispatch';
import { storageOf } from './storage';
import { palletDecl } from './decls';

export const timestamp = palletDecl('Timestamp');
export const Now = storageOf<bigint, []>(timestamp, 'Now');
export const DidUpdate = storageOf<boolean, []>(timestamp, 'DidUpdate');

export const timestampPallet: PalletImpl = {
  decl: timestamp,
  meta: { set: { weight: () => weight(9_000_000, 1_006), class: 'Mandatory' } },
  calls: {
    set(ctx, a: { now: bigint }) {
      if (ctx.origin.type !== 'None') throw new DispatchFailure({ type: 'BadOrigin' });
      if (DidUpdate.read(ctx.state)) throw new DispatchFailure({ type: 'Other' }, 'Timestamp must be updated only once in the block');
      Now.set(ctx.state, a.now);
      DidUpdate.set(ctx.state, true);
    },
  },
};
