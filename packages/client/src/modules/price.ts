/** The TFT price the chain bills with, in mUSD (1000 = 1 USD). */
import type { ModuleContext, ReadOptions } from './context';
import { prim, storageItems } from './context';

export interface TftPrice {
  /** The last price stored. */
  price: number;
  /** The average billing uses (before clamping to the bounds). */
  average: number;
  min: number;
  max: number;
  /** The block at which the price was last set. */
  lastBlockSet: number;
}

export function price(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    async get(o: ReadOptions = {}): Promise<TftPrice> {
      // Every item is checked before any query starts: a runtime lacking one rejects with a coded
      // error instead of leaving the queries already started unawaited.
      const q = await storageItems(api, o.at, 'tftPriceModule', [
        'tftPrice',
        'averageTftPrice',
        'minTftPrice',
        'maxTftPrice',
        'lastBlockSet',
      ]);
      const [p, avg, min, max, last] = await Promise.all([
        q.tftPrice(),
        q.averageTftPrice(),
        q.minTftPrice(),
        q.maxTftPrice(),
        q.lastBlockSet(),
      ]);
      return { price: prim(p), average: prim(avg), min: prim(min), max: prim(max), lastBlockSet: prim(last) };
    },
  };
}
export type PriceModule = ReturnType<typeof price>;
