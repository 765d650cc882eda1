/** pallet_utility (index 3): batches and dispatch helpers. Its calls hold RuntimeCalls. */
import { enumeration, u16, u32, vec } from '../../scale/codec';
import { OriginCaller } from './origin';
import { RuntimeCall } from './outer';
import { DispatchError, DispatchResult, Weight } from './primitives';
import type { PalletDecl } from './types';

const Calls = { type: vec(RuntimeCall), typeName: 'Vec<<T as Config>::RuntimeCall>' };
const BoxedCall = { type: RuntimeCall, typeName: 'Box<<T as Config>::RuntimeCall>' };

export const UtilityCall = enumeration(
  { path: 'pallet_utility::pallet::Call', params: [{ name: 'T' }] },
  {
    batch: [0, { calls: Calls }],
    as_derivative: [1, { index: { type: u16, typeName: 'u16' }, call: BoxedCall }],
    batch_all: [2, { calls: Calls }],
    dispatch_as: [3, { as_origin: { type: OriginCaller, typeName: 'Box<T::PalletsOrigin>' }, call: BoxedCall }],
    force_batch: [4, { calls: Calls }],
    with_weight: [5, { call: BoxedCall, weight: { type: Weight, typeName: 'Weight' } }],
  },
);

const Err = { type: DispatchError, typeName: 'DispatchError' };

export const UtilityEvent = enumeration(
  { path: 'pallet_utility::pallet::Event' },
  {
    BatchInterrupted: [0, { index: { type: u32, typeName: 'u32' }, error: Err }],
    BatchCompleted: [1, null],
    BatchCompletedWithErrors: [2, null],
    ItemCompleted: [3, null],
    ItemFailed: [4, { error: Err }],
    DispatchedAs: [5, { result: { type: DispatchResult, typeName: 'DispatchResult' } }],
  },
);

export const UtilityError = enumeration(
  { path: 'pallet_utility::pallet::Error', params: [{ name: 'T' }] },
  { TooManyCalls: { index: 0, fields: null, docs: ['Too many calls batched.'] } },
);

/** `batched_calls_limit`: how many calls one batch may hold. */
export const BATCHED_CALLS_LIMIT = 10922;

export const utilityPallet: PalletDecl = {
  name: 'Utility',
  index: 3,
  calls: UtilityCall,
  events: UtilityEvent,
  errors: UtilityError,
  constants: [{ name: 'batched_calls_limit', type: u32, value: BATCHED_CALLS_LIMIT }],
};
