/**
 * pallet_collective (instance 1, the council): motions proposed by members, voted, closed and
 * dispatched with the `Members(yes, seats)` origin that restricted calls accept at 3/5.
 */
import { blake2_256 } from '../crypto/hashing';
import type { Overlay } from '../state/overlay';
import { encode, type Enum } from '../scale/codec';
import { bytesEqual } from '../util/hex';
import { depositEvent, ensureRoot, ensureSigned, moduleError, weight, type DispatchContext, type PalletImpl } from './dispatch';
import { storageOf } from './storage';
import { RuntimeCall } from './definition/outer';
import { palletDecl } from './decls';

export const council = palletDecl('Council');
const MOTION_DURATION = 1200; // 2 hours of 6 s blocks
const MAX_PROPOSALS = 100;

interface Votes {
  index: number;
  threshold: number;
  ayes: Uint8Array[];
  nays: Uint8Array[];
  end: number;
}

export const Members = storageOf<Uint8Array[], []>(council, 'Members');
export const Prime = storageOf<Uint8Array, []>(council, 'Prime');
const Proposals = storageOf<Uint8Array[], []>(council, 'Proposals');
const ProposalOf = storageOf<Enum, [Uint8Array]>(council, 'ProposalOf');
const Voting = storageOf<Votes, [Uint8Array]>(council, 'Voting');
const ProposalCount = storageOf<number, []>(council, 'ProposalCount');

const has = (list: Uint8Array[], who: Uint8Array): boolean => list.some((x) => bytesEqual(x, who));
const without = (list: Uint8Array[], who: Uint8Array): Uint8Array[] => list.filter((x) => !bytesEqual(x, who));

function ensureMember(ctx: DispatchContext): Uint8Array {
  const who = ensureSigned(ctx.origin);
  if (!has(Members.read(ctx.state), who)) throw moduleError(council, 'NotMember');
  return who;
}

function execute(ctx: DispatchContext, hash: Uint8Array, proposal: Enum, yes: number, seats: number): void {
  const r = ctx.dispatch(proposal, { type: 'Council', members: { yes, seats } });
  depositEvent(ctx, council, 'Executed', {
    proposal_hash: hash,
    result: r.ok ? { type: 'Ok', value: null } : { type: 'Err', value: r.error },
  });
}

function remove(state: Overlay, hash: Uint8Array): void {
  ProposalOf.remove(state, hash);
  Voting.remove(state, hash);
  Proposals.set(state, without(Proposals.read(state), hash));
}

/** Called by the membership pallet: new sorted members; votes of outgoing members are dropped. */
export function changeMembers(state: Overlay, sorted: Uint8Array[]): void {
  const outgoing = Members.read(state).filter((m) => !has(sorted, m));
  for (const hash of Proposals.read(state)) {
    const v = Voting.get(state, hash);
    if (!v) continue;
    let { ayes, nays } = v;
    for (const o of outgoing) {
      ayes = without(ayes, o);
      nays = without(nays, o);
    }
    Voting.set(state, { ...v, ayes, nays }, hash);
  }
  Members.set(state, sorted);
}

