/** The chain's errors for refused transactions. */
import { BadFormat, CannotDecode, LookupFailed, decodeExtrinsic, type DecodedExtrinsic } from '../runtime/extrinsic';
import { ChainError } from './error';

/** A transaction the runtime refuses, by sp_runtime's TransactionValidityError reason. */
export function invalidTransaction(reason: string): ChainError {
  return new ChainError('InvalidTransaction', reason);
}

/** Decodes a submitted extrinsic, turning each kind of bad input into the error Substrate gives. */
export function decodeSubmitted(bytes: Uint8Array): DecodedExtrinsic {
  try {
    return decodeExtrinsic(bytes);
  } catch (e) {
    if (e instanceof BadFormat) throw new ChainError('BadFormat', e.message);
    if (e instanceof CannotDecode) throw new ChainError('CannotDecodeCall', e.message);
    if (e instanceof LookupFailed) throw invalidTransaction('CannotLookup');
    throw e;
  }
}
