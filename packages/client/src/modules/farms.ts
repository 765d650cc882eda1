/** Farms: a farmer's group of nodes, with the public IPv4 addresses it lends to contracts. */
import type { ModuleContext, ReadOptions } from './context';
import { eventData, prim, readEntry, storageItem } from './context';
import type { SubmitOptions } from '../tx/types';
import { decodeFarm, type Farm } from '../chain';

export function farms(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    /** Creates a farm of the signer's twin; answers its id. */
    async create(input: { name: string; publicIps?: { ip: string; gw: string }[] }, opts?: SubmitOptions): Promise<number> {
      const r = await ctx.send(api.tx.tfgridModule.createFarm(input.name, input.publicIps ?? []), opts);
      const ev = eventData(r, 'tfgridModule.FarmStored')?.[0];
      return ev !== undefined ? decodeFarm(ev).id : (await this.idByName(input.name))!;
    },
    async rename(farmId: number, name: string, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.updateFarm(farmId, name), opts);
    },
    async addIp(input: { farmId: number; ip: string; gw: string }, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.addFarmIp(input.farmId, input.ip, input.gw), opts);
    },
    async removeIp(input: { farmId: number; ip: string }, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.removeFarmIp(input.farmId, input.ip), opts);
    },
    async setPayoutAddress(farmId: number, stellarAddress: string, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.addStellarPayoutV2address(farmId, stellarAddress), opts);
    },
    async get(id: number, o: ReadOptions = {}): Promise<Farm | undefined> {
      return readEntry(api, o.at, 'tfgridModule', 'farms', id, decodeFarm);
    },
    /** The id of the farm with this name, or undefined. */
    async idByName(name: string, o: ReadOptions = {}): Promise<number | undefined> {
      const id = prim<number>(await (await storageItem(api, o.at, 'tfgridModule', 'farmIdByName'))(name));
      return id === 0 ? undefined : id;
    },
    /** The farms of a twin, by id (a scan of the farm map: fine for one farmer's own use). */
    async ofTwin(twinId: number, o: ReadOptions = {}): Promise<Farm[]> {
      const entries = await (await storageItem(api, o.at, 'tfgridModule', 'farms')).entries();
      const all = entries.map(([, v]) => decodeFarm(v.toJSON()));
      return all.filter((f) => f.twinId === twinId).sort((x, y) => x.id - y.id);
    },
    async nodeIds(farmId: number, o: ReadOptions = {}): Promise<number[]> {
      return prim<number[]>(await (await storageItem(api, o.at, 'tfgridModule', 'nodesByFarmID'))(farmId));
    },
  };
}
export type FarmsModule = ReturnType<typeof farms>;
