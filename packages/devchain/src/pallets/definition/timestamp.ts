/** pallet_timestamp (index 1): the block's time, set by an inherent. */
import { bool, compact, enumeration, u64 } from '../../scale/codec';
import type { PalletDecl } from './types';

export const TimestampCall = enumeration(
  { path: 'pallet_timestamp::pallet::Call', params: [{ name: 'T' }] },
  { set: [0, { now: { type: compact(u64), typeName: 'T::Moment' } }] },
);

/** Milliseconds; blocks are at least twice this apart (6 s). */
export const MINIMUM_PERIOD = 3000n;

export const timestampPallet: PalletDecl = {
  name: 'Timestamp',
  index: 1,
  calls: TimestampCall,
  storage: [
    { name: 'Now', modifier: 'Default', hashers: [], keys: [], value: u64, fallback: 0n },
    { name: 'DidUpdate', modifier: 'Default', hashers: [], keys: [], value: bool, fallback: false },
  ],
  constants: [{ name: 'MinimumPeriod', type: u64, value: MINIMUM_PERIOD }],
};
