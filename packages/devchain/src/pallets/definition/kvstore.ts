/** pallet_kvstore (index 30, `TFKVStore`): a key-value store per account (the deployments' notary). */
import { bytes, enumeration } from '../../scale/codec';
import { AccountId32 } from './primitives';
import type { PalletDecl } from './types';

const T = [{ name: 'T' }];
const VecU8 = { type: bytes, typeName: 'Vec<u8>' };
const AccountId = { type: AccountId32, typeName: 'T::AccountId' };

export const KvStoreCall = enumeration(
  { path: 'pallet_kvstore::pallet::Call', params: T },
  { set: [0, { key: VecU8, value: VecU8 }], delete: [1, { key: VecU8 }] },
);

/** Each event holds (account, key, value). */
export const KvStoreEvent = enumeration(
  { path: 'pallet_kvstore::pallet::Event', params: T },
  {
    EntrySet: { index: 0, fields: [AccountId, VecU8, VecU8], docs: ['A user has set their entry'] },
    EntryGot: { index: 1, fields: [AccountId, VecU8, VecU8], docs: ['A user has read their entry, leaving it in storage'] },
    EntryTaken: { index: 2, fields: [AccountId, VecU8, VecU8], docs: ['A user has read their entry, removing it from storage'] },
  },
);

export const KvStoreError = enumeration(
  { path: 'pallet_kvstore::pallet::Error', params: T },
  {
    NoValueStored: { index: 0, fields: null, docs: ['The requested user has not stored a value yet'] },
    KeyIsTooLarge: [1, null],
    ValueIsTooLarge: [2, null],
  },
);

/** Limits the pallet enforces (not metadata constants): key ≤ 512 bytes, value ≤ 2048 bytes. */
export const KV_MAX_KEY_LENGTH = 512;
export const KV_MAX_VALUE_LENGTH = 2048;

export const kvStorePallet: PalletDecl = {
  name: 'TFKVStore',
  index: 30,
  calls: KvStoreCall,
  events: KvStoreEvent,
  errors: KvStoreError,
  storage: [
    {
      name: 'TFKVStore',
      modifier: 'Default',
      hashers: ['Blake2_128Concat', 'Blake2_128Concat'],
      keys: [AccountId32, bytes],
      value: bytes,
      fallback: new Uint8Array(0),
    },
  ],
};
