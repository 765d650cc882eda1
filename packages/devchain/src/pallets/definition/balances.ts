/** pallet_balances (index 20). */
import { bool, compact, enumeration, fixedBytes, struct, u128, u32, unit, vec, wrapper } from '../../scale/codec';
import { AccountId32, boundedVec, MultiAddress, weakBoundedVec } from './primitives';
import type { PalletDecl } from './types';

/** The top bit of the flags marks an account as using the new (holds/freezes) logic. */
export const IS_NEW_LOGIC = 1n << 127n;

export const ExtraFlags = wrapper({ path: 'pallet_balances::types::ExtraFlags' }, u128, 'u128');

export const AccountData = struct(
  { path: 'pallet_balances::types::AccountData', params: [{ name: 'Balance', type: u128 }] },
  {
    free: { type: u128, typeName: 'Balance' },
    reserved: { type: u128, typeName: 'Balance' },
    frozen: { type: u128, typeName: 'Balance' },
    flags: { type: ExtraFlags, typeName: 'ExtraFlags' },
  },
);

export const Reasons = enumeration({ path: 'pallet_balances::types::Reasons' }, ['Fee', 'Misc', 'All']);

export const BalanceLock = struct(
  { path: 'pallet_balances::types::BalanceLock', params: [{ name: 'Balance', type: u128 }] },
  {
    id: { type: fixedBytes(8), typeName: 'LockIdentifier' },
    amount: { type: u128, typeName: 'Balance' },
    reasons: { type: Reasons, typeName: 'Reasons' },
  },
);

export const ReserveData = struct(
  {
    path: 'pallet_balances::types::ReserveData',
    params: [
      { name: 'ReserveIdentifier', type: fixedBytes(8) },
      { name: 'Balance', type: u128 },
    ],
  },
  { id: { type: fixedBytes(8), typeName: 'ReserveIdentifier' }, amount: { type: u128, typeName: 'Balance' } },
);

export const IdAmount = struct(
  {
    path: 'pallet_balances::types::IdAmount',
    params: [
      { name: 'Id', type: unit },
      { name: 'Balance', type: u128 },
    ],
  },
  { id: { type: unit, typeName: 'Id' }, amount: { type: u128, typeName: 'Balance' } },
);

export const BalanceStatus = enumeration({ path: 'frame_support::traits::tokens::misc::BalanceStatus' }, ['Free', 'Reserved']);

const Dest = { type: MultiAddress, typeName: 'AccountIdLookupOf<T>' };
const Amount = { type: compact(u128), typeName: 'T::Balance' };
const Who = { type: AccountId32, typeName: 'T::AccountId' };
const Bal = { type: u128, typeName: 'T::Balance' };

const generics = [{ name: 'T' }, { name: 'I' }];

export const BalancesCall = enumeration(
  { path: 'pallet_balances::pallet::Call', params: generics },
  {
    transfer_allow_death: [0, { dest: Dest, value: Amount }],
    set_balance_deprecated: [1, { who: Dest, new_free: Amount, old_reserved: Amount }],
    force_transfer: [2, { source: Dest, dest: Dest, value: Amount }],
    transfer_keep_alive: [3, { dest: Dest, value: Amount }],
    transfer_all: [4, { dest: Dest, keep_alive: { type: bool, typeName: 'bool' } }],
    force_unreserve: [5, { who: Dest, amount: Bal }],
    upgrade_accounts: [6, { who: { type: vec(AccountId32), typeName: 'Vec<T::AccountId>' } }],
    transfer: [7, { dest: Dest, value: Amount }],
    force_set_balance: [8, { who: Dest, new_free: Amount }],
  },
);

