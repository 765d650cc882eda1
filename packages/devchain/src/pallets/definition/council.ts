/** pallet_collective, instance 1 (index 40): the council's proposals and votes. */
import { bool, compact, enumeration, struct, u32, vec } from '../../scale/codec';
import { RuntimeCall, type RuntimePallet } from './outer';
import { AccountId32, boundedVec, DispatchResult, H256, OptionAccountId32, Weight } from './primitives';

const generics = [{ name: 'T' }, { name: 'I' }];
const MemberCount = { type: u32, typeName: 'MemberCount' };

/** `pallet_collective::Origin<Runtime, Instance1>` (a variant of OriginCaller). */
export const CollectiveOrigin = enumeration(
  {
    path: 'pallet_collective::RawOrigin',
    params: [{ name: 'AccountId', type: AccountId32 }, { name: 'I' }],
  },
  {
    Members: [0, [MemberCount, MemberCount]],
    Member: [1, { type: AccountId32, typeName: 'AccountId' }],
    _Phantom: [2, null],
  },
);

export const Votes = struct(
  {
    path: 'pallet_collective::Votes',
    params: [
      { name: 'AccountId', type: AccountId32 },
      { name: 'BlockNumber', type: u32 },
    ],
  },
  {
    index: { type: u32, typeName: 'ProposalIndex' },
    threshold: MemberCount,
    ayes: { type: vec(AccountId32), typeName: 'Vec<AccountId>' },
    nays: { type: vec(AccountId32), typeName: 'Vec<AccountId>' },
    end: { type: u32, typeName: 'BlockNumber' },
  },
);

const Proposal = { type: RuntimeCall, typeName: 'Box<<T as Config<I>>::Proposal>' };
const LengthBound = { type: compact(u32), typeName: 'u32' };
const Hash = { type: H256, typeName: 'T::Hash' };
const Index = { type: compact(u32), typeName: 'ProposalIndex' };

export const CouncilCall = enumeration(
  { path: 'pallet_collective::pallet::Call', params: generics },
  {
    set_members: [
      0,
      {
        new_members: { type: vec(AccountId32), typeName: 'Vec<T::AccountId>' },
        prime: { type: OptionAccountId32, typeName: 'Option<T::AccountId>' },
        old_count: MemberCount,
      },
    ],
    execute: [1, { proposal: Proposal, length_bound: LengthBound }],
    propose: [2, { threshold: { type: compact(u32), typeName: 'MemberCount' }, proposal: Proposal, length_bound: LengthBound }],
    vote: [3, { proposal: Hash, index: Index, approve: { type: bool, typeName: 'bool' } }],
    disapprove_proposal: [5, { proposal_hash: Hash }],
    close: [
      6,
      { proposal_hash: Hash, index: Index, proposal_weight_bound: { type: Weight, typeName: 'Weight' }, length_bound: LengthBound },
    ],
  },
);

const Result = { type: DispatchResult, typeName: 'DispatchResult' };

export const CouncilEvent = enumeration(
  { path: 'pallet_collective::pallet::Event', params: generics },
  {
    Proposed: [
      0,
      {
        account: { type: AccountId32, typeName: 'T::AccountId' },
        proposal_index: { type: u32, typeName: 'ProposalIndex' },
        proposal_hash: Hash,
        threshold: MemberCount,
      },
    ],
    Voted: [
      1,
      {
        account: { type: AccountId32, typeName: 'T::AccountId' },
        proposal_hash: Hash,
        voted: { type: bool, typeName: 'bool' },
        yes: MemberCount,
        no: MemberCount,
      },
    ],
    Approved: [2, { proposal_hash: Hash }],
    Disapproved: [3, { proposal_hash: Hash }],
    Executed: [4, { proposal_hash: Hash, result: Result }],
    MemberExecuted: [5, { proposal_hash: Hash, result: Result }],
    Closed: [6, { proposal_hash: Hash, yes: MemberCount, no: MemberCount }],
  },
);

const error = (index: number, doc: string) => ({ index, fields: null, docs: [doc] });

export const CouncilError = enumeration(
  { path: 'pallet_collective::pallet::Error', params: generics },
  {
    NotMember: error(0, 'Account is not a member'),
    DuplicateProposal: error(1, 'Duplicate proposals not allowed'),
    ProposalMissing: error(2, 'Proposal must exist'),
    WrongIndex: error(3, 'Mismatched index'),
    DuplicateVote: error(4, 'Duplicate vote ignored'),
    AlreadyInitialized: error(5, 'Members are already initialized!'),
    TooEarly: error(6, 'The close call was made too early, before the end of the voting.'),
    TooManyProposals: error(7, 'There can only be a maximum of `MaxProposals` active proposals.'),
    WrongProposalWeight: error(8, 'The given weight bound for the proposal was too low.'),
    WrongProposalLength: error(9, 'The given length bound for the proposal was too low.'),
    PrimeAccountNotMember: error(10, 'Prime account is not a member'),
  },
);

export const ProposalHashes = boundedVec(H256);

export const MAX_PROPOSAL_WEIGHT = { ref_time: 1_000_000_000_000n, proof_size: 0x7fffffffffffffffn };

export const councilPallet: RuntimePallet = {
  name: 'Council',
  index: 40,
  instance: 'pallet_collective::Instance1',
  calls: CouncilCall,
  events: CouncilEvent,
  errors: CouncilError,
  storage: [
    { name: 'Proposals', modifier: 'Default', hashers: [], keys: [], value: ProposalHashes, fallback: [] },
    { name: 'ProposalOf', modifier: 'Optional', hashers: ['Identity'], keys: [H256], value: RuntimeCall },
    { name: 'Voting', modifier: 'Optional', hashers: ['Identity'], keys: [H256], value: Votes },
    { name: 'ProposalCount', modifier: 'Default', hashers: [], keys: [], value: u32, fallback: 0 },
    { name: 'Members', modifier: 'Default', hashers: [], keys: [], value: vec(AccountId32), fallback: [] },
    { name: 'Prime', modifier: 'Optional', hashers: [], keys: [], value: AccountId32 },
  ],
  constants: [{ name: 'MaxProposalWeight', type: Weight, value: MAX_PROPOSAL_WEIGHT }],
};
