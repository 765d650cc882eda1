/** pallet_membership, instance 1 (index 41): who sits on the council. */
import { enumeration, vec } from '../../scale/codec';
import { AccountId32, boundedVec, MultiAddress } from './primitives';
import type { RuntimePallet } from './outer';

const generics = [{ name: 'T' }, { name: 'I' }];
const Lookup = { type: MultiAddress, typeName: 'AccountIdLookupOf<T>' };

export const CouncilMembershipCall = enumeration(
  { path: 'pallet_membership::pallet::Call', params: generics },
  {
    add_member: [0, { who: Lookup }],
    remove_member: [1, { who: Lookup }],
    swap_member: [2, { remove: Lookup, add: Lookup }],
    reset_members: [3, { members: { type: vec(AccountId32), typeName: 'Vec<T::AccountId>' } }],
    change_key: [4, { new: Lookup }],
    set_prime: [5, { who: Lookup }],
    clear_prime: [6, null],
  },
);

export const CouncilMembershipEvent = enumeration({ path: 'pallet_membership::pallet::Event', params: generics }, [
  'MemberAdded',
  'MemberRemoved',
  'MembersSwapped',
  'MembersReset',
  'KeyChanged',
  'Dummy',
]);

export const CouncilMembershipError = enumeration(
  { path: 'pallet_membership::pallet::Error', params: generics },
  {
    AlreadyMember: { index: 0, fields: null, docs: ['Already a member.'] },
    NotMember: { index: 1, fields: null, docs: ['Not a member.'] },
    TooManyMembers: { index: 2, fields: null, docs: ['Too many members.'] },
  },
);

export const MembershipMembers = boundedVec(AccountId32);

export const councilMembershipPallet: RuntimePallet = {
  name: 'CouncilMembership',
  index: 41,
  instance: 'pallet_membership::Instance1',
  calls: CouncilMembershipCall,
  events: CouncilMembershipEvent,
  errors: CouncilMembershipError,
  storage: [
    { name: 'Members', modifier: 'Default', hashers: [], keys: [], value: MembershipMembers, fallback: [] },
    { name: 'Prime', modifier: 'Optional', hashers: [], keys: [], value: AccountId32 },
  ],
};
