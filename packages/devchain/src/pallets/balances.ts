/**
 * pallet_balances with the rules of its fungible implementation: existential deposit 500,
 * accounts created by endowment and reaped below the deposit, keep-alive transfers.
 */
import type { Overlay } from '../state/overlay';
import { bytesEqual } from '../util/hex';
import type { Enum } from '../scale/codec';
import { DispatchFailure, depositEvent, ensureRoot, ensureSigned, tokenError, weight, type PalletImpl } from './dispatch';
import { storageOf } from './storage';
import { constantOf, palletDecl } from './decls';
import { readAccount, system, writeAccount, type AccountInfo } from './system';

export const balances = palletDecl('Balances');
export const EXISTENTIAL_DEPOSIT: bigint = constantOf<bigint>(balances, 'ExistentialDeposit');
export const TotalIssuance = storageOf<bigint, []>(balances, 'TotalIssuance');

/** Resolves a MultiAddress as TFChain does (`AccountIdLookup<AccountId, ()>`): only account ids. */
export function lookup(address: Enum): Uint8Array {
  if (address.type === 'Id' || address.type === 'Address32') return address.value as Uint8Array;
  throw new DispatchFailure({ type: 'CannotLookup' });
}

const isDead = (a: AccountInfo): boolean => a.providers === 0 && a.sufficients === 0;

/** Credits `amount` to `who`, creating the account (NewAccount, Endowed) if it did not exist. */
export function credit(state: Overlay, who: Uint8Array, amount: bigint): void {
  const acc = readAccount(state, who);
  if (isDead(acc)) {
    if (amount < EXISTENTIAL_DEPOSIT) throw tokenError('BelowMinimum');
    writeAccount(state, who, { ...acc, providers: 1, data: { ...acc.data, free: amount } });
    depositEvent({ state }, system, 'NewAccount', { account: who });
    depositEvent({ state }, balances, 'Endowed', { account: who, free_balance: amount });
    return;
  }
  writeAccount(state, who, { ...acc, data: { ...acc.data, free: acc.data.free + amount } });
}

/**
 * Debits `amount` from `who`. keepAlive: the account must keep the existential deposit.
 * Otherwise a remainder below it is dust: lost, and the account is reaped.
 */
export function debit(state: Overlay, who: Uint8Array, amount: bigint, keepAlive: boolean): void {
  const acc = readAccount(state, who);
  const usable = acc.data.free - acc.data.frozen;
  if (amount > usable) throw tokenError('FundsUnavailable');
  const rest = acc.data.free - amount;
  if (rest + acc.data.reserved < EXISTENTIAL_DEPOSIT) {
    if (keepAlive || acc.consumers > 0) throw tokenError('FundsUnavailable');
    writeAccount(state, who, { ...acc, providers: 0, data: { ...acc.data, free: 0n } });
    depositEvent({ state }, system, 'KilledAccount', { account: who });
    if (rest > 0n) {
      depositEvent({ state }, balances, 'DustLost', { account: who, amount: rest });
      TotalIssuance.set(state, TotalIssuance.read(state) - rest);
    }
    return;
  }
  writeAccount(state, who, { ...acc, data: { ...acc.data, free: rest } });
}

export function transfer(state: Overlay, from: Uint8Array, to: Uint8Array, amount: bigint, keepAlive: boolean): void {
  if (amount === 0n || bytesEqual(from, to)) return;
  debit(state, from, amount, keepAlive);
  credit(state, to, amount);
  depositEvent({ state }, balances, 'Transfer', { from, to, amount });
}

/** Sets the free balance directly (root calls); below the existential deposit the account is reaped. */
function setFree(state: Overlay, who: Uint8Array, newFree: bigint): void {
  const acc = readAccount(state, who);
  const free = newFree < EXISTENTIAL_DEPOSIT ? 0n : newFree;
  TotalIssuance.set(state, TotalIssuance.read(state) - acc.data.free + free);
  if (isDead(acc) && free > 0n) {
    writeAccount(state, who, { ...acc, providers: 1, data: { ...acc.data, free } });
    depositEvent({ state }, system, 'NewAccount', { account: who });
    depositEvent({ state }, balances, 'Endowed', { account: who, free_balance: free });
  } else if (!isDead(acc) && free === 0n && acc.data.reserved === 0n) {
    writeAccount(state, who, { ...acc, providers: 0, data: { ...acc.data, free: 0n } });
    depositEvent({ state }, system, 'KilledAccount', { account: who });
  } else if (!isDead(acc)) {
    writeAccount(state, who, { ...acc, data: { ...acc.data, free } });
  }
  depositEvent({ state }, balances, 'BalanceSet', { who, free });
}

const TRANSFER = { weight: () => weight(59_000_000, 3_593) };

