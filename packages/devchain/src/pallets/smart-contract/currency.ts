/**
 * The `ReservableCurrency` operations billing uses (pallet_balances' rules): reserve, move
 * reserved funds to a beneficiary, and the usable balance the pallet computes itself.
 */
import type { Overlay, StateReader } from '../../state/overlay';
import { depositEvent } from '../dispatch';
import { balances, credit, EXISTENTIAL_DEPOSIT, TotalIssuance } from '../balances';
import { readAccount, writeAccount, type AccountInfo } from '../system';

const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

/** `get_usable_balance`: free − max(existential deposit, frozen), never negative. */
export function usableBalance(state: StateReader, who: Uint8Array): bigint {
  const acc = readAccount(state as Overlay, who);
  const usable = acc.data.free - max(EXISTENTIAL_DEPOSIT, acc.data.frozen);
  return usable > 0n ? usable : 0n;
}

/** `can_reserve`: what is left free stays at least the existential deposit and the frozen amount. */
export function canReserve(state: StateReader, who: Uint8Array, amount: bigint): boolean {
  if (amount === 0n) return true;
  const acc = readAccount(state as Overlay, who);
  const rest = acc.data.free - amount;
  return rest >= EXISTENTIAL_DEPOSIT && rest >= acc.data.frozen;
}

/** Reserved or frozen funds hold a consumer reference on the account (pallet_balances' new logic). */
function withConsumer(before: AccountInfo, after: AccountInfo): AccountInfo {
  const did = before.data.reserved > 0n || before.data.frozen > 0n;
  const does = after.data.reserved > 0n || after.data.frozen > 0n;
  if (did === does) return after;
  return { ...after, consumers: after.consumers + (does ? 1 : -1) };
}

/** Moves `amount` from free to reserved (callers check `canReserve` first). */
export function reserve(state: Overlay, who: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  const acc = readAccount(state, who);
  const next = { ...acc, data: { ...acc.data, free: acc.data.free - amount, reserved: acc.data.reserved + amount } };
  writeAccount(state, who, withConsumer(acc, next));
  depositEvent({ state }, balances, 'Reserved', { who, amount });
}

/**
 * The pallet's `transfer_reserved`: `repatriate_reserved` to an existing account, else
 * `slash_reserved` + `resolve_creating` (lost if below the existential deposit). Answers what
 * could not be taken from the reserve.
 */
export function transferReserved(state: Overlay, from: Uint8Array, to: Uint8Array, amount: bigint): bigint {
  if (amount === 0n) return 0n;
  const src = readAccount(state, from);
  const actual = amount < src.data.reserved ? amount : src.data.reserved;
  const next = { ...src, data: { ...src.data, reserved: src.data.reserved - actual } };
  writeAccount(state, from, withConsumer(src, next));
  const dst = readAccount(state, to);
  if (dst.providers > 0 || dst.sufficients > 0) {
    writeAccount(state, to, { ...dst, data: { ...dst.data, free: dst.data.free + actual } });
    depositEvent({ state }, balances, 'ReserveRepatriated', { from, to, amount: actual, destination_status: { type: 'Free' } });
  } else {
    depositEvent({ state }, balances, 'Slashed', { who: from, amount: actual });
    if (actual >= EXISTENTIAL_DEPOSIT) {
      credit(state, to, actual);
      depositEvent({ state }, balances, 'Deposit', { who: to, amount: actual });
    } else {
      // The negative imbalance of the slash is dropped: the amount leaves the issuance.
      TotalIssuance.set(state, TotalIssuance.read(state) - actual);
    }
  }
  return amount - actual;
}
