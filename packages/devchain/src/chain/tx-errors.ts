/** The JSON-RPC errors of refused transactions, with Substrate's codes and messages. */
import { RpcError } from '../rpc/error';
import { BadFormat, CannotDecode, LookupFailed, decodeExtrinsic, type DecodedExtrinsic } from './extrinsic';

/** Substrate's messages for refused transactions (sp_runtime's TransactionValidityError Display). */
const INVALID_MESSAGES: Record<string, [number, string, string]> = {
  Call: [1010, 'Invalid Transaction', 'Transaction call is not expected'],
  Payment: [1010, 'Invalid Transaction', 'Inability to pay some fees (e.g. account balance too low)'],
  Future: [1010, 'Invalid Transaction', 'Transaction will be valid in the future'],
  Stale: [1010, 'Invalid Transaction', 'Transaction is outdated'],
  BadProof: [1010, 'Invalid Transaction', 'Transaction has a bad signature'],
  AncientBirthBlock: [1010, 'Invalid Transaction', 'Transaction has an ancient birth block'],
  ExhaustsResources: [1010, 'Invalid Transaction', 'Transaction would exhaust the block limits'],
  BadSigner: [1010, 'Invalid Transaction', 'Invalid signing address'],
  CannotLookup: [1011, 'Unknown Transaction Validity', 'Could not lookup information required to validate the transaction'],
  NoUnsignedValidator: [1011, 'Unknown Transaction Validity', 'Could not find an unsigned validator for the unsigned transaction'],
};

export function invalidTransaction(reason: string): RpcError {
  const [code, message, data] = INVALID_MESSAGES[reason] ?? [1010, 'Invalid Transaction', reason];
  return new RpcError(code, message, data);
}

/** Decodes a submitted extrinsic, turning each kind of bad input into the error Substrate gives. */
export function decodeSubmitted(bytes: Uint8Array): DecodedExtrinsic {
  try {
    return decodeExtrinsic(bytes);
  } catch (e) {
    if (e instanceof BadFormat) throw new RpcError(1001, `Extrinsic has invalid format: ${e.message}`);
    if (e instanceof CannotDecode) {
      throw new RpcError(1002, `Verification Error: Runtime error: Execution failed: Could not decode \`RuntimeCall\`: ${e.message}`, e.message);
    }
    if (e instanceof LookupFailed) throw invalidTransaction('CannotLookup');
    throw e;
  }
}
