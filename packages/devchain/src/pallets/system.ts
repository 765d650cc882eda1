/** frame_system: accounts and their nonces, block bookkeeping, events, root storage calls. */
import { blake2_256 } from '../crypto/hashing';
import type { Overlay } from '../state/overlay';
import { DispatchFailure, depositEvent, ensureRoot, ensureSigned, moduleError, weight, type PalletImpl } from './dispatch';
import { storageOf } from './storage';
import { keyOf } from '../util/hex';
import { palletDecl } from './decls';

export const system = palletDecl('System');

export interface AccountData {
  free: bigint;
  reserved: bigint;
  frozen: bigint;
  flags: bigint;
}

export interface AccountInfo {
  nonce: number;
  consumers: number;
  providers: number;
  sufficients: number;
  data: AccountData;
}

/** pallet_balances' IS_NEW_LOGIC flag: every account created by this runtime carries it. */
export const NEW_LOGIC_FLAG = 1n << 127n;

export const Account = storageOf<AccountInfo, [Uint8Array]>(system, 'Account');
export const Number_ = storageOf<number, []>(system, 'Number');
export const ParentHash = storageOf<Uint8Array, []>(system, 'ParentHash');
export const BlockHash = storageOf<Uint8Array, [number]>(system, 'BlockHash');
export const Events = storageOf<unknown[], []>(system, 'Events');
export const EventCount = storageOf<number, []>(system, 'EventCount');
export const Digest = storageOf<{ logs: unknown[] }, []>(system, 'Digest');
export const ExtrinsicCount = storageOf<number, []>(system, 'ExtrinsicCount');
export const AllExtrinsicsLen = storageOf<number, []>(system, 'AllExtrinsicsLen');
export const BlockWeight = storageOf<unknown, []>(system, 'BlockWeight');
export const LastRuntimeUpgrade = storageOf<{ spec_version: number; spec_name: string }, []>(system, 'LastRuntimeUpgrade');
export const UpgradedToU32RefCount = storageOf<boolean, []>(system, 'UpgradedToU32RefCount');
export const UpgradedToTripleRefCount = storageOf<boolean, []>(system, 'UpgradedToTripleRefCount');

export function emptyAccount(): AccountInfo {
  return { nonce: 0, consumers: 0, providers: 0, sufficients: 0, data: { free: 0n, reserved: 0n, frozen: 0n, flags: NEW_LOGIC_FLAG } };
}

export function readAccount(state: Overlay | { get(k: string): Uint8Array | undefined }, who: Uint8Array): AccountInfo {
  return (Account.get(state as Overlay, who) as AccountInfo | undefined) ?? emptyAccount();
}

/** Writes the account, or removes it when nothing provides for it any more (the account is reaped). */
export function writeAccount(state: Overlay, who: Uint8Array, info: AccountInfo): void {
  if (info.providers === 0 && info.sufficients === 0) Account.remove(state, who);
  else Account.set(state, info, who);
}

export function incNonce(state: Overlay, who: Uint8Array): void {
  const info = readAccount(state, who);
  writeAccount(state, who, { ...info, nonce: info.nonce + 1 });
}

const heapPagesKey = keyOf(new TextEncoder().encode(':heappages'));

export const systemPallet: PalletImpl = {
  decl: system,
  meta: {
    remark: { weight: (a: { remark: Uint8Array }) => weight(2_000_000 + a.remark.length * 400) },
    remark_with_event: { weight: (a: { remark: Uint8Array }) => weight(9_000_000 + a.remark.length * 1_400) },
    set_heap_pages: { class: 'Operational' },
    set_code: { class: 'Operational' },
    set_code_without_checks: { class: 'Operational' },
    set_storage: { class: 'Operational' },
    kill_storage: { class: 'Operational' },
    kill_prefix: { class: 'Operational' },
  },
  calls: {
    remark(ctx) {
      ensureSigned(ctx.origin);
    },
    remark_with_event(ctx, a: { remark: Uint8Array }) {
      const sender = ensureSigned(ctx.origin);
      depositEvent(ctx, system, 'Remarked', { sender, hash: blake2_256(a.remark) });
    },
    set_heap_pages(ctx, a: { pages: bigint }) {
      ensureRoot(ctx.origin);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, a.pages, true);
      ctx.state.set(heapPagesKey, b);
    },
    // The dev chain runs its runtime natively: there is no wasm to swap in.
    set_code(ctx) {
      ensureRoot(ctx.origin);
      throw moduleError(system, 'FailedToExtractRuntimeVersion');
    },
    set_code_without_checks(ctx) {
      ensureRoot(ctx.origin);
      throw moduleError(system, 'FailedToExtractRuntimeVersion');
    },
    set_storage(ctx, a: { items: [Uint8Array, Uint8Array][] }) {
      ensureRoot(ctx.origin);
      for (const [k, v] of a.items) ctx.state.set(keyOf(k), v);
    },
    kill_storage(ctx, a: { keys: Uint8Array[] }) {
      ensureRoot(ctx.origin);
      for (const k of a.keys) ctx.state.delete(keyOf(k));
    },
    kill_prefix(ctx, a: { prefix: Uint8Array; subkeys: number }) {
      ensureRoot(ctx.origin);
      for (const k of ctx.state.keys(keyOf(a.prefix))) ctx.state.delete(k);
    },
  },
};

export { DispatchFailure };