export const balancesPallet: PalletImpl = {
  decl: balances,
  meta: {
    transfer_allow_death: TRANSFER,
    transfer: TRANSFER,
    transfer_keep_alive: { weight: () => weight(47_000_000, 3_593) },
    transfer_all: { weight: () => weight(56_000_000, 3_593) },
    force_transfer: { weight: () => weight(60_000_000, 6_196) },
    force_set_balance: { weight: () => weight(17_000_000, 3_593) },
    set_balance_deprecated: { weight: () => weight(17_000_000, 3_593) },
    force_unreserve: { weight: () => weight(17_000_000, 3_593) },
    upgrade_accounts: { weight: (a: { who: unknown[] }) => weight(17_000_000 * Math.max(1, a.who.length), 3_593) },
  },
  calls: {
    transfer_allow_death(ctx, a: { dest: Enum; value: bigint }) {
      transfer(ctx.state, ensureSigned(ctx.origin), lookup(a.dest), a.value, false);
    },
    transfer(ctx, a: { dest: Enum; value: bigint }) {
      transfer(ctx.state, ensureSigned(ctx.origin), lookup(a.dest), a.value, false);
    },
    transfer_keep_alive(ctx, a: { dest: Enum; value: bigint }) {
      transfer(ctx.state, ensureSigned(ctx.origin), lookup(a.dest), a.value, true);
    },
    transfer_all(ctx, a: { dest: Enum; keep_alive: boolean }) {
      const from = ensureSigned(ctx.origin);
      const acc = readAccount(ctx.state, from);
      const usable = acc.data.free - acc.data.frozen;
      const amount = a.keep_alive ? usable - EXISTENTIAL_DEPOSIT : usable;
      if (amount > 0n) transfer(ctx.state, from, lookup(a.dest), amount, a.keep_alive);
    },
    force_transfer(ctx, a: { source: Enum; dest: Enum; value: bigint }) {
      ensureRoot(ctx.origin);
      transfer(ctx.state, lookup(a.source), lookup(a.dest), a.value, false);
    },
    force_set_balance(ctx, a: { who: Enum; new_free: bigint }) {
      ensureRoot(ctx.origin);
      setFree(ctx.state, lookup(a.who), a.new_free);
    },
    set_balance_deprecated(ctx, a: { who: Enum; new_free: bigint }) {
      ensureRoot(ctx.origin);
      setFree(ctx.state, lookup(a.who), a.new_free);
    },
    force_unreserve(ctx, a: { who: Enum; amount: bigint }) {
      ensureRoot(ctx.origin);
      const who = lookup(a.who);
      const acc = readAccount(ctx.state, who);
      const amount = a.amount < acc.data.reserved ? a.amount : acc.data.reserved;
      if (amount === 0n) return;
      writeAccount(ctx.state, who, { ...acc, data: { ...acc.data, free: acc.data.free + amount, reserved: acc.data.reserved - amount } });
      depositEvent(ctx, balances, 'Unreserved', { who, amount });
    },
    upgrade_accounts(ctx, a: { who: Uint8Array[] }) {
      ensureSigned(ctx.origin);
      // Every account of this chain was created with the new balance logic: nothing to upgrade.
      void a;
    },
  },
};

/** Fee handling of `CurrencyAdapter<Balances, DealWithFees>`: withdraw keeping the account alive. */
export function withdrawFee(state: Overlay, who: Uint8Array, fee: bigint): boolean {
  if (fee === 0n) return true;
  const acc = readAccount(state, who);
  if (acc.providers === 0 || acc.data.free - fee < EXISTENTIAL_DEPOSIT || acc.data.free - acc.data.frozen < fee) return false;
  writeAccount(state, who, { ...acc, data: { ...acc.data, free: acc.data.free - fee } });
  depositEvent({ state }, balances, 'Withdraw', { who, amount: fee });
  return true;
}

/** Refunds the unused part of a fee to the payer. */
export function refundFee(state: Overlay, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  const acc = readAccount(state, who);
  if (acc.providers === 0) return;
  writeAccount(state, who, { ...acc, data: { ...acc.data, free: acc.data.free + amount } });
  depositEvent({ state }, balances, 'Deposit', { who, amount });
}

/** DealWithFees: the block author receives the fee (dropped where it cannot create the account). */
export function payAuthor(state: Overlay, author: Uint8Array, fee: bigint): void {
  if (fee === 0n) return;
  const acc = readAccount(state, author);
  if (isDead(acc)) {
    if (fee < EXISTENTIAL_DEPOSIT) {
      TotalIssuance.set(state, TotalIssuance.read(state) - fee);
      return;
    }
    writeAccount(state, author, { ...acc, providers: 1, data: { ...acc.data, free: fee } });
    depositEvent({ state }, system, 'NewAccount', { account: author });
    depositEvent({ state }, balances, 'Endowed', { account: author, free_balance: fee });
    return;
  }
  writeAccount(state, author, { ...acc, data: { ...acc.data, free: acc.data.free + fee } });
  depositEvent({ state }, balances, 'Deposit', { who: author, amount: fee });
}
