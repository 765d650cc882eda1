/** Solution providers: registered by anyone, approved by the council, attached to contracts. */
import type { StateReader } from '../../state/overlay';
import { depositEvent, type DispatchContext } from '../dispatch';
import { Contracts, scError, smartContract, SolutionProviderID, SolutionProviders, twinOfAccount, type Provider } from './store';

/** The providers' takes together may not exceed 50 %. */
const MAX_TOTAL_TAKE = 50;

export function createSolutionProvider(
  ctx: DispatchContext,
  a: { description: Uint8Array; link: Uint8Array; providers: Provider[] },
): void {
  const total = a.providers.reduce((s, p) => s + p.take, 0);
  if (total > MAX_TOTAL_TAKE) throw scError('InvalidProviderConfiguration');
  const id = SolutionProviderID.read(ctx.state) + 1n;
  const sp = { solution_provider_id: id, providers: a.providers, description: a.description, link: a.link, approved: false };
  SolutionProviderID.set(ctx.state, id);
  SolutionProviders.set(ctx.state, sp, id);
  depositEvent(ctx, smartContract, 'SolutionProviderCreated', sp);
}

export function approveSolutionProvider(ctx: DispatchContext, id: bigint, approve: boolean): void {
  const sp = SolutionProviders.get(ctx.state, id);
  if (!sp) throw scError('NoSuchSolutionProvider');
  SolutionProviders.set(ctx.state, { ...sp, approved: approve }, id);
  depositEvent(ctx, smartContract, 'SolutionProviderApproved', [id, approve]);
}

/** A contract may name a solution provider only if it exists and is approved. */
export function validateSolutionProvider(state: StateReader, id: bigint | undefined): void {
  if (id === undefined) return;
  const sp = SolutionProviders.get(state, id);
  if (!sp) throw scError('NoSuchSolutionProvider');
  if (!sp.approved) throw scError('SolutionProviderNotApproved');
}

export function attachSolutionProvider(ctx: DispatchContext, who: Uint8Array, contractId: bigint, spId: bigint): void {
  const sp = SolutionProviders.get(ctx.state, spId);
  if (!sp) throw scError('NoSuchSolutionProvider');
  if (!sp.approved) throw scError('SolutionProviderNotApproved');
  const contract = Contracts.get(ctx.state, contractId);
  if (!contract) throw scError('ContractNotExists');
  const twinId = twinOfAccount(ctx.state, who);
  // Only the owner, and only once.
  if (contract.twin_id !== twinId || contract.solution_provider_id !== undefined) throw scError('UnauthorizedToChangeSolutionProviderId');
  const updated = { ...contract, solution_provider_id: spId };
  Contracts.set(ctx.state, updated, contractId);
  depositEvent(ctx, smartContract, 'ContractUpdated', updated);
}
