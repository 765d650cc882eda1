/** pallet_utility: batches of calls (interrupting, all-or-nothing, forced) and dispatch_as. */
import { blake2_256, concatBytes } from '../crypto/hashing';
import type { Enum } from '../scale/codec';
import {
  DispatchFailure,
  depositEvent,
  ensureRoot,
  moduleError,
  weight,
  type DispatchContext,
  type Origin,
  type PalletImpl,
} from './dispatch';
import { constantOf, palletDecl } from './decls';

export const utility = palletDecl('Utility');
const LIMIT = constantOf<number>(utility, 'batched_calls_limit');

function checkCount(calls: Enum[]): void {
  if (calls.length > LIMIT) throw moduleError(utility, 'TooManyCalls');
}

/** OriginCaller as declared (`system` / `Council`) into the dispatcher's origin. */
function originOf(caller: Enum): Origin {
  if (caller.type === 'system') {
    const raw = caller.value as Enum;
    if (raw.type === 'Root') return { type: 'Root' };
    if (raw.type === 'Signed') return { type: 'Signed', who: raw.value as Uint8Array };
    return { type: 'None' };
  }
  if (caller.type === 'Council') {
    const raw = caller.value as Enum;
    if (raw.type === 'Members') {
      const [yes, seats] = raw.value as [number, number];
      return { type: 'Council', members: { yes, seats } };
    }
    if (raw.type === 'Member') return { type: 'Council', member: raw.value as Uint8Array };
  }
  throw new DispatchFailure({ type: 'BadOrigin' });
}

const batchWeight = (a: { calls: unknown[] }) => weight(5_000_000 + 4_000_000 * a.calls.length);

export const utilityPallet: PalletImpl = {
  decl: utility,
  meta: {
    batch: { weight: batchWeight },
    batch_all: { weight: batchWeight },
    force_batch: { weight: batchWeight },
  },
  calls: {
    batch(ctx: DispatchContext, a: { calls: Enum[] }) {
      checkCount(a.calls);
      for (let index = 0; index < a.calls.length; index++) {
        const r = ctx.dispatch(a.calls[index]!, ctx.origin);
        if (!r.ok) {
          depositEvent(ctx, utility, 'BatchInterrupted', { index, error: r.error });
          return;
        }
        depositEvent(ctx, utility, 'ItemCompleted');
      }
      depositEvent(ctx, utility, 'BatchCompleted');
    },
    batch_all(ctx: DispatchContext, a: { calls: Enum[] }) {
      checkCount(a.calls);
      for (const call of a.calls) {
        const r = ctx.dispatch(call, ctx.origin);
        // The whole extrinsic's layer is dropped by the caller: nothing of the batch remains.
        if (!r.ok) throw new DispatchFailure(r.error);
        depositEvent(ctx, utility, 'ItemCompleted');
      }
      depositEvent(ctx, utility, 'BatchCompleted');
    },
    force_batch(ctx: DispatchContext, a: { calls: Enum[] }) {
      checkCount(a.calls);
      let failed = false;
      for (const call of a.calls) {
        const r = ctx.dispatch(call, ctx.origin);
        if (r.ok) depositEvent(ctx, utility, 'ItemCompleted');
        else {
          failed = true;
          depositEvent(ctx, utility, 'ItemFailed', { error: r.error });
        }
      }
      depositEvent(ctx, utility, failed ? 'BatchCompletedWithErrors' : 'BatchCompleted');
    },
    as_derivative(ctx: DispatchContext, a: { index: number; call: Enum }) {
      if (ctx.origin.type !== 'Signed') throw new DispatchFailure({ type: 'BadOrigin' });
      const derived = derivativeAccount(ctx.origin.who, a.index);
      const r = ctx.dispatch(a.call, { type: 'Signed', who: derived });
      if (!r.ok) throw new DispatchFailure(r.error);
    },
    dispatch_as(ctx: DispatchContext, a: { as_origin: Enum; call: Enum }) {
      ensureRoot(ctx.origin);
      const r = ctx.dispatch(a.call, originOf(a.as_origin));
      depositEvent(ctx, utility, 'DispatchedAs', { result: r.ok ? { type: 'Ok', value: null } : { type: 'Err', value: r.error } });
    },
    with_weight(ctx: DispatchContext, a: { call: Enum }) {
      ensureRoot(ctx.origin);
      const r = ctx.dispatch(a.call, ctx.origin);
      if (!r.ok) throw new DispatchFailure(r.error);
    },
  },
};

/** `blake2_256(b"modlpy/utilisuba" ++ who ++ index.to_le_bytes())`, as pallet_utility derives it. */
function derivativeAccount(who: Uint8Array, index: number): Uint8Array {
  return blake2_256(concatBytes(new TextEncoder().encode('modlpy/utilisuba'), who, Uint8Array.of(index & 0xff, index >> 8)));
}
