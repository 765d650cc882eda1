/**
 * The executive: dispatches calls transactionally, validates transactions as the signed
 * extensions do, and applies them with fees, nonces and the System events clients expect.
 */
import type { Overlay, StateReader } from '../state/overlay';
import { ScaleError } from '../scale/io';
import type { Enum } from '../scale/codec';
import { additionalSigned, eraBirth, eraDeath, readExtra, signingPayload, type DecodedExtrinsic } from '../pallets/definition/extrinsic';
import { payAuthor, refundFee, withdrawFee } from '../pallets/balances';
import { incNonce, readAccount, system } from '../pallets/system';
import { palletDecl } from '../pallets/decls';
import {
  DispatchFailure,
  callInfo,
  depositEvent,
  type BlockEnv,
  type DispatchInfo,
  type Origin,
  type PalletImpl,
  type PostInfo,
  type Weight,
} from '../pallets/dispatch';
import { partialFee } from './fees';

const transactionPayment = palletDecl('TransactionPayment');

/** Why a transaction is refused before it enters a block (Substrate's TransactionValidityError). */
export type InvalidReason =
  | 'Call'
  | 'Payment'
  | 'Future'
  | 'Stale'
  | 'BadProof'
  | 'AncientBirthBlock'
  | 'ExhaustsResources'
  | 'BadSigner'
  | 'CannotLookup'
  | 'NoUnsignedValidator';

export class InvalidTransaction extends Error {
  constructor(readonly code: InvalidReason) {
    super(code);
    this.name = 'InvalidTransaction';
  }
}

export interface ChainIdentity {
  specVersion: number;
  transactionVersion: number;
  genesisHash: Uint8Array;
}

export interface Validity {
  signer: Uint8Array;
  nonce: number;
  info: DispatchInfo;
  fee: bigint;
  priority: bigint;
  /** Last block (inclusive) in which a mortal transaction may be included. */
  validTill: number;
}

/** Max weight of one normal extrinsic, from the BlockWeights constant (75 % of 2 s minus base). */
export const MAX_EXTRINSIC_REF_TIME = 1_499_875_586_000n;

export type DispatchResult = { ok: true; post: PostInfo } | { ok: false; error: Enum };

export class Executive {
  readonly #pallets = new Map<string, PalletImpl>();

  constructor(pallets: PalletImpl[]) {
    for (const p of pallets) this.#pallets.set(p.decl.name, p);
  }

