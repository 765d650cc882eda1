/** pallet_membership (instance 1): who sits on the council; changes flow to the collective. */
import type { Overlay } from '../state/overlay';
import type { Enum } from '../scale/codec';
import { bytesEqual } from '../util/hex';
import { depositEvent, ensureRootOrCouncil, ensureSigned, moduleError, type PalletImpl } from './dispatch';
import { storageOf } from './storage';
import { lookup } from './balances';
import { changeMembers, Prime as CouncilPrime } from './council';
import { palletDecl } from './decls';

export const councilMembership = palletDecl('CouncilMembership');
const MAX_MEMBERS = 100;
export const MembershipMembers = storageOf<Uint8Array[], []>(councilMembership, 'Members');
const MembershipPrime = storageOf<Uint8Array, []>(councilMembership, 'Prime');

const sortAccounts = (l: Uint8Array[]): Uint8Array[] => [...l].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
const has = (list: Uint8Array[], who: Uint8Array): boolean => list.some((x) => bytesEqual(x, who));

function store(state: Overlay, members: Uint8Array[]): void {
  const sorted = sortAccounts(members);
  MembershipMembers.set(state, sorted);
  changeMembers(state, sorted);
  const prime = MembershipPrime.get(state);
  if (prime && !has(sorted, prime)) {
    MembershipPrime.remove(state);
    CouncilPrime.remove(state);
  }
}

export const councilMembershipPallet: PalletImpl = {
  decl: councilMembership,
  calls: {
    add_member(ctx, a: { who: Enum }) {
      ensureRootOrCouncil(ctx.origin);
      const who = lookup(a.who);
      const members = MembershipMembers.read(ctx.state);
      if (has(members, who)) throw moduleError(councilMembership, 'AlreadyMember');
      if (members.length >= MAX_MEMBERS) throw moduleError(councilMembership, 'TooManyMembers');
      store(ctx.state, [...members, who]);
      depositEvent(ctx, councilMembership, 'MemberAdded');
    },
    remove_member(ctx, a: { who: Enum }) {
      ensureRootOrCouncil(ctx.origin);
      const who = lookup(a.who);
      const members = MembershipMembers.read(ctx.state);
      if (!has(members, who)) throw moduleError(councilMembership, 'NotMember');
      store(
        ctx.state,
        members.filter((m) => !bytesEqual(m, who)),
      );
      depositEvent(ctx, councilMembership, 'MemberRemoved');
    },
    swap_member(ctx, a: { remove: Enum; add: Enum }) {
      ensureRootOrCouncil(ctx.origin);
      const out = lookup(a.remove);
      const inn = lookup(a.add);
      const members = MembershipMembers.read(ctx.state);
      if (bytesEqual(out, inn)) return;
      if (!has(members, out)) throw moduleError(councilMembership, 'NotMember');
      if (has(members, inn)) throw moduleError(councilMembership, 'AlreadyMember');
      store(ctx.state, [...members.filter((m) => !bytesEqual(m, out)), inn]);
      depositEvent(ctx, councilMembership, 'MembersSwapped');
    },
    reset_members(ctx, a: { members: Uint8Array[] }) {
      ensureRootOrCouncil(ctx.origin);
      if (a.members.length > MAX_MEMBERS) throw moduleError(councilMembership, 'TooManyMembers');
      store(ctx.state, a.members);
      depositEvent(ctx, councilMembership, 'MembersReset');
    },
    change_key(ctx, a: { new: Enum }) {
      const who = ensureSigned(ctx.origin);
      const next = lookup(a.new);
      const members = MembershipMembers.read(ctx.state);
      if (!has(members, who)) throw moduleError(councilMembership, 'NotMember');
      if (bytesEqual(who, next)) return;
      if (has(members, next)) throw moduleError(councilMembership, 'AlreadyMember');
      const wasPrime = MembershipPrime.get(ctx.state);
      store(ctx.state, [...members.filter((m) => !bytesEqual(m, who)), next]);
      if (wasPrime && bytesEqual(wasPrime, who)) {
        MembershipPrime.set(ctx.state, next);
        CouncilPrime.set(ctx.state, next);
      }
      depositEvent(ctx, councilMembership, 'KeyChanged');
    },
    set_prime(ctx, a: { who: Enum }) {
      ensureRootOrCouncil(ctx.origin);
      const who = lookup(a.who);
      if (!has(MembershipMembers.read(ctx.state), who)) throw moduleError(councilMembership, 'NotMember');
      MembershipPrime.set(ctx.state, who);
      CouncilPrime.set(ctx.state, who);
    },
    clear_prime(ctx) {
      ensureRootOrCouncil(ctx.origin);
      MembershipPrime.remove(ctx.state);
      CouncilPrime.remove(ctx.state);
    },
  },
};
