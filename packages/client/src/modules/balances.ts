/** TFT balances, in units (1 TFT = 10^7 units), as bigint. */
import type { ModuleContext, ReadOptions } from './context';
import { storageItem } from './context';
import type { SubmitOptions, TxResult } from '../tx/types';

export interface Balance {
  free: bigint;
  reserved: bigint;
  frozen: bigint;
}

type U128 = { toBigInt(): bigint };

export function balances(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    /** `transfer_keep_alive`: refuses to empty the sender below the existential deposit. */
    async transfer(input: { to: string; amount: bigint }, opts?: SubmitOptions): Promise<TxResult> {
      return ctx.send(api.tx.balances.transferKeepAlive(input.to, input.amount), opts);
    },
    async get(address: string, o: ReadOptions = {}): Promise<Balance> {
      const a = (await (
        await storageItem(api, o.at, 'system', 'account')
      )(address)) as unknown as { data: { free: U128; reserved: U128; frozen?: U128; miscFrozen?: U128 } };
      return {
        free: a.data.free.toBigInt(),
        reserved: a.data.reserved.toBigInt(),
        frozen: (a.data.frozen ?? a.data.miscFrozen)?.toBigInt() ?? 0n,
      };
    },
  };
}
export type BalancesModule = ReturnType<typeof balances>;
