/** The chain's errors for refused transactions. */
import { decodeExtrinsic, ExtrinsicError, type DecodedExtrinsic, type ExtrinsicErrorCode } from '../pallets/definition/extrinsic';
import { ChainError } from './error';

/** A transaction the runtime refuses, by sp_runtime's TransactionValidityError reason. */
export function invalidTransaction(reason: string): ChainError {
  return new ChainError('InvalidTransaction', reason);
}

/** The chain's answer to each kind of bytes that are not an extrinsic it takes, as Substrate gives it. */
const REFUSAL: Record<ExtrinsicErrorCode, (e: ExtrinsicError) => ChainError> = {
  BadFormat: (e) => new ChainError('BadFormat', e.message),
  CannotDecode: (e) => new ChainError('CannotDecodeCall', e.message),
  CannotLookup: () => invalidTransaction('CannotLookup'),
};

/** Decodes a submitted extrinsic, turning each kind of bad input into the error Substrate gives. */
export function decodeSubmitted(bytes: Uint8Array): DecodedExtrinsic {
  try {
    return decodeExtrinsic(bytes);
  } catch (e) {
    if (e instanceof ExtrinsicError) throw REFUSAL[e.code](e);
    throw e;
  }
}