export const councilPallet: PalletImpl = {
  decl: council,
  meta: {
    vote: { weight: () => weight(20_000_000, 4_000) },
    close: { weight: () => weight(60_000_000, 10_000) },
    set_members: { weight: () => weight(100_000_000, 20_000) },
  },
  calls: {
    set_members(ctx, a: { new_members: Uint8Array[]; prime?: Uint8Array }) {
      ensureRoot(ctx.origin);
      const sorted = [...a.new_members].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      if (a.prime && !has(sorted, a.prime)) throw moduleError(council, 'PrimeAccountNotMember');
      changeMembers(ctx.state, sorted);
      if (a.prime) Prime.set(ctx.state, a.prime);
      else Prime.remove(ctx.state);
    },
    execute(ctx, a: { proposal: Enum; length_bound: number }) {
      const who = ensureMember(ctx);
      const encoded = encode(RuntimeCall, a.proposal);
      if (encoded.length > a.length_bound) throw moduleError(council, 'WrongProposalLength');
      const r = ctx.dispatch(a.proposal, { type: 'Council', member: who });
      depositEvent(ctx, council, 'MemberExecuted', {
        proposal_hash: blake2_256(encoded),
        result: r.ok ? { type: 'Ok', value: null } : { type: 'Err', value: r.error },
      });
    },
    propose(ctx, a: { threshold: number; proposal: Enum; length_bound: number }) {
      const who = ensureMember(ctx);
      const encoded = encode(RuntimeCall, a.proposal);
      if (encoded.length > a.length_bound) throw moduleError(council, 'WrongProposalLength');
      const hash = blake2_256(encoded);
      if (ProposalOf.exists(ctx.state, hash)) throw moduleError(council, 'DuplicateProposal');
      const seats = Members.read(ctx.state).length;
      if (a.threshold < 2) {
        execute(ctx, hash, a.proposal, 1, seats);
        return;
      }
      const proposals = Proposals.read(ctx.state);
      if (proposals.length >= MAX_PROPOSALS) throw moduleError(council, 'TooManyProposals');
      const index = ProposalCount.read(ctx.state);
      ProposalCount.set(ctx.state, index + 1);
      Proposals.set(ctx.state, [...proposals, hash]);
      ProposalOf.set(ctx.state, a.proposal, hash);
      Voting.set(ctx.state, { index, threshold: a.threshold, ayes: [], nays: [], end: ctx.block.number + MOTION_DURATION }, hash);
      depositEvent(ctx, council, 'Proposed', { account: who, proposal_index: index, proposal_hash: hash, threshold: a.threshold });
    },
    vote(ctx, a: { proposal: Uint8Array; index: number; approve: boolean }) {
      const who = ensureMember(ctx);
      const v = Voting.get(ctx.state, a.proposal);
      if (!v) throw moduleError(council, 'ProposalMissing');
      if (v.index !== a.index) throw moduleError(council, 'WrongIndex');
      const first = !has(v.ayes, who) && !has(v.nays, who);
      if ((a.approve && has(v.ayes, who)) || (!a.approve && has(v.nays, who))) throw moduleError(council, 'DuplicateVote');
      const ayes = a.approve ? [...v.ayes, who] : without(v.ayes, who);
      const nays = a.approve ? without(v.nays, who) : [...v.nays, who];
      Voting.set(ctx.state, { ...v, ayes, nays }, a.proposal);
      depositEvent(ctx, council, 'Voted', { account: who, proposal_hash: a.proposal, voted: a.approve, yes: ayes.length, no: nays.length });
      // A member's first vote on a motion is free.
      return first ? { paysFee: 'No' } : undefined;
    },
    close(ctx, a: { proposal_hash: Uint8Array; index: number; length_bound: number }) {
      ensureSigned(ctx.origin);
      const v = Voting.get(ctx.state, a.proposal_hash);
      if (!v) throw moduleError(council, 'ProposalMissing');
      if (v.index !== a.index) throw moduleError(council, 'WrongIndex');
      const seats = Members.read(ctx.state).length;
      let yes = v.ayes.length;
      let no = v.nays.length;
      const approved = yes >= v.threshold;
      const disapproved = seats - no < v.threshold;
      if (!approved && !disapproved) {
        if (ctx.block.number < v.end) throw moduleError(council, 'TooEarly');
        // After the motion ends, abstentions follow the prime's vote (PrimeDefaultVote).
        const prime = Prime.get(ctx.state);
        const primeAye = prime !== undefined && has(v.ayes, prime);
        const abstentions = seats - yes - no;
        if (primeAye) yes += abstentions;
        else no += abstentions;
      }
      const proposal = ProposalOf.get(ctx.state, a.proposal_hash);
      if (!proposal) throw moduleError(council, 'ProposalMissing');
      if (encode(RuntimeCall, proposal).length > a.length_bound) throw moduleError(council, 'WrongProposalLength');
      depositEvent(ctx, council, 'Closed', { proposal_hash: a.proposal_hash, yes, no });
      remove(ctx.state, a.proposal_hash);
      if (yes >= v.threshold) {
        depositEvent(ctx, council, 'Approved', { proposal_hash: a.proposal_hash });
        execute(ctx, a.proposal_hash, proposal, yes, seats);
      } else {
        depositEvent(ctx, council, 'Disapproved', { proposal_hash: a.proposal_hash });
      }
    },
    disapprove_proposal(ctx, a: { proposal_hash: Uint8Array }) {
      ensureRoot(ctx.origin);
      remove(ctx.state, a.proposal_hash);
      depositEvent(ctx, council, 'Disapproved', { proposal_hash: a.proposal_hash });
    },
  },
};
