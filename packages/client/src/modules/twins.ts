/** Twins (a user's or node's identity on the grid) and the terms and conditions they accept first. */
import type { ModuleContext, ReadOptions } from './context';
import { eventData, prim, unwrap, storageItem } from './context';
import type { SubmitOptions } from '../tx/types';

export interface Twin {
  id: number;
  accountId: string;
  /** RMB relay domain, or null. */
  relay: string | null;
  /** Public key for encrypted messages (hex or text as stored), or null. */
  pk: string | null;
}

export interface TermsAcceptance {
  documentLink: string;
  documentHash: string;
}

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
      return v ? prim<{ documentLink: string; documentHash: string }[]>(v).map((t) => ({ documentLink: t.documentLink, documentHash: t.documentHash })) : [];
    },
    /** Creates the signer's twin; answers its id. */
    async create(input: { relay?: string | null; pk?: string | null } = {}, opts?: SubmitOptions): Promise<number> {
      const r = await ctx.send(api.tx.tfgridModule.createTwin(input.relay ?? null, input.pk ?? null), opts);
      return (eventData(r, 'tfgridModule.TwinStored')?.[0] as { id: number } | undefined)?.id ?? (await this.idOf(ctx.address()))!;
    },
    async update(input: { relay?: string | null; pk?: string | null }, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.updateTwin(input.relay ?? null, input.pk ?? null), opts);
    },
    async get(id: number, o: ReadOptions = {}): Promise<Twin | undefined> {
      const v = unwrap(await (await storageItem(api, o.at, 'tfgridModule', 'twins'))(id));
      if (!v) return undefined;
      const t = prim<Twin>(v);
      return { id: t.id, accountId: t.accountId, relay: t.relay ?? null, pk: t.pk ?? null };
    },
    /** The twin id of an account, or undefined. */
    async idOf(address: string, o: ReadOptions = {}): Promise<number | undefined> {
      const v = unwrap(await (await storageItem(api, o.at, 'tfgridModule', 'twinIdByAccountID'))(address));
      return v ? prim<number>(v) : undefined;
    },
  };
}
export type TwinsModule = ReturnType<typeof twins>;
