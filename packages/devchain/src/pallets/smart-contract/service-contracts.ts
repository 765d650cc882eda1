/**
 * Service contracts between two twins: created by either, metadata by either, fees by the
 * service, approved by both, then billed by the service (base fee per hour over at most one
 * hour, plus a variable amount bounded by the variable fee), paid by the consumer.
 */
import type { Overlay } from '../../state/overlay';
import { depositEvent, type DispatchContext } from '../dispatch';
import { transfer } from '../balances';
import { serviceBillCost, unitsUsdToTft } from './cost';
import { usableBalance } from './currency';
import { div, fx, mul, round } from './fixed';
import {
  nowSecs,
  scError,
  SECS_PER_HOUR,
  ServiceContractID,
  ServiceContracts,
  smartContract,
  Twins,
  twinOfAccount,
  type ServiceContract,
} from './store';

const MAX_METADATA_LENGTH = 64;
const MAX_BILL_METADATA_LENGTH = 50;

function get(state: Overlay, id: bigint): ServiceContract {
  const sc = ServiceContracts.get(state, id);
  if (!sc) throw scError('ServiceContractNotExists');
  return sc;
}

const isParty = (sc: ServiceContract, twinId: number): boolean => twinId === sc.service_twin_id || twinId === sc.consumer_twin_id;

export function serviceContractCreate(ctx: DispatchContext, who: Uint8Array, service: Uint8Array, consumer: Uint8Array): void {
  const caller = twinOfAccount(ctx.state, who);
  const serviceTwin = twinOfAccount(ctx.state, service);
  const consumerTwin = twinOfAccount(ctx.state, consumer);
  if (caller !== serviceTwin && caller !== consumerTwin) throw scError('TwinNotAuthorized');
  if (serviceTwin === consumerTwin) throw scError('ServiceContractCreationNotAllowed');
  const id = ServiceContractID.read(ctx.state) + 1n;
  const sc: ServiceContract = {
    service_contract_id: id,
    service_twin_id: serviceTwin,
    consumer_twin_id: consumerTwin,
    base_fee: 0n,
    variable_fee: 0n,
    metadata: new Uint8Array(0),
    accepted_by_service: false,
    accepted_by_consumer: false,
    last_bill: 0n,
    state: { type: 'Created' },
  };
  ServiceContracts.set(ctx.state, sc, id);
  ServiceContractID.set(ctx.state, id);
  depositEvent(ctx, smartContract, 'ServiceContractCreated', sc);
}

export function serviceContractSetMetadata(ctx: DispatchContext, who: Uint8Array, id: bigint, metadata: Uint8Array): void {
  const twinId = twinOfAccount(ctx.state, who);
  const sc = get(ctx.state, id);
  if (!isParty(sc, twinId)) throw scError('TwinNotAuthorized');
  if (sc.state.type === 'ApprovedByBoth') throw scError('ServiceContractModificationNotAllowed');
  if (metadata.length > MAX_METADATA_LENGTH) throw scError('ServiceContractMetadataTooLong');
  const next: ServiceContract = { ...sc, metadata, state: sc.base_fee !== 0n ? { type: 'AgreementReady' } : sc.state };
  ServiceContracts.set(ctx.state, next, id);
  depositEvent(ctx, smartContract, 'ServiceContractMetadataSet', next);
}

export function serviceContractSetFees(ctx: DispatchContext, who: Uint8Array, id: bigint, baseFee: bigint, variableFee: bigint): void {
  const twinId = twinOfAccount(ctx.state, who);
  const sc = get(ctx.state, id);
  if (twinId !== sc.service_twin_id) throw scError('TwinNotAuthorized');
  if (sc.state.type === 'ApprovedByBoth') throw scError('ServiceContractModificationNotAllowed');
  const next: ServiceContract = {
    ...sc,
    base_fee: baseFee,
    variable_fee: variableFee,
    state: sc.metadata.length > 0 ? { type: 'AgreementReady' } : sc.state,
  };
  ServiceContracts.set(ctx.state, next, id);
  depositEvent(ctx, smartContract, 'ServiceContractFeesSet', next);
}

