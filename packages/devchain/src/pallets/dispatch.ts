/** What a pallet's call sees and returns: origin, state, events, errors, weights. */
import type { Overlay } from '../state/overlay';
import type { Enum } from '../scale/codec';
import { activePalletIndex } from './definition/outer';
import type { PalletDecl } from './definition/types';

export type Origin =
  | { type: 'Root' }
  | { type: 'Signed'; who: Uint8Array }
  | { type: 'None' }
  /** pallet_collective::RawOrigin: Members(yes, seats) or Member(account). */
  | { type: 'Council'; members?: { yes: number; seats: number }; member?: Uint8Array };

export interface Weight {
  refTime: bigint;
  proofSize: bigint;
}

export type DispatchClass = 'Normal' | 'Operational' | 'Mandatory';
export type Pays = 'Yes' | 'No';

export interface DispatchInfo {
  weight: Weight;
  class: DispatchClass;
  paysFee: Pays;
}

/** What a call may return to correct its weight or waive its fee after running. */
export interface PostInfo {
  actualWeight?: Weight;
  paysFee?: Pays;
}

/** A dispatch that failed: carries the `sp_runtime::DispatchError` value. */
export class DispatchFailure extends Error {
  constructor(
    readonly error: Enum,
    message?: string,
  ) {
    super(message ?? describeDispatchError(error));
  }
}

export function describeDispatchError(e: Enum): string {
  if (e.type === 'Module') {
    const v = e.value as { index: number; error: Uint8Array };
    return `Module(${v.index}, ${v.error[0]})`;
  }
  return e.value === undefined ? e.type : `${e.type}(${JSON.stringify((e.value as Enum).type ?? e.value)})`;
}

export interface BlockEnv {
  number: number;
  /** Milliseconds since the epoch, as set by the timestamp inherent of this block. */
  timestamp: bigint;
  parentHash: Uint8Array;
  /** The dev block author: receives transaction fees as the real runtime's DealWithFees does. */
  author: Uint8Array;
}

export interface DispatchContext {
  state: Overlay;
  origin: Origin;
  block: BlockEnv;
  /** Dispatches a nested RuntimeCall (batches, council motions) as a transactional unit. */
  dispatch(call: Enum, origin: Origin): { ok: true; post: PostInfo } | { ok: false; error: Enum };
}

export type CallImpl = (ctx: DispatchContext, args: any) => void | PostInfo;

export interface CallMeta {
  weight?: (args: any) => Weight;
  class?: DispatchClass;
  pays?: Pays;
}

export interface PalletImpl {
  decl: PalletDecl;
  calls: Record<string, CallImpl>;
  /** Weight, class and fee of each call; calls not listed get a default weight, Normal, Pays::Yes. */
  meta?: Record<string, CallMeta>;
  /** Runs at the start of every block, before the inherents (events in phase Initialization). */
  onInitialize?(ctx: DispatchContext): void;
  /** Runs after the block's extrinsics (events in phase Finalization). */
  onFinalize?(ctx: DispatchContext): void;
  /** Writes the pallet's genesis state from the chain spec's `genesis` section. */
  genesis?(state: Overlay, config: Record<string, unknown>): void;
}

const DEFAULT_WEIGHT: Weight = { refTime: 200_000_000n, proofSize: 10_000n };

export const weight = (refTime: number, proofSize = 0): Weight => ({ refTime: BigInt(refTime), proofSize: BigInt(proofSize) });

export function callInfo(pallet: PalletImpl, call: string, args: unknown): DispatchInfo {
  const m = pallet.meta?.[call];
  return { weight: m?.weight?.(args) ?? DEFAULT_WEIGHT, class: m?.class ?? 'Normal', paysFee: m?.pays ?? 'Yes' };
}

/** `DispatchError::Module` for the named error of a pallet, by its position in the metadata. */
export function moduleError(pallet: PalletDecl, name: string, message?: string): DispatchFailure {
  const def = pallet.errors?.info.def;
  const variant = def?.kind === 'variant' ? def.variants.find((v) => v.name === name) : undefined;
  if (!variant) throw new Error(`${pallet.name} has no error ${name}`);
  return new DispatchFailure(
    { type: 'Module', value: { index: activePalletIndex(pallet), error: Uint8Array.of(variant.index, 0, 0, 0) } },
    message ?? `${pallet.name}.${name}`,
  );
}

export const badOrigin = (): DispatchFailure => new DispatchFailure({ type: 'BadOrigin' });
export const tokenError = (kind: string): DispatchFailure => new DispatchFailure({ type: 'Token', value: { type: kind } });
export const arithmeticError = (kind: 'Underflow' | 'Overflow' | 'DivisionByZero'): DispatchFailure =>
  new DispatchFailure({ type: 'Arithmetic', value: { type: kind } });

export function ensureSigned(origin: Origin): Uint8Array {
  if (origin.type !== 'Signed') throw badOrigin();
  return origin.who;
}

export function ensureRoot(origin: Origin): void {
  if (origin.type !== 'Root') throw badOrigin();
}

/** TFChain's `EnsureRootOrCouncilApproval`: root, or a council motion with at least 3/5 ayes. */
export function ensureRootOrCouncil(origin: Origin): void {
  if (origin.type === 'Root') return;
  if (origin.type === 'Council' && origin.members && origin.members.yes * 5 >= 3 * origin.members.seats) return;
  throw badOrigin();
}

/** Deposits a pallet event into the current transactional layer. */
export function depositEvent(ctx: { state: Overlay }, pallet: PalletDecl, name: string, value?: unknown): void {
  ctx.state.deposit({ type: pallet.name, value: value === undefined ? { type: name } : { type: name, value } });
}
