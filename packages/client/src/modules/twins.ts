/** Twins (a user's or node's identity on the grid) and the terms and conditions they accept first. */
import type { ModuleContext, ReadOptions } from './context';
import { eventData, prim, readEntry, unwrap, storageItem } from './context';
import type { SubmitOptions } from '../tx/types';
import { decodeTermsAccepted, decodeTwin, type TermsAcceptance, type Twin } from '../chain';

export function twins(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    /** `user_accept_tc`: needed once per account before creating a twin. */
    async acceptTerms(terms: TermsAcceptance, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.userAcceptTc(terms.documentLink, terms.documentHash), opts);
    },
    /** The terms an account accepted (empty when none). */
    async termsAccepted(address: string, o: ReadOptions = {}): Promise<TermsAcceptance[]> {
      const v = unwrap(await (await storageItem(api, o.at, 'tfgridModule', 'usersTermsAndConditions'))(address));
      return v ? decodeTermsAccepted(v.toJSON()) : [];
    },
    /** Creates the signer's twin; answers its id. */
    async create(input: { relay?: string | null; pk?: string | null } = {}, opts?: SubmitOptions): Promise<number> {
      const r = await ctx.send(api.tx.tfgridModule.createTwin(input.relay ?? null, input.pk ?? null), opts);
      const ev = eventData(r, 'tfgridModule.TwinStored')?.[0];
      return ev !== undefined ? decodeTwin(ev).id : (await this.idOf(ctx.address()))!;
    },
    async update(input: { relay?: string | null; pk?: string | null }, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.updateTwin(input.relay ?? null, input.pk ?? null), opts);
    },
    async get(id: number, o: ReadOptions = {}): Promise<Twin | undefined> {
      return readEntry(api, o.at, 'tfgridModule', 'twins', id, decodeTwin);
    },
    /** The twin id of an account, or undefined. */
    async idOf(address: string, o: ReadOptions = {}): Promise<number | undefined> {
      const v = unwrap(await (await storageItem(api, o.at, 'tfgridModule', 'twinIdByAccountID'))(address));
      return v ? prim<number>(v) : undefined;
    },
  };
}
export type TwinsModule = ReturnType<typeof twins>;