export const BalancesEvent = enumeration(
  { path: 'pallet_balances::pallet::Event', params: generics },
  {
    Endowed: [0, { account: Who, free_balance: Bal }],
    DustLost: [1, { account: Who, amount: Bal }],
    Transfer: [2, { from: Who, to: Who, amount: Bal }],
    BalanceSet: [3, { who: Who, free: Bal }],
    Reserved: [4, { who: Who, amount: Bal }],
    Unreserved: [5, { who: Who, amount: Bal }],
    ReserveRepatriated: [6, { from: Who, to: Who, amount: Bal, destination_status: { type: BalanceStatus, typeName: 'Status' } }],
    Deposit: [7, { who: Who, amount: Bal }],
    Withdraw: [8, { who: Who, amount: Bal }],
    Slashed: [9, { who: Who, amount: Bal }],
    Minted: [10, { who: Who, amount: Bal }],
    Burned: [11, { who: Who, amount: Bal }],
    Suspended: [12, { who: Who, amount: Bal }],
    Restored: [13, { who: Who, amount: Bal }],
    Upgraded: [14, { who: Who }],
    Issued: [15, { amount: Bal }],
    Rescinded: [16, { amount: Bal }],
    Locked: [17, { who: Who, amount: Bal }],
    Unlocked: [18, { who: Who, amount: Bal }],
    Frozen: [19, { who: Who, amount: Bal }],
    Thawed: [20, { who: Who, amount: Bal }],
  },
);

export const BalancesError = enumeration(
  { path: 'pallet_balances::pallet::Error', params: generics },
  {
    VestingBalance: { index: 0, fields: null, docs: ['Vesting balance too high to send value.'] },
    LiquidityRestrictions: { index: 1, fields: null, docs: ['Account liquidity restrictions prevent withdrawal.'] },
    InsufficientBalance: { index: 2, fields: null, docs: ['Balance too low to send value.'] },
    ExistentialDeposit: { index: 3, fields: null, docs: ['Value too low to create account due to existential deposit.'] },
    Expendability: { index: 4, fields: null, docs: ['Transfer/payment would kill account.'] },
    ExistingVestingSchedule: { index: 5, fields: null, docs: ['A vesting schedule already exists for this account.'] },
    DeadAccount: { index: 6, fields: null, docs: ['Beneficiary account must pre-exist.'] },
    TooManyReserves: { index: 7, fields: null, docs: ['Number of named reserves exceed `MaxReserves`.'] },
    TooManyHolds: { index: 8, fields: null, docs: ['Number of holds exceed `MaxHolds`.'] },
    TooManyFreezes: { index: 9, fields: null, docs: ['Number of freezes exceed `MaxFreezes`.'] },
  },
);

export const Locks = weakBoundedVec(BalanceLock);
export const Reserves = boundedVec(ReserveData);
/** Holds and Freezes share one Rust type (both bounded by `ConstU32<0>`). */
export const IdAmounts = boundedVec(IdAmount);

export const EXISTENTIAL_DEPOSIT = 500n;

const byAccount = { hashers: ['Blake2_128Concat' as const], keys: [AccountId32] };

export const balancesPallet: PalletDecl = {
  name: 'Balances',
  index: 20,
  calls: BalancesCall,
  events: BalancesEvent,
  errors: BalancesError,
  storage: [
    { name: 'TotalIssuance', modifier: 'Default', hashers: [], keys: [], value: u128, fallback: 0n },
    { name: 'InactiveIssuance', modifier: 'Default', hashers: [], keys: [], value: u128, fallback: 0n },
    {
      name: 'Account',
      modifier: 'Default',
      ...byAccount,
      value: AccountData,
      fallback: { free: 0n, reserved: 0n, frozen: 0n, flags: IS_NEW_LOGIC },
    },
    { name: 'Locks', modifier: 'Default', ...byAccount, value: Locks, fallback: [] },
    { name: 'Reserves', modifier: 'Default', ...byAccount, value: Reserves, fallback: [] },
    { name: 'Holds', modifier: 'Default', ...byAccount, value: IdAmounts, fallback: [] },
    { name: 'Freezes', modifier: 'Default', ...byAccount, value: IdAmounts, fallback: [] },
  ],
  constants: [
    { name: 'ExistentialDeposit', type: u128, value: EXISTENTIAL_DEPOSIT },
    { name: 'MaxLocks', type: u32, value: 50 },
    { name: 'MaxReserves', type: u32, value: 50 },
    { name: 'MaxHolds', type: u32, value: 0 },
    { name: 'MaxFreezes', type: u32, value: 0 },
  ],
};