export function serviceContractApprove(ctx: DispatchContext, who: Uint8Array, id: bigint): void {
  const twinId = twinOfAccount(ctx.state, who);
  const sc = get(ctx.state, id);
  if (sc.state.type !== 'AgreementReady') throw scError('ServiceContractApprovalNotAllowed');
  const next = { ...sc };
  if (twinId === sc.service_twin_id) next.accepted_by_service = true;
  else if (twinId === sc.consumer_twin_id) next.accepted_by_consumer = true;
  else throw scError('TwinNotAuthorized');
  if (next.accepted_by_service && next.accepted_by_consumer) {
    next.state = { type: 'ApprovedByBoth' };
    next.last_bill = nowSecs(ctx.block);
  }
  ServiceContracts.set(ctx.state, next, id);
  depositEvent(ctx, smartContract, 'ServiceContractApproved', next);
}

export function serviceContractReject(ctx: DispatchContext, who: Uint8Array, id: bigint): void {
  const sc = get(ctx.state, id);
  if (sc.state.type !== 'AgreementReady') throw scError('ServiceContractRejectionNotAllowed');
  serviceContractCancel(ctx, who, id, 'CanceledByUser');
}

export function serviceContractCancel(ctx: DispatchContext, who: Uint8Array, id: bigint, cause: 'CanceledByUser' | 'OutOfFunds'): void {
  const twinId = twinOfAccount(ctx.state, who);
  const sc = get(ctx.state, id);
  if (!isParty(sc, twinId)) throw scError('TwinNotAuthorized');
  ServiceContracts.remove(ctx.state, id);
  depositEvent(ctx, smartContract, 'ServiceContractCanceled', { service_contract_id: id, cause: { type: cause } });
}

/**
 * Bills the consumer for the time since the last bill (at most one hour) and a variable amount.
 * A consumer who cannot pay fails the bill with `ServiceContractNotEnoughFundsToPayBill` (the
 * real pallet cancels the contract in the same transactional call, so the failure undoes that).
 */
export function serviceContractBill(ctx: DispatchContext, who: Uint8Array, id: bigint, variableAmount: bigint, metadata: Uint8Array): void {
  const { state } = ctx;
  const twinId = twinOfAccount(state, who);
  const sc = get(state, id);
  if (twinId !== sc.service_twin_id) throw scError('TwinNotAuthorized');
  if (sc.state.type !== 'ApprovedByBoth') throw scError('ServiceContractBillingNotApprovedByBoth');
  const now = nowSecs(ctx.block);
  const elapsed = now - sc.last_bill;
  const window = elapsed < SECS_PER_HOUR ? elapsed : SECS_PER_HOUR;
  const maxVariable = round(mul(div(fx(window), fx(SECS_PER_HOUR)), fx(sc.variable_fee)));
  if (variableAmount > maxVariable) throw scError('ServiceContractBillingVariableAmountTooHigh');
  if (metadata.length > MAX_BILL_METADATA_LENGTH) throw scError('ServiceContractBillMetadataTooLong');
  const bill = { variable_amount: variableAmount, window, metadata };
  const cost = serviceBillCost(sc, variableAmount, window);
  const amount = cost === 0n ? 0n : unitsUsdToTft(state, cost);
  const service = Twins.get(state, sc.service_twin_id);
  const consumer = Twins.get(state, sc.consumer_twin_id);
  if (!service || !consumer) throw scError('TwinNotExists');
  if (usableBalance(state, consumer.account_id) < amount) throw scError('ServiceContractNotEnoughFundsToPayBill');
  transfer(state, consumer.account_id, service.account_id, amount, true);
  const next = { ...sc, last_bill: now };
  ServiceContracts.set(state, next, id);
  depositEvent(ctx, smartContract, 'ServiceContractBilled', { service_contract: next, bill, amount });
}
