/** TFKVStore: a per-account key-value store on chain (the deployment notary lives in it). */
import type { ModuleContext, ReadOptions } from './context';
import { storageItem } from './context';
import type { SubmitOptions } from '../tx/types';

type BytesCodec = { toUtf8(): string; isEmpty: boolean };

export function kvstore(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    /** Key ≤ 512 bytes, value ≤ 2048 bytes. */
    async set(key: string, value: string, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfkvStore.set(key, value), opts);
    },
    async delete(key: string, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfkvStore.delete(key), opts);
    },
    /** The value of `key` in `account`'s store (default: the signer's), or undefined. */
    async get(key: string, o: ReadOptions & { account?: string } = {}): Promise<string | undefined> {
      const v = (await (await storageItem(api, o.at, 'tfkvStore', 'tfkvStore'))(o.account ?? ctx.address(), key)) as unknown as BytesCodec;
      return v.isEmpty ? undefined : v.toUtf8();
    },
    /** Every entry of `account`'s store (default: the signer's), sorted by key. */
    async list(o: ReadOptions & { account?: string } = {}): Promise<{ key: string; value: string }[]> {
      const entries = await (await storageItem(api, o.at, 'tfkvStore', 'tfkvStore')).entries(o.account ?? ctx.address());
      return entries
        .map(([k, v]) => ({ key: (k.args[1] as unknown as BytesCodec).toUtf8(), value: (v as unknown as BytesCodec).toUtf8() }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
  };
}
export type KvStoreModule = ReturnType<typeof kvstore>;
