/** Pricing policies (what capacity costs) and farming policies (what farmers earn). */
import type { ModuleContext, ReadOptions } from './context';
import { readEntry, storageItem } from './context';
import { decodeFarmingPolicy, decodePricingPolicy, type FarmingPolicy, type PricingPolicy } from '../chain';

export function policies(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    async pricing(id: number, o: ReadOptions = {}): Promise<PricingPolicy | undefined> {
      return readEntry(api, o.at, 'tfgridModule', 'pricingPolicies', id, decodePricingPolicy);
    },
    async farming(id: number, o: ReadOptions = {}): Promise<FarmingPolicy | undefined> {
      const f = decodeFarmingPolicy((await (await storageItem(api, o.at, 'tfgridModule', 'farmingPoliciesMap'))(id)).toJSON());
      return f.id === 0 ? undefined : f;
    },
    /** Every farming policy, by id. */
    async listFarming(o: ReadOptions = {}): Promise<FarmingPolicy[]> {
      const entries = await (await storageItem(api, o.at, 'tfgridModule', 'farmingPoliciesMap')).entries();
      return entries.map(([, v]) => decodeFarmingPolicy(v.toJSON())).sort((a, b) => a.id - b.id);
    },
  };
}
export type PoliciesModule = ReturnType<typeof policies>;
