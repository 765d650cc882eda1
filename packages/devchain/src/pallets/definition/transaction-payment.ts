/** pallet_transaction_payment (index 21): fees, the fee multiplier, and the types of its runtime API. */
import { compact, enumeration, option, struct, u128, u8, wrapper } from '../../scale/codec';
import { AccountId32, DispatchClass, Weight } from './primitives';
import type { PalletDecl } from './types';

export const FixedU128 = wrapper({ path: 'sp_arithmetic::fixed_point::FixedU128' }, u128, 'u128');
/** FixedU128's 1.0 (the multiplier's starting value). */
export const FIXED_U128_ONE = 1_000_000_000_000_000_000n;

export const Releases = enumeration({ path: 'pallet_transaction_payment::Releases' }, ['V1Ancient', 'V2']);

const Fee = { type: u128, typeName: 'BalanceOf<T>' };

export const TransactionPaymentEvent = enumeration(
  { path: 'pallet_transaction_payment::pallet::Event', params: [{ name: 'T' }] },
  { TransactionFeePaid: [0, { who: { type: AccountId32, typeName: 'T::AccountId' }, actual_fee: Fee, tip: Fee }] },
);

/** The signed extension: the tip. */
export const ChargeTransactionPayment = wrapper(
  { path: 'pallet_transaction_payment::ChargeTransactionPayment', params: [{ name: 'T' }] },
  compact(u128),
  'BalanceOf<T>',
);

const Balance = { type: u128, typeName: 'Balance' };

/** `RuntimeDispatchInfo<Balance, Weight>`: the answer of `TransactionPaymentApi_query_info`. */
export const RuntimeDispatchInfo = struct(
  {
    path: 'pallet_transaction_payment::types::RuntimeDispatchInfo',
    params: [
      { name: 'Balance', type: u128 },
      { name: 'Weight', type: Weight },
    ],
  },
  { weight: { type: Weight, typeName: 'Weight' }, class: { type: DispatchClass, typeName: 'DispatchClass' }, partial_fee: Balance },
);

export const InclusionFee = struct(
  { path: 'pallet_transaction_payment::types::InclusionFee', params: [{ name: 'Balance', type: u128 }] },
  { base_fee: Balance, len_fee: Balance, adjusted_weight_fee: Balance },
);

/** `FeeDetails<Balance>`: the answer of `TransactionPaymentApi_query_fee_details`. */
export const FeeDetails = struct(
  { path: 'pallet_transaction_payment::types::FeeDetails', params: [{ name: 'Balance', type: u128 }] },
  { inclusion_fee: { type: option(InclusionFee), typeName: 'Option<InclusionFee<Balance>>' }, tip: Balance },
);

export const OPERATIONAL_FEE_MULTIPLIER = 5;

export const transactionPaymentPallet: PalletDecl = {
  name: 'TransactionPayment',
  index: 21,
  events: TransactionPaymentEvent,
  storage: [
    { name: 'NextFeeMultiplier', modifier: 'Default', hashers: [], keys: [], value: FixedU128, fallback: FIXED_U128_ONE },
    { name: 'StorageVersion', modifier: 'Default', hashers: [], keys: [], value: Releases, fallback: { type: 'V1Ancient' } },
  ],
  constants: [{ name: 'OperationalFeeMultiplier', type: u8, value: OPERATIONAL_FEE_MULTIPLIER }],
};
