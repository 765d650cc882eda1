/** The JSON-RPC error for each chain error: Substrate's codes and messages, as clients see them. */
import type { ChainError, ChainErrorCode } from '../chain/error';
import { INVALID_PARAMS, RpcError, SERVER_IS_BUSY } from './error';

/** Substrate's messages for refused transactions (sp_runtime's TransactionValidityError Display). */
const INVALID_TRANSACTION: Record<string, [number, string, string]> = {
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

const TO_RPC: Record<ChainErrorCode, (message: string) => RpcError> = {
  InvalidParams: (m) => new RpcError(INVALID_PARAMS, `Invalid params: ${m}`),
  UnknownBlock: (m) => new RpcError(4003, `Client error: UnknownBlock: ${m}`),
  ExecutionFailed: (m) => new RpcError(4003, `Client error: Execution failed: ${m}`),
  BadFormat: (m) => new RpcError(1001, `Extrinsic has invalid format: ${m}`),
  CannotDecodeCall: (m) =>
    new RpcError(1002, `Verification Error: Runtime error: Execution failed: Could not decode \`RuntimeCall\`: ${m}`, m),
  InvalidTransaction: (reason) => {
    const [code, message, data] = INVALID_TRANSACTION[reason] ?? [1010, 'Invalid Transaction', reason];
    return new RpcError(code, message, data);
  },
  AlreadyImported: () => new RpcError(1013, 'Transaction Already Imported'),
  PriorityTooLow: (m) =>
    new RpcError(
      1014,
      `Priority is too low: ${m}`,
      'The transaction has too low priority to replace another transaction already in the pool.',
    ),
  ImmediatelyDropped: () => new RpcError(1016, 'Immediately Dropped', "The transaction couldn't enter the pool because of the limit"),
  Busy: (m) => new RpcError(SERVER_IS_BUSY, 'Server is busy, try again later', m),
};

export function chainErrorToRpc(err: ChainError): RpcError {
  return TO_RPC[err.code](err.message);
}