  #resolve(call: Enum): { pallet: PalletImpl; name: string; args: unknown } {
    const pallet = this.#pallets.get(call.type);
    const inner = call.value as Enum;
    const impl = pallet?.calls[inner.type];
    // A call declared in the metadata but not implemented here fails honestly rather than pretending.
    if (!pallet || !impl) throw new DispatchFailure({ type: 'Unavailable' }, `${call.type}.${inner.type} is not implemented`);
    return { pallet, name: inner.type, args: inner.value };
  }

  /** Runs every pallet's hook of this kind in its own layer; a failing hook leaves nothing behind. */
  runHooks(state: Overlay, block: BlockEnv, kind: 'onInitialize' | 'onFinalize'): void {
    for (const pallet of this.#pallets.values()) {
      // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the pallet as `this` (hook.call)
      const hook = pallet[kind];
      if (!hook) continue;
      const layer = state.child();
      const ctx = {
        state: layer,
        origin: { type: 'None' } as Origin,
        block,
        dispatch: (c: Enum, o: Origin) => this.dispatch(layer, block, c, o),
      };
      try {
        hook.call(pallet, ctx);
        layer.commitInto(state);
      } catch (e) {
        if (!(e instanceof DispatchFailure)) throw e;
      }
    }
  }

  /** Genesis state of every pallet that has one. */
  genesis(state: Overlay, config: Record<string, unknown>): void {
    for (const pallet of this.#pallets.values()) pallet.genesis?.(state, config);
  }

  info(call: Enum): DispatchInfo {
    const pallet = this.#pallets.get(call.type);
    const inner = call.value as Enum;
    if (!pallet) return { weight: { refTime: 200_000_000n, proofSize: 0n }, class: 'Normal', paysFee: 'Yes' };
    return callInfo(pallet, inner.type, inner.value);
  }

  /** Runs a call in its own layer over `state`: committed on success, dropped on failure. */
  dispatch(state: Overlay, block: BlockEnv, call: Enum, origin: Origin): DispatchResult {
    const layer = state.child();
    try {
      const { pallet, name, args } = this.#resolve(call);
      const ctx = { state: layer, origin, block, dispatch: (c: Enum, o: Origin) => this.dispatch(layer, block, c, o) };
      const post = pallet.calls[name]!(ctx, args) ?? {};
      layer.commitInto(state);
      return { ok: true, post };
    } catch (e) {
      if (e instanceof DispatchFailure) return { ok: false, error: e.error };
      if (e instanceof ScaleError) return { ok: false, error: { type: 'Other' } };
      throw e;
    }
  }

  /**
   * What the signer must have signed (CheckSpecVersion, CheckTxVersion, CheckGenesis and
   * CheckMortality's additional data); refuses unsigned and ancient transactions first.
   */
  signedPayload(x: DecodedExtrinsic, current: number, id: ChainIdentity, blockHash: (n: number) => Uint8Array | undefined): Uint8Array {
    const birthHash = this.#birthHash(x, current, id, blockHash);
    return signingPayload(x, additionalSigned(id.specVersion, id.transactionVersion, id.genesisHash, birthHash));
  }

  /** CheckNonZeroSender and CheckMortality: the hash of the block the transaction was born in. */
  #birthHash(x: DecodedExtrinsic, current: number, id: ChainIdentity, blockHash: (n: number) => Uint8Array | undefined): Uint8Array {
    if (!x.signature || !x.signer) throw new InvalidTransaction('NoUnsignedValidator');
    if (x.signer.every((b) => b === 0)) throw new InvalidTransaction('BadSigner');
    const { era } = readExtra(x.signature.extra);
    const birthHash = era.type === 'Immortal' ? id.genesisHash : blockHash(eraBirth(era, current));
    if (!birthHash) throw new InvalidTransaction('AncientBirthBlock');
    return birthHash;
  }

  /**
   * The signed extensions' validation against `state` as of block `current - 1`, for a
   * transaction whose signature was already checked against `signedPayload`.
   */
  validate(
    state: StateReader,
    x: DecodedExtrinsic,
    current: number,
    id: ChainIdentity,
    blockHash: (n: number) => Uint8Array | undefined,
  ): Validity {
    this.#birthHash(x, current, id, blockHash);
    const signer = x.signer!;
    const { era, nonce, tip } = readExtra(x.signature!.extra);
    const account = readAccount(state as Overlay, signer);
    if (nonce < account.nonce) throw new InvalidTransaction('Stale');
    const info = this.info(x.call);
    if (info.weight.refTime > MAX_EXTRINSIC_REF_TIME) throw new InvalidTransaction('ExhaustsResources');
    const fee = partialFee(x.bytes.length, info) + tip;
    // Fee payment is checked now only when the account could pay at its current nonce.
    if (nonce === account.nonce && !canPay(state, signer, info.paysFee === 'No' ? 0n : fee)) throw new InvalidTransaction('Payment');
    // The last block of a mortal era; an immortal one never ends.
    const validTill = era.type === 'Immortal' ? Number.MAX_SAFE_INTEGER : eraDeath(era, current) - 1;
    return { signer, nonce, info, fee, priority: tip, validTill };
  }

  /**
   * Applies a validated transaction at position `index` of the block: nonce, fee, dispatch,
   * refund, fee to the author, and ExtrinsicSuccess/ExtrinsicFailed — all in `block` state.
   */
  applySigned(state: Overlay, env: BlockEnv, x: DecodedExtrinsic, v: Validity): DispatchResult {
    const signer = x.signer!;
    const { tip } = readExtra(x.signature!.extra);
    incNonce(state, signer);
    const charged = v.info.paysFee === 'No' ? tip : v.fee;
    if (!withdrawFee(state, signer, charged)) throw new InvalidTransaction('Payment');
    const result = this.dispatch(state, env, x.call, { type: 'Signed', who: signer });
    const post = result.ok ? result.post : {};
    const actualWeight = minWeight(v.info.weight, post.actualWeight);
    const pays = post.paysFee ?? v.info.paysFee;
    const actual = pays === 'No' ? tip : partialFee(x.bytes.length, { ...v.info, weight: actualWeight, paysFee: pays }) + tip;
    const fee = actual < charged ? actual : charged;
    refundFee(state, signer, charged - fee);
    payAuthor(state, env.author, fee);
    depositEvent({ state }, transactionPayment, 'TransactionFeePaid', { who: signer, actual_fee: fee, tip });
    const dispatchInfo = { weight: wire(actualWeight), class: { type: v.info.class }, pays_fee: { type: pays } };
    if (result.ok) depositEvent({ state }, system, 'ExtrinsicSuccess', { dispatch_info: dispatchInfo });
    else depositEvent({ state }, system, 'ExtrinsicFailed', { dispatch_error: result.error, dispatch_info: dispatchInfo });
    return result;
  }

  /** Applies an inherent (unsigned, None origin), e.g. the timestamp. */
  applyInherent(state: Overlay, env: BlockEnv, call: Enum): DispatchResult {
    const info = this.info(call);
    const result = this.dispatch(state, env, call, { type: 'None' });
    const dispatchInfo = { weight: wire(info.weight), class: { type: info.class }, pays_fee: { type: info.paysFee } };
    if (result.ok) depositEvent({ state }, system, 'ExtrinsicSuccess', { dispatch_info: dispatchInfo });
    else depositEvent({ state }, system, 'ExtrinsicFailed', { dispatch_error: result.error, dispatch_info: dispatchInfo });
    return result;
  }
}

function canPay(state: StateReader, who: Uint8Array, fee: bigint): boolean {
  const acc = readAccount(state as Overlay, who);
  return fee === 0n || (acc.providers > 0 && acc.data.free - fee >= 500n && acc.data.free - acc.data.frozen >= fee);
}

function minWeight(declared: Weight, actual?: Weight): Weight {
  if (!actual) return declared;
  return {
    refTime: actual.refTime < declared.refTime ? actual.refTime : declared.refTime,
    proofSize: actual.proofSize < declared.proofSize ? actual.proofSize : declared.proofSize,
  };
}

/** Weight as the metadata's `sp_weights::weight_v2::Weight` struct. */
export const wire = (w: Weight): { ref_time: bigint; proof_size: bigint } => ({ ref_time: w.refTime, proof_size: w.proofSize });
