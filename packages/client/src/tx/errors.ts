/** Typed failures: a dispatch error named from the metadata, and a node's refusal. */
import type { DispatchError } from '@polkadot/types/interfaces';

/** The call ran and failed (System.ExtrinsicFailed): e.g. `TfgridModule.TwinWithPubkeyExists`. */
export class ChainError extends Error {
  override name = 'ChainError';
  constructor(
    /** Pallet name as in the metadata (`TfgridModule`), or the dispatch error kind for non-module errors. */
    readonly pallet: string,
    /** Error variant (`TwinWithPubkeyExists`), or the kind again (`BadOrigin`). */
    readonly error: string,
    /** The metadata's documentation of the error (may be empty). */
    readonly docs: string,
    /** The extrinsic hash. */
    readonly txHash?: string,
  ) {
    super(`${pallet}.${error}${docs ? `: ${docs}` : ''}`);
  }
  /** `Pallet.Error`. */
  get fullName(): string {
    return `${this.pallet}.${this.error}`;
  }
}

/**
 * Why the node refused a transaction: Substrate's `InvalidTransaction` and `UnknownTransaction`
 * variants (`Payment`: the fee cannot be paid; `Stale`: the nonce is used; …).
 */
export type RefusalKind =
  | 'Call'
  | 'Payment'
  | 'Future'
  | 'Stale'
  | 'BadProof'
  | 'AncientBirthBlock'
  | 'ExhaustsResources'
  | 'BadMandatory'
  | 'MandatoryValidation'
  | 'BadSigner'
  | 'CannotLookup'
  | 'NoUnsignedValidator';

/**
 * The variant's words as a node's JSON-RPC error carries them in `data` (sp_runtime's Display of
 * the variant, its only form on the wire); the start is matched, as nodes add detail after it.
 */
const REFUSAL_WORDS: readonly [string, RefusalKind][] = [
  ['Transaction call is not expected', 'Call'],
  ['Inability to pay some fees', 'Payment'],
  ['Transaction will be valid in the future', 'Future'],
  ['Transaction is outdated', 'Stale'],
  ['Transaction has a bad signature', 'BadProof'],
  ['Transaction has an ancient birth block', 'AncientBirthBlock'],
  ['Transaction would exhaust the block limits', 'ExhaustsResources'],
  ['A call was labelled as mandatory, but resulted in an Error.', 'BadMandatory'],
  ['Transaction dispatch is mandatory; transactions must not be validated.', 'MandatoryValidation'],
  ['Invalid signing address', 'BadSigner'],
  ['Could not lookup information required to validate the transaction', 'CannotLookup'],
  ['Could not find an unsigned validator for the unsigned transaction', 'NoUnsignedValidator'],
];

/** The refusal's kind from the node's `data` (1010 and 1011 errors; without data, the reason after its first colon), else undefined. */
function refusalKind(code: number, reason: string, data: unknown): RefusalKind | undefined {
  if (code !== 1010 && code !== 1011) return undefined;
  const words = typeof data === 'string' ? data : reason.slice(reason.indexOf(':') + 1).trimStart();
  return REFUSAL_WORDS.find(([w]) => words.startsWith(w))?.[1];
}

/** The node refused the transaction before it entered a block (JSON-RPC error, e.g. 1010). */
export class InvalidTransactionError extends Error {
  override name = 'InvalidTransactionError';
  /** Substrate's reason for a 1010 or 1011 refusal, when it is one of theirs: decide on this, not on `reason`'s words. */
  readonly kind: RefusalKind | undefined;
  constructor(
    readonly code: number,
    /** The node's reason, e.g. 'Invalid Transaction: Inability to pay some fees , e.g. account balance too low'. */
    readonly reason: string,
    readonly data?: unknown,
  ) {
    super(`${code}: ${reason}`);
    this.kind = refusalKind(code, reason, data);
  }
}

/** A JSON-RPC refusal from @polkadot/rpc-provider (has a numeric `code`), as opposed to a transport failure. */
export function asRefusal(err: unknown): InvalidTransactionError | undefined {
  const e = err as { code?: unknown; message?: unknown; data?: unknown };
  if (!e || typeof e.code !== 'number' || typeof e.message !== 'string') return undefined;
  // rpc-provider formats `${code}: ${message}: ${data, with its parentheses mangled}`; rebuild the
  // node's own words from the untouched `data`.
  let message = e.message.replace(/^-?\d+:\s*/, '');
  if (e.data !== undefined) {
    const cut = message.indexOf(': ');
    if (cut >= 0) message = message.slice(0, cut);
  }
  const reason = typeof e.data === 'string' ? `${message}: ${e.data}` : message;
  return new InvalidTransactionError(e.code, reason, e.data);
}

/** Names a DispatchError through the metadata. */
export function chainErrorOf(dispatchError: DispatchError, txHash?: string): ChainError {
  if (dispatchError.isModule) {
    const mod = dispatchError.asModule;
    // Named with the registry that decoded the error (that of the block's runtime version): after
    // an upgrade that moved pallets, the API's current metadata would name another pallet.
    const registry = dispatchError.registry;
    const meta = registry.findMetaError(mod);
    const index = mod.index.toNumber();
    const pallet = registry.metadata.pallets.find((p) => p.index.toNumber() === index);
    return new ChainError(pallet ? pallet.name.toString() : meta.section, meta.name, meta.docs.join(' ').trim(), txHash);
  }
  if (dispatchError.isToken) return new ChainError('Token', dispatchError.asToken.type, '', txHash);
  if (dispatchError.isArithmetic) return new ChainError('Arithmetic', dispatchError.asArithmetic.type, '', txHash);
  return new ChainError(dispatchError.type, dispatchError.type, '', txHash);
}
