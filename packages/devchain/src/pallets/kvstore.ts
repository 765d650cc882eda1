/**
 * pallet_kvstore (index 30, `TFKVStore`): a key-value store per account. Deployers leave their
 * sealed deployments here for the node to fetch (the notary).
 */
import { depositEvent, ensureSigned, moduleError, weight, type PalletImpl } from './dispatch';
import { KV_MAX_KEY_LENGTH, KV_MAX_VALUE_LENGTH } from './definition/kvstore';
import { storageOf } from './storage';
import { palletDecl } from './decls';

export const kvStore = palletDecl('TFKVStore');
export const KVStore = storageOf<Uint8Array, [Uint8Array, Uint8Array]>(kvStore, 'TFKVStore');

export const kvStorePallet: PalletImpl = {
  decl: kvStore,
  meta: {
    set: { weight: () => weight(100_000_000) },
    delete: { weight: () => weight(100_000_000) },
  },
  calls: {
    set(ctx, a: { key: Uint8Array; value: Uint8Array }) {
      // The real pallet checks the sizes before the origin.
      if (a.key.length > KV_MAX_KEY_LENGTH) throw moduleError(kvStore, 'KeyIsTooLarge');
      if (a.value.length > KV_MAX_VALUE_LENGTH) throw moduleError(kvStore, 'ValueIsTooLarge');
      const who = ensureSigned(ctx.origin);
      KVStore.set(ctx.state, a.value, who, a.key);
      depositEvent(ctx, kvStore, 'EntrySet', [who, a.key, a.value]);
    },
    delete(ctx, a: { key: Uint8Array }) {
      const who = ensureSigned(ctx.origin);
      if (!KVStore.exists(ctx.state, who, a.key)) throw moduleError(kvStore, 'NoValueStored');
      const value = KVStore.read(ctx.state, who, a.key);
      KVStore.remove(ctx.state, who, a.key);
      depositEvent(ctx, kvStore, 'EntryTaken', [who, a.key, value]);
    },
  },
};
